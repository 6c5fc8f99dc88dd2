#include "http/sse.h"

#include "core/buf.h"
#include "core/err.h"
#include "http/http.h"

#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One event kept in the ring: its channel, id and rendered text. */
struct ring_ev {
	uint64_t id;
	int64_t channel;
	char *text; /* "id: ..\nevent: ..\ndata: ..\n\n" */
	size_t len;
};

struct sub {
	struct fz_sse_hub *hub;
	struct MHD_Connection *conn;
	int64_t channel;
	struct fz_buf out; /* bytes waiting to be written */
	size_t off;	   /* bytes of out already written */
	int suspended;
	int closing;
	struct sub *prev, *next;
};

struct fz_sse_hub {
	pthread_mutex_t mu;
	pthread_cond_t cv; /* heartbeat thread's sleep */
	pthread_t heart;
	int heart_running;
	int closed;
	struct fz_sse_config cfg;
	struct ring_ev *ring;
	size_t ring_head, ring_n; /* oldest index, count */
	uint64_t next_id;
	struct sub *subs;
	struct fz_sse_stats st;
};

uint64_t fz_sse_parse_last_id(const char *s)
{
	uint64_t v = 0;
	size_t n = 0;

	if (!s)
		return 0;
	for (; s[n]; n++) {
		if (s[n] < '0' || s[n] > '9' || n >= 19)
			return 0;
		v = v * 10 + (uint64_t)(s[n] - '0');
	}
	return v;
}

/* Wakes a suspended stream so that libmicrohttpd calls its reader. Hub lock held. */
static void wake(struct sub *s)
{
	if (s->suspended) {
		s->suspended = 0;
		MHD_resume_connection(s->conn);
	}
}

/* Appends bytes to a subscriber, closing it when its queue is full. Hub lock held. */
static void push(struct fz_sse_hub *h, struct sub *s, const char *text, size_t len)
{
	if (s->closing)
		return;
	if (s->out.len - s->off + len > h->cfg.queue_max || fz_buf_add(&s->out, text, len)) {
		s->closing = 1; /* too slow: it reconnects and resumes from the ring */
		h->st.dropped_slow++;
	} else {
		h->st.delivered++;
	}
	wake(s);
}

/* Renders an event: id, event name and data lines (one per line of data). */
static char *render(uint64_t id, const char *name, const char *data, size_t *len)
{
	struct fz_buf b;
	const char *p = data, *nl;

	fz_buf_init(&b, 0);
	fz_buf_addf(&b, "id: %llu\nevent: %s\n", (unsigned long long)id, name);
	do {
		nl = strchr(p, '\n');
		fz_buf_addf(&b, "data: %.*s\n", (int)(nl ? nl - p : (ptrdiff_t)strlen(p)), p);
		p = nl ? nl + 1 : NULL;
	} while (p);
	fz_buf_add(&b, "\n", 1);
	return fz_buf_detach(&b, len);
}

uint64_t fz_sse_publish(struct fz_sse_hub *h, int64_t channel, const char *name, const char *data)
{
	struct ring_ev *slot;
	uint64_t id;
	size_t len;
	char *text;

	pthread_mutex_lock(&h->mu);
	id = h->next_id++;
	text = render(id, name, data, &len);
	if (!text) {
		pthread_mutex_unlock(&h->mu);
		return 0;
	}
	if (h->ring_n == h->cfg.ring) {
		slot = &h->ring[h->ring_head];
		free(slot->text);
		h->ring_head = (h->ring_head + 1) % h->cfg.ring;
		h->ring_n--;
	}
	slot = &h->ring[(h->ring_head + h->ring_n) % h->cfg.ring];
	*slot = (struct ring_ev){ id, channel, text, len };
	h->ring_n++;
	h->st.published++;
	for (struct sub *s = h->subs; s; s = s->next)
		if (s->channel == channel)
			push(h, s, text, len);
	pthread_mutex_unlock(&h->mu);
	return id;
}

/* Called by libmicrohttpd for more bytes of a stream. */
static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct sub *s = cls;
	struct fz_sse_hub *h = s->hub;
	size_t n;

	(void)pos;
	pthread_mutex_lock(&h->mu);
	n = s->out.len - s->off;
	if (n == 0 && s->closing) {
		pthread_mutex_unlock(&h->mu);
		return MHD_CONTENT_READER_END_OF_STREAM;
	}
	if (n == 0) {
		/* Nothing to send: park the connection until push() wakes it. */
		s->suspended = 1;
		MHD_suspend_connection(s->conn);
		pthread_mutex_unlock(&h->mu);
		return 0;
	}
	if (n > max)
		n = max;
	memcpy(buf, s->out.data + s->off, n);
	s->off += n;
	if (s->off == s->out.len) {
		s->out.len = 0;
		s->off = 0;
	}
	pthread_mutex_unlock(&h->mu);
	return (ssize_t)n;
}

/* Called by libmicrohttpd when the connection ends. */
static void reader_free(void *cls)
{
	struct sub *s = cls;
	struct fz_sse_hub *h = s->hub;

	pthread_mutex_lock(&h->mu);
	if (s->prev)
		s->prev->next = s->next;
	else
		h->subs = s->next;
	if (s->next)
		s->next->prev = s->prev;
	h->st.subscribers--;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	fz_buf_release(&s->out);
	free(s);
}

/* Queues what a reconnecting browser missed (hub lock held). */
static void replay(struct fz_sse_hub *h, struct sub *s, uint64_t last_id)
{
	uint64_t oldest = h->ring_n ? h->ring[h->ring_head].id : h->next_id;
	static const char reset[] = "event: reset\ndata: {}\n\n";

	if (!last_id)
		return;
	h->st.resumed++;
	if (last_id + 1 < oldest) {
		push(h, s, reset, sizeof(reset) - 1);
		h->st.resets++;
	}
	for (size_t i = 0; i < h->ring_n; i++) {
		const struct ring_ev *e = &h->ring[(h->ring_head + i) % h->cfg.ring];
		if (e->id > last_id && e->channel == s->channel)
			push(h, s, e->text, e->len);
	}
}

static void *make_response(void *ctx)
{
	struct sub *s = ctx;
	struct MHD_Response *r =
		MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, reader, s, reader_free);

	if (!r) {
		reader_free(s);
		return NULL;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				"text/event-stream; charset=utf-8");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	MHD_add_response_header(r, "X-Accel-Buffering", "no");
	return r;
}

int fz_sse_subscribe(struct fz_sse_hub *h, struct fz_req *req, int64_t channel, uint64_t last_id,
		     struct fz_resp *resp, struct fz_err *err)
{
	static const char hello[] = "retry: 2000\n: fazhi stream\n\n";
	struct sub *s;

	if (strcmp(req->method, "HEAD") == 0)
		return fz_resp_text(resp, 200, "text/event-stream; charset=utf-8", "", 0);
	s = calloc(1, sizeof(*s));
	if (!s)
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "服务繁忙，请稍后重试");
	s->hub = h;
	s->conn = req->conn;
	s->channel = channel;
	fz_buf_init(&s->out, 0);
	pthread_mutex_lock(&h->mu);
	if (h->closed) {
		pthread_mutex_unlock(&h->mu);
		free(s);
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "服务正在停止");
	}
	s->next = h->subs;
	if (h->subs)
		h->subs->prev = s;
	h->subs = s;
	h->st.subscribers++;
	push(h, s, hello, sizeof(hello) - 1);
	replay(h, s, last_id);
	pthread_mutex_unlock(&h->mu);
	resp->status = 200;
	resp->stream_make = make_response;
	resp->stream_ctx = s;
	return 0;
}

static void *heartbeat(void *arg)
{
	struct fz_sse_hub *h = arg;
	static const char beat[] = ": heartbeat\n\n";
	struct timespec ts;

	pthread_mutex_lock(&h->mu);
	while (!h->closed) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += h->cfg.heartbeat_ms / 1000;
		ts.tv_nsec += (long)(h->cfg.heartbeat_ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (pthread_cond_timedwait(&h->cv, &h->mu, &ts) == ETIMEDOUT && !h->closed)
			for (struct sub *s = h->subs; s; s = s->next)
				push(h, s, beat, sizeof(beat) - 1);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

struct fz_sse_hub *fz_sse_hub_new(const struct fz_sse_config *cfg)
{
	struct fz_sse_hub *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->cfg = *cfg;
	if (h->cfg.ring < 16)
		h->cfg.ring = 16;
	if (h->cfg.queue_max < 4096)
		h->cfg.queue_max = 4096;
	h->ring = calloc(h->cfg.ring, sizeof(*h->ring));
	h->next_id = 1;
	if (!h->ring) {
		free(h);
		return NULL;
	}
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	if (cfg->heartbeat_ms && pthread_create(&h->heart, NULL, heartbeat, h) == 0)
		h->heart_running = 1;
	return h;
}

void fz_sse_hub_close(struct fz_sse_hub *h)
{
	struct timespec ts;

	if (!h)
		return;
	pthread_mutex_lock(&h->mu);
	h->closed = 1;
	pthread_cond_broadcast(&h->cv);
	for (struct sub *s = h->subs; s; s = s->next) {
		s->closing = 1;
		wake(s);
	}
	/* Give the streams a moment to end (libmicrohttpd must not stop with
	 * suspended connections); they all woke above. */
	for (int i = 0; i < 50 && h->subs; i++) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 20 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&h->cv, &h->mu, &ts);
	}
	pthread_mutex_unlock(&h->mu);
	if (h->heart_running) {
		pthread_join(h->heart, NULL);
		h->heart_running = 0;
	}
}

void fz_sse_hub_free(struct fz_sse_hub *h)
{
	if (!h)
		return;
	fz_sse_hub_close(h);
	for (size_t i = 0; i < h->ring_n; i++)
		free(h->ring[(h->ring_head + i) % h->cfg.ring].text);
	free(h->ring);
	pthread_mutex_destroy(&h->mu);
	pthread_cond_destroy(&h->cv);
	free(h);
}

void fz_sse_stats(struct fz_sse_hub *h, struct fz_sse_stats *out)
{
	pthread_mutex_lock(&h->mu);
	*out = h->st;
	pthread_mutex_unlock(&h->mu);
}

#include "mqtt/mqtt.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"

#include <mosquitto.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A message waiting for the delivery thread. */
struct msg {
	struct msg *next;
	char source[FZ_MQTT_MAX_NAME], type[FZ_MQTT_MAX_NAME];
	size_t len;
	char payload[]; /* len bytes and a NUL */
};

#define BATCH_LINES 4096
#define BATCH_BYTES (8u << 20)
/*
 * libmosquitto 2.0 sends the PUBACK of a QoS 1 message before it calls
 * on_message (handle__publish), and its client API has no way to delay it.
 * So the messages acknowledged but not yet stored are bounded instead: the
 * client thread stops reading from the broker while two batches' worth
 * (queued plus being written) are not durable yet. One batch being
 * committed while the next fills keeps the batching; anything past that
 * waits at the broker, where it is safe.
 */
#define PENDING_MSGS  (2 * BATCH_LINES)
#define PENDING_BYTES (2 * BATCH_BYTES)

struct fz_mqtt {
	struct mosquitto *mosq;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct msg *head, *tail;
	size_t pending_bytes, pending_msgs; /* acknowledged, not yet durable */
	int stopping;
	pthread_t worker;
	char host[128];
	int port;
	char prefix[64];
	char sub[80]; /* "<prefix>/+/+" */
	size_t max_payload;
	fz_mqtt_deliver_fn deliver;
	void *ctx;
	_Atomic uint64_t received, accepted, refused, bad_topic, too_big, connects, disconnects;
	_Atomic int connected;
};

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;

static void lib_init(void)
{
	mosquitto_lib_init();
}

static int name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

/* One part of a topic into out; the part ends at '/' or end. */
static int part(const char *p, const char *end, const char *what, char out[FZ_MQTT_MAX_NAME],
		const char **next, struct fz_err *err)
{
	size_t n = 0;

	while (p + n < end && p[n] != '/') {
		if (!name_char(p[n]))
			return fz_err_set(err, FZ_EINVAL, NULL, "topic",
					  "topic: %s 含有非法字符，应为字母、数字和 . _ -", what);
		if (++n >= FZ_MQTT_MAX_NAME)
			return fz_err_set(err, FZ_EINVAL, NULL, "topic",
					  "topic: %s 过长，最多 %d 字节", what,
					  FZ_MQTT_MAX_NAME - 1);
	}
	if (n == 0)
		return fz_err_set(err, FZ_EINVAL, NULL, "topic", "topic: 缺少 %s", what);
	memcpy(out, p, n);
	out[n] = '\0';
	*next = p + n;
	return 0;
}

int fz_mqtt_topic_parse(const char *prefix, const char *topic, size_t len,
			char source[FZ_MQTT_MAX_NAME], char type[FZ_MQTT_MAX_NAME],
			struct fz_err *err)
{
	size_t plen = strlen(prefix);
	const char *end = topic + len, *p;
	int rc;

	source[0] = type[0] = '\0';
	if (len > FZ_MQTT_MAX_TOPIC)
		return fz_err_set(err, FZ_EINVAL, NULL, "topic", "topic: 过长，最多 %d 字节",
				  FZ_MQTT_MAX_TOPIC);
	if (len <= plen || memcmp(topic, prefix, plen) != 0 || topic[plen] != '/')
		return fz_err_set(err, FZ_EINVAL, NULL, "topic", "topic: 应为 %s/<来源>/<记录类型>",
				  prefix);
	p = topic + plen + 1;
	if ((rc = part(p, end, "来源", source, &p, err)))
		return rc;
	if (p == end || *p != '/')
		return fz_err_set(err, FZ_EINVAL, NULL, "topic",
				  "topic: 缺少记录类型，应为 %s/%s/<记录类型>", prefix, source);
	if ((rc = part(p + 1, end, "记录类型", type, &p, err)))
		return rc;
	if (p != end)
		return fz_err_set(err, FZ_EINVAL, NULL, "topic",
				  "topic: 层级过多，应为 %s/<来源>/<记录类型>", prefix);
	return 0;
}

static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
	struct fz_mqtt *m = obj;

	if (rc != 0) {
		fz_log(FZ_LOG_WARN, "mqtt: broker %s:%d refused the connection: %s", m->host,
		       m->port, mosquitto_connack_string(rc));
		return;
	}
	m->connects++;
	m->connected = 1;
	rc = mosquitto_subscribe(mosq, NULL, m->sub, 1);
	fz_log(rc == MOSQ_ERR_SUCCESS ? FZ_LOG_INFO : FZ_LOG_ERROR,
	       "mqtt: connected to %s:%d, subscribing to %s (QoS 1): %s", m->host, m->port, m->sub,
	       mosquitto_strerror(rc));
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
	struct fz_mqtt *m = obj;

	(void)mosq;
	m->connected = 0;
	m->disconnects++;
	if (rc != 0)
		fz_log(FZ_LOG_WARN, "mqtt: lost the broker %s:%d (%s), reconnecting", m->host,
		       m->port, mosquitto_strerror(rc));
}

static void enqueue(struct fz_mqtt *m, const char *source, const char *type, const void *payload,
		    size_t len)
{
	struct msg *x = malloc(sizeof(*x) + len + 1);

	if (!x) {
		m->refused++;
		fz_log(FZ_LOG_ERROR, "mqtt: out of memory, a message from %s (%s) refused", source,
		       type);
		return;
	}
	x->next = NULL;
	snprintf(x->source, sizeof(x->source), "%s", source);
	snprintf(x->type, sizeof(x->type), "%s", type);
	x->len = len;
	memcpy(x->payload, payload, len);
	x->payload[len] = '\0';
	pthread_mutex_lock(&m->mu);
	while ((m->pending_msgs >= PENDING_MSGS || m->pending_bytes >= PENDING_BYTES) &&
	       !m->stopping)
		pthread_cond_wait(&m->cv, &m->mu); /* back-pressure on the broker */
	if (m->tail)
		m->tail->next = x;
	else
		m->head = x;
	m->tail = x;
	m->pending_bytes += len;
	m->pending_msgs++;
	pthread_cond_broadcast(&m->cv);
	pthread_mutex_unlock(&m->mu);
}

/* One JSON object on one line: may share an NDJSON batch with its neighbours. */
static int one_line(const struct msg *x)
{
	size_t n = x->len;

	while (n &&
	       (x->payload[n - 1] == '\n' || x->payload[n - 1] == '\r' || x->payload[n - 1] == ' '))
		n--;
	return n && x->payload[0] == '{' && !memchr(x->payload, '\n', n);
}

/*
 * Delivers the messages from *list on: the next run of one-line messages of
 * the same source and type as one NDJSON body (one durable write for all),
 * or one other message alone. Advances *list.
 */
static void deliver_run(struct fz_mqtt *m, struct msg **list, struct fz_buf *b)
{
	struct msg *first = *list, *x = first;
	size_t n = 0;
	struct fz_err err;
	int rc;

	fz_err_init(&err);
	b->len = 0;
	if (!one_line(first)) {
		n = 1;
		x = first->next;
		rc = m->deliver(m->ctx, first->source, first->type, first->payload, first->len,
				&err);
	} else {
		for (; x && n < BATCH_LINES && b->len < BATCH_BYTES && one_line(x) &&
		       strcmp(x->source, first->source) == 0 && strcmp(x->type, first->type) == 0;
		     x = x->next, n++) {
			fz_buf_add(b, x->payload, x->len);
			if (x->payload[x->len - 1] != '\n')
				fz_buf_add(b, "\n", 1);
		}
		rc = m->deliver(m->ctx, first->source, first->type, b->data, b->len, &err);
	}
	if (rc) {
		m->refused += n;
		fz_log(FZ_LOG_WARN, "mqtt: refused %zu message(s) from source %s (type %s): %s", n,
		       first->source, first->type, err.msg);
	} else {
		m->accepted += n;
	}
	n = 0;
	{
		size_t bytes = 0;
		while (*list != x) {
			struct msg *next = (*list)->next;
			bytes += (*list)->len;
			n++;
			free(*list);
			*list = next;
		}
		/* stored (or refused): no longer in the window */
		pthread_mutex_lock(&m->mu);
		m->pending_bytes -= bytes;
		m->pending_msgs -= n;
		pthread_cond_broadcast(&m->cv);
		pthread_mutex_unlock(&m->mu);
	}
}

/* The delivery thread: takes what arrived and hands it to ingest in runs. */
static void *worker(void *arg)
{
	struct fz_mqtt *m = arg;
	struct fz_buf b;

	fz_buf_init(&b, 0);
	pthread_mutex_lock(&m->mu);
	for (;;) {
		struct msg *list;
		while (!m->head && !m->stopping)
			pthread_cond_wait(&m->cv, &m->mu);
		if (!m->head)
			break; /* stopping and drained */
		list = m->head;
		m->head = m->tail = NULL;
		pthread_mutex_unlock(&m->mu);
		while (list)
			deliver_run(m, &list, &b);
		pthread_mutex_lock(&m->mu);
	}
	pthread_mutex_unlock(&m->mu);
	fz_buf_release(&b);
	return NULL;
}

static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg)
{
	struct fz_mqtt *m = obj;
	char source[FZ_MQTT_MAX_NAME], type[FZ_MQTT_MAX_NAME];
	struct fz_err err;
	size_t tlen = strlen(msg->topic);

	(void)mosq;
	m->received++;
	fz_err_init(&err);
	if (fz_mqtt_topic_parse(m->prefix, msg->topic, tlen, source, type, &err)) {
		m->bad_topic++;
		fz_log(FZ_LOG_WARN, "mqtt: refused a message on topic %.80s: %s", msg->topic,
		       err.msg);
		return;
	}
	if ((size_t)msg->payloadlen > m->max_payload) {
		m->too_big++;
		fz_log(FZ_LOG_WARN, "mqtt: refused a message of %d bytes from %s (%s): limit %zu",
		       msg->payloadlen, source, type, m->max_payload);
		return;
	}
	enqueue(m, source, type, msg->payload ? msg->payload : "", (size_t)msg->payloadlen);
}

static void stop_worker(struct fz_mqtt *m)
{
	pthread_mutex_lock(&m->mu);
	m->stopping = 1;
	pthread_cond_broadcast(&m->cv);
	pthread_mutex_unlock(&m->mu);
	pthread_join(m->worker, NULL);
}

static int parse_broker(struct fz_mqtt *m, const char *broker, struct fz_err *err)
{
	const char *colon = broker ? strrchr(broker, ':') : NULL;
	char *end;
	long port;

	if (!colon || colon == broker || (size_t)(colon - broker) >= sizeof(m->host))
		return fz_err_set(err, FZ_EINVAL, NULL, "mqtt",
				  "mqtt: “%.64s”无效，应为 主机:端口，如 127.0.0.1:1883",
				  broker ? broker : "");
	port = strtol(colon + 1, &end, 10);
	if (*end || port < 1 || port > 65535)
		return fz_err_set(err, FZ_EINVAL, NULL, "mqtt",
				  "mqtt: 端口“%.16s”无效，应为 1 到 65535", colon + 1);
	snprintf(m->host, sizeof(m->host), "%.*s", (int)(colon - broker), broker);
	m->port = (int)port;
	return 0;
}

int fz_mqtt_start(const struct fz_mqtt_config *cfg, struct fz_mqtt **out, struct fz_err *err)
{
	struct fz_mqtt *m = calloc(1, sizeof(*m));
	int rc;

	*out = NULL;
	if (!m)
		return FZ_ENOMEM;
	if ((rc = parse_broker(m, cfg->broker, err))) {
		free(m);
		return rc;
	}
	if (strlen(cfg->prefix) >= sizeof(m->prefix) || !cfg->prefix[0] ||
	    strpbrk(cfg->prefix, "+#")) {
		free(m);
		return fz_err_set(err, FZ_EINVAL, NULL, "mqtt_prefix",
				  "mqtt_prefix: “%.64s”无效，应为不含 + # 的主题前缀", cfg->prefix);
	}
	snprintf(m->prefix, sizeof(m->prefix), "%s", cfg->prefix);
	snprintf(m->sub, sizeof(m->sub), "%s/+/+", cfg->prefix);
	m->max_payload = cfg->max_payload;
	m->deliver = cfg->deliver;
	m->ctx = cfg->ctx;
	pthread_once(&lib_once, lib_init);
	pthread_mutex_init(&m->mu, NULL);
	pthread_cond_init(&m->cv, NULL);
	m->mosq = mosquitto_new(cfg->client_id, false, m);
	if (!m->mosq || pthread_create(&m->worker, NULL, worker, m)) {
		if (m->mosq)
			mosquitto_destroy(m->mosq);
		free(m);
		return FZ_ENOMEM;
	}
	mosquitto_connect_callback_set(m->mosq, on_connect);
	mosquitto_disconnect_callback_set(m->mosq, on_disconnect);
	mosquitto_message_callback_set(m->mosq, on_message);
	mosquitto_reconnect_delay_set(m->mosq, 1, 30, true);
	rc = mosquitto_connect_async(m->mosq, m->host, m->port, 30);
	if (rc != MOSQ_ERR_SUCCESS)
		fz_log(FZ_LOG_WARN, "mqtt: broker %s:%d not reachable yet (%s), retrying", m->host,
		       m->port, mosquitto_strerror(rc));
	if (mosquitto_loop_start(m->mosq) != MOSQ_ERR_SUCCESS) {
		stop_worker(m);
		mosquitto_destroy(m->mosq);
		free(m);
		return fz_err_set(err, FZ_ENOMEM, NULL, "mqtt", "mqtt: 无法启动客户端线程");
	}
	*out = m;
	return 0;
}

void fz_mqtt_free(struct fz_mqtt *m)
{
	if (!m)
		return;
	mosquitto_disconnect(m->mosq);
	/* Not forced: cancelling the client thread while it waits in enqueue()
	 * would leave m->mu locked; after the disconnect its loop ends. */
	mosquitto_loop_stop(m->mosq, false);
	stop_worker(m); /* after delivering what arrived */
	mosquitto_destroy(m->mosq);
	pthread_mutex_destroy(&m->mu);
	pthread_cond_destroy(&m->cv);
	free(m);
}

void fz_mqtt_counters(struct fz_mqtt *m, struct fz_mqtt_counters *out)
{
	out->received = m->received;
	out->accepted = m->accepted;
	out->refused = m->refused;
	out->bad_topic = m->bad_topic;
	out->too_big = m->too_big;
	out->connects = m->connects;
	out->disconnects = m->disconnects;
	out->connected = m->connected;
}

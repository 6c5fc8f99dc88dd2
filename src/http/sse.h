/*
 * sse: Server-Sent Events, a hub that fans events out to open streams.
 *
 * A publisher posts an event (a name and a JSON text) to a channel, an
 * int64 chosen by the caller (dispatch uses unit ids), from any thread.
 * Every stream subscribed to that channel gets it. Events carry a hub-wide
 * increasing id; the hub keeps the last `ring` events so that a browser that
 * reconnects with Last-Event-ID gets what it missed; when the id it names
 * has already left the ring it gets an `event: reset` first (reload the
 * list).
 *
 * A stream is a libmicrohttpd callback response. Each subscriber has a
 * bounded queue of bytes (`queue_max`): a subscriber too slow to keep up is
 * closed (its browser reconnects and resumes from the ring) rather than
 * letting the queue grow. While a stream has nothing to send its connection
 * is suspended (no thread waits on it); publishing resumes it. A heartbeat
 * thread writes a comment line to every stream every `heartbeat_ms`, which
 * keeps proxies from closing idle streams and finds dead clients (a
 * suspended connection does not notice a disconnect until it writes).
 *
 * Ownership: the hub owns its subscribers; a subscriber is freed when its
 * connection ends (libmicrohttpd's free callback). fz_sse_hub_close() ends
 * every stream and must run before the HTTP server stops;
 * fz_sse_hub_free() after it.
 * Thread-safety: every function may be called from any thread (one mutex).
 */
#ifndef FZ_HTTP_SSE_H
#define FZ_HTTP_SSE_H

#include <stddef.h>
#include <stdint.h>

struct fz_err;
struct fz_req;
struct fz_resp;

struct fz_sse_config {
	size_t ring;	       /* events kept for Last-Event-ID resume (>= 16) */
	size_t queue_max;      /* bytes a subscriber may have waiting */
	unsigned heartbeat_ms; /* comment line interval, 0: no heartbeat thread */
};

struct fz_sse_stats {
	size_t subscribers;
	uint64_t published, delivered, dropped_slow, resumed, resets;
};

struct fz_sse_hub;

/* A new hub (and its heartbeat thread). NULL when out of memory. */
struct fz_sse_hub *fz_sse_hub_new(const struct fz_sse_config *cfg);
/* Ends every stream (they send their last bytes and close) and refuses new
 * ones. Call before the HTTP server stops. */
void fz_sse_hub_close(struct fz_sse_hub *hub);
/* Frees the hub (after fz_sse_hub_close and after the server stopped). */
void fz_sse_hub_free(struct fz_sse_hub *hub);

/*
 * Posts an event to channel: name ("event:" line, [a-z_.]) and data (one
 * line of JSON; newlines are split into data lines). Returns the event id,
 * or 0 when out of memory.
 */
uint64_t fz_sse_publish(struct fz_sse_hub *hub, int64_t channel, const char *name,
			const char *data);

/*
 * Turns the request into a stream of channel: sets resp to a streaming
 * text/event-stream response (on HTTP handlers' threads only). last_id is
 * the Last-Event-ID header's value, or 0. FZ_EUNAVAIL when the hub is
 * closed, FZ_ENOMEM.
 */
int fz_sse_subscribe(struct fz_sse_hub *hub, struct fz_req *req, int64_t channel, uint64_t last_id,
		     struct fz_resp *resp, struct fz_err *err);

/* Counters, for /metrics. */
void fz_sse_stats(struct fz_sse_hub *hub, struct fz_sse_stats *out /* OUT */);

/*
 * Parses a Last-Event-ID value: decimal digits only, at most 19. 0 for
 * NULL, "" or anything else (resume is a courtesy; a bad id starts afresh).
 */
uint64_t fz_sse_parse_last_id(const char *s);

#endif

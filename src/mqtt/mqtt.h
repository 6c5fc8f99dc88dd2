/*
 * mqtt: the MQTT client of fazhi (the only code that includes mosquitto.h).
 *
 * Devices (AI cameras, weigh-in-motion stations, correction terminals)
 * publish to a mosquitto broker on topics `<prefix>/<source>/<type>`,
 * e.g. `fazhi/cam-wucheng/community.camera_event`, one JSON object or an
 * NDJSON batch per message. One client thread (libmosquitto's loop thread)
 * subscribes to `<prefix>/+/+` with QoS 1 on a persistent session (clean
 * session off, fixed client id), so messages published while fazhi was
 * down wait at the broker. It reconnects on its own with backoff (1 s
 * doubling to 30 s). The client thread queues each message (bounded: it
 * stops reading when 64 MiB wait); a delivery thread hands them to the
 * deliver callback (the ingest pipeline: fz_ingest_submit), runs of
 * one-line JSON messages of one source and type as one NDJSON body (one
 * durable write for the run). The callback validates and keeps a
 * bad one in quarantine; a message whose topic is malformed, or that the
 * callback refuses (unknown or revoked source, a type the source may not
 * send), is counted and logged with the reason, never silently dropped.
 *
 * Who may publish is the broker's business: the broker listens on
 * loopback and its ACLs (scripts/mosquitto.conf) authenticate devices.
 * fazhi trusts the source named in the topic as far as the ingest
 * pipeline's registry of sources does.
 *
 * Thread-safety: start and stop from one thread; the callback runs on the
 * delivery thread; counters may be read from any thread. fz_mqtt_free()
 * delivers what was queued before it returns.
 */
#ifndef FZ_MQTT_MQTT_H
#define FZ_MQTT_MQTT_H

#include <stddef.h>
#include <stdint.h>

struct fz_err;

#define FZ_MQTT_MAX_TOPIC 256
#define FZ_MQTT_MAX_NAME  64 /* source and type, each */

/*
 * Hands one message on. Returns 0 when accepted (even if some records went
 * to quarantine), or a negative FZ_E* code with err saying why it was
 * refused as a whole.
 */
typedef int (*fz_mqtt_deliver_fn)(void *ctx, const char *source, const char *type,
				  const char *payload, size_t len, struct fz_err *err);

struct fz_mqtt_config {
	const char *broker;    /* "host:port" */
	const char *prefix;    /* "fazhi" */
	const char *client_id; /* "fazhi" */
	size_t max_payload;    /* larger messages are refused (counted) */
	fz_mqtt_deliver_fn deliver;
	void *ctx;
};

struct fz_mqtt_counters {
	uint64_t received, accepted, refused, bad_topic, too_big, connects, disconnects;
	int connected;
};

struct fz_mqtt;

/*
 * Starts the client thread; the first connection is made in the
 * background (a broker that is not up yet is retried). 0, FZ_EINVAL (bad
 * broker address, naming the field), FZ_ENOMEM. Caller stops with
 * fz_mqtt_free().
 */
int fz_mqtt_start(const struct fz_mqtt_config *cfg, struct fz_mqtt **out /* OUT */,
		  struct fz_err *err);
/* Disconnects, stops the thread and frees. */
void fz_mqtt_free(struct fz_mqtt *m);
void fz_mqtt_counters(struct fz_mqtt *m, struct fz_mqtt_counters *out /* OUT */);

/*
 * Splits topic "<prefix>/<source>/<type>" into source and type (each
 * 1..63 bytes of [A-Za-z0-9._-]). 0 or FZ_EINVAL with err saying which
 * part is wrong. Pure; exposed for tests and the fuzz driver.
 */
int fz_mqtt_topic_parse(const char *prefix, const char *topic, size_t len,
			char source[FZ_MQTT_MAX_NAME] /* OUT */,
			char type[FZ_MQTT_MAX_NAME] /* OUT */, struct fz_err *err);

#endif

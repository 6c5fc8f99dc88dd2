/*
 * record: one validated record as the ingest pipeline hands it, once it is
 * durable, to the engines that react to records (rules, geofences,
 * dispatch). The contract between the data hub and its consumers:
 *
 * - A sink sees a record only after the store has committed it, so a sink
 *   may link to it by id. Duplicates (same source and external id) and
 *   quarantined records never reach a sink.
 * - Sinks run on the ingest thread, in the order the records were
 *   committed, one record at a time; a sink must not block on the network
 *   and must not write to the store from inside the call except through
 *   fz_store_write() (the ingest thread is not the writer thread).
 * - Everything a record points to is borrowed for the duration of the call:
 *   copy what you keep.
 * - Field values are the record type's declared fields after validation
 *   and normalisation: identifiers in their canonical form (upper case,
 *   half-width), numbers as numbers, times as UTC milliseconds.
 */
#ifndef FZ_DATAHUB_RECORD_H
#define FZ_DATAHUB_RECORD_H

#include <stdint.h>

#include "core/json.h"

struct fz_record {
	int64_t id;		 /* the store's row id */
	const char *source;	 /* source name, e.g. "jt-wim" */
	const char *type;	 /* record type, "<pack>.<name>", e.g. "overload.weighing" */
	const char *external_id; /* the source's own id; unique per source */
	int64_t at;		 /* event time, UTC ms (the type's time field) */
	int64_t received_at;	 /* when fazhi accepted it, UTC ms */
	int has_location;	 /* 1 when lon/lat are set (WGS-84, converted if the
				    source sends GCJ-02) */
	double lon, lat;
	const char *region; /* the finest region code the location falls in, "" if none */
	const cJSON *fields; /* object: field name -> value, as validated */
};

/*
 * A consumer of records. Returns 0, or a negative FZ_E* code that the
 * pipeline logs and counts against the sink (it never undoes the record:
 * the record is already durable and a sink failure is the sink's problem).
 */
typedef int (*fz_record_sink_fn)(void *ctx, const struct fz_record *r);

#endif

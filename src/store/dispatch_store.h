/*
 * dispatch_store: SQL for the live field events of src/dispatch/ (table
 * dispatch_events). Read functions take a reader, write functions the db
 * of a fz_store_write() callback. Errors: FZ_ENOTFOUND, FZ_ESTORE.
 */
#ifndef FZ_STORE_DISPATCH_STORE_H
#define FZ_STORE_DISPATCH_STORE_H

#include <stdint.h>

#include "dispatch/event.h"

struct fz_db;
struct fz_err;

/* Inserts ev (all but id), setting ev->id. */
int fz_store_dispatch_insert(struct fz_db *db, struct fz_dispatch_event *ev, struct fz_err *err);
/* The uncleared event with dedup_key last seen at or after since. */
int fz_store_dispatch_find_open(struct fz_db *db, const char *dedup_key, int64_t since,
				struct fz_dispatch_event *out /* OUT */, struct fz_err *err);
int fz_store_dispatch_get(struct fz_db *db, int64_t id, struct fz_dispatch_event *out /* OUT */,
			  struct fz_err *err);
/* Writes the changing columns: last_seen_at, dwell_s, sightings, status,
 * ack, clear, escalation and case code. */
int fz_store_dispatch_update(struct fz_db *db, const struct fz_dispatch_event *ev,
			     struct fz_err *err);

struct fz_dispatch_filter {
	int64_t unit_id;	 /* events of this unit (or escalated to it), or 0 */
	const char *region_path; /* or events in this subtree (leaders), or NULL */
	int open_only;		 /* not cleared */
	int64_t before_id;	 /* newest first: ids below this, 0 for the first page */
	int limit;
};
typedef int (*fz_dispatch_each_fn)(void *ctx, const struct fz_dispatch_event *ev);
int fz_store_dispatch_list(struct fz_db *db, const struct fz_dispatch_filter *f,
			   fz_dispatch_each_fn each, void *ctx, struct fz_err *err);
/* Uncleared, unescalated events whose 0 < due_at <= now (0: never due), oldest due first (at most limit). */
int fz_store_dispatch_due(struct fz_db *db, int64_t now, int limit, fz_dispatch_each_fn each,
			  void *ctx, struct fz_err *err);

/* Response times of one unit on one day (Asia/Shanghai). */
struct fz_dispatch_day {
	int64_t unit_id;
	char unit_name[128];
	char day[12]; /* YYYY-MM-DD */
	int64_t events, acked, cleared, escalated;
	double ack_avg_s, ack_max_s, clear_avg_s, clear_max_s;
};
typedef int (*fz_dispatch_day_fn)(void *ctx, const struct fz_dispatch_day *d);
/* Per unit and day for events with from <= at < to, of unit_id (or every
 * unit in region_path when unit_id is 0). */
int fz_store_dispatch_stats(struct fz_db *db, int64_t unit_id, const char *region_path,
			    int64_t from, int64_t to, fz_dispatch_day_fn each, void *ctx,
			    struct fz_err *err);

/* The first unit of kind at exactly region, 0 if none (or on error). */
int64_t fz_store_dispatch_unit_at(struct fz_db *db, const char *region, const char *kind);

#endif

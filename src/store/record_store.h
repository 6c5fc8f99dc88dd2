/*
 * record_store: the SQL of the data hub: records and the subjects they link
 * to (record_store.c), sources, their daily and per-minute counters and the
 * quarantine (source_store.c).
 *
 * Records are unique on (source, external_id): fz_record_store_insert_many()
 * says "duplicate" instead of failing, so a replayed batch adds nothing.
 * Write functions take the db passed to a fz_store_write() callback; read
 * functions a reader. Rows are copied into caller-owned structs; list
 * functions call back per row and stop at the callback's nonzero result.
 * Times are UTC ms; days are "YYYY-MM-DD" in Asia/Shanghai.
 */
#ifndef FZ_STORE_RECORD_STORE_H
#define FZ_STORE_RECORD_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "datahub/record.h"

struct fz_db;
struct fz_err;

/* ---- records ---- */

/*
 * Every stored record of a type starting with type_prefix ("" all) with
 * since <= at < until, in (at, id) order, to fn (fields parsed; everything
 * borrowed for the call). Stops and returns fn's nonzero result; else 0 or
 * a store error.
 */
int fz_record_store_scan(struct fz_db *db, const char *type_prefix, int64_t since, int64_t until,
			 fz_record_sink_fn fn, void *ctx, struct fz_err *err);

/* A record to insert: r (id ignored) from source_id, fields as JSON text. */
struct fz_record_in {
	int64_t source_id;
	const struct fz_record *r;
	const char *fields_text;
	const char *region_path; /* "" when unlocated */
};

/*
 * Bulk form for the writer: inserts in[0..n) with the ids first_id + i (the
 * caller takes first_id from fz_record_store_next_id() in the same write, so
 * they are free), as multi-row statements of FZ_RECORD_STORE_ROWS records.
 * inserted[i] is 1 for a new record, 0 for a duplicate (source,
 * external_id), including a repeat of an earlier record of in[]. Ids of
 * duplicates are left unused: record ids increase but are not dense.
 */
#define FZ_RECORD_STORE_ROWS 64
int fz_record_store_insert_many(struct fz_db *db, const struct fz_record_in *in, size_t n,
				int64_t first_id, unsigned char *inserted /* OUT [n] */,
				struct fz_err *err);
/* The id after the highest record id. */
int fz_record_store_next_id(struct fz_db *db, int64_t *id /* OUT */, struct fz_err *err);

/* A link of a record to a subject through a field (the field name borrowed). */
struct fz_record_link {
	int64_t subject_id, record_id;
	const char *field;
};
/* Links in bulk (multi-row statements); an existing link is kept. */
int fz_record_store_link_many(struct fz_db *db, const struct fz_record_link *l, size_t n,
			      struct fz_err *err);
/* The id of subject (kind, key), creating it. */
int fz_record_store_subject(struct fz_db *db, const char *kind, const char *key, int64_t now,
			    int64_t *id /* OUT */, struct fz_err *err);
/* Links record_id to the subject subject_id through field. */
int fz_record_store_link_id(struct fz_db *db, int64_t record_id, int64_t subject_id,
			    const char *field, struct fz_err *err);
/* The id of the record of source_id with external_id, 0 if none. */
int fz_record_store_find(struct fz_db *db, int64_t source_id, const char *external_id,
			 int64_t *id /* OUT */, struct fz_err *err);
/* The highest record id (0 for none). */
int fz_record_store_last_id(struct fz_db *db, int64_t *id /* OUT */, struct fz_err *err);
/* Records with id > after in id order, at most limit, to fn. */
int fz_record_store_after(struct fz_db *db, int64_t after, int limit, fz_record_sink_fn fn,
			  void *ctx, struct fz_err *err);

/* ---- subjects ---- */

struct fz_subject_row {
	int64_t id;
	char kind[16];
	char key[72];
	int64_t created_at;
	int64_t records; /* filled by list functions */
};

typedef int (*fz_subject_row_fn)(void *ctx, const struct fz_subject_row *s);

/* The subject id; FZ_ENOTFOUND if none. */
int fz_subject_store_get(struct fz_db *db, int64_t id, struct fz_subject_row *out /* OUT */,
			 struct fz_err *err);
/*
 * Subjects whose key equals key, or matches pattern (a LIKE pattern with
 * '_' per hidden character) when pattern is not NULL; at most limit.
 */
int fz_subject_store_search(struct fz_db *db, const char *key, const char *pattern, int limit,
			    fz_subject_row_fn fn, void *ctx, struct fz_err *err);
/*
 * The records of a subject, latest stored first, at most limit, before cursor
 * (a record id, 0: from the newest), that lie in scope_path ("" none) or
 * are unlocated when unlocated is 1. The callback's record carries the
 * source name in r->source.
 */
int fz_subject_store_records(struct fz_db *db, int64_t subject_id, const char *scope_path,
			     int unlocated, int64_t cursor, int limit, fz_record_sink_fn fn,
			     void *ctx, struct fz_err *err);

/* ---- sources ---- */

struct fz_source_row {
	int64_t id;
	char name[64];
	char title[128];
	int64_t unit_id;
	char types[1024]; /* JSON array of record types */
	char key_prefix[24];
	char key_hash[65];
	int64_t created_at, rotated_at, revoked_at, last_received_at, last_error_at;
	char last_error[400];
};

struct fz_source_status {
	int64_t records_today, duplicates_today, quarantined_today;
	int64_t records_recent; /* over the last `minutes` minutes */
	int minutes;
	int64_t quarantine_open;
};

typedef int (*fz_source_row_fn)(void *ctx, const struct fz_source_row *s);

/* Inserts (name unique: FZ_ECONFLICT); *id set. */
int fz_source_store_insert(struct fz_db *db, const struct fz_source_row *s, int64_t *id /* OUT */,
			   struct fz_err *err);
int fz_source_store_get(struct fz_db *db, const char *name, struct fz_source_row *out /* OUT */,
			struct fz_err *err);
int fz_source_store_by_prefix(struct fz_db *db, const char *prefix,
			      struct fz_source_row *out /* OUT */, struct fz_err *err);
int fz_source_store_list(struct fz_db *db, fz_source_row_fn fn, void *ctx, struct fz_err *err);
int fz_source_store_set_key(struct fz_db *db, int64_t id, const char *prefix, const char *hash,
			    int64_t now, struct fz_err *err);
int fz_source_store_revoke(struct fz_db *db, int64_t id, int64_t now, struct fz_err *err);
/* Adds to today's counters and this minute's; sets last_received_at when records > 0. */
int fz_source_store_count(struct fz_db *db, int64_t id, const char *day, int64_t minute,
			  int64_t records, int64_t duplicates, int64_t quarantined, int64_t now,
			  struct fz_err *err);
int fz_source_store_error(struct fz_db *db, int64_t id, const char *msg, int64_t now,
			  struct fz_err *err);
int fz_source_store_status(struct fz_db *db, int64_t id, const char *day, int64_t minute,
			   int minutes, struct fz_source_status *out /* OUT */, struct fz_err *err);

/* ---- quarantine ---- */

struct fz_quarantine_row {
	int64_t id;
	int64_t source_id;
	char source[64];
	char type[64];
	char external_id[136];
	const char *raw; /* the input as received (or last corrected), borrowed in callbacks */
	const char *reasons; /* JSON array [{field, code, message}] */
	int64_t received_at;
	char day[11];
	char status[16]; /* open, resubmitted, discarded */
	char handled_by[64];
	int64_t handled_at;
	char note[400];
	int64_t record_id;
};

struct fz_quarantine_filter {
	const char *source; /* name, NULL any */
	const char *type;
	const char *day;
	const char *status;
	int64_t cursor; /* id: rows below it; 0 from the newest */
	int limit;
};

typedef int (*fz_quarantine_row_fn)(void *ctx, const struct fz_quarantine_row *q);

int fz_quarantine_store_insert(struct fz_db *db, const struct fz_quarantine_row *q,
			       int64_t *id /* OUT */, struct fz_err *err);
/* The id of an open row of source_id with external_id and this very raw input, 0 if none. */
int fz_quarantine_store_find(struct fz_db *db, int64_t source_id, const char *external_id,
			     const char *raw, int64_t *id /* OUT */, struct fz_err *err);
int fz_quarantine_store_list(struct fz_db *db, const struct fz_quarantine_filter *f,
			     fz_quarantine_row_fn fn, void *ctx, struct fz_err *err);
/* One row to fn (raw, reasons borrowed for the call); FZ_ENOTFOUND. */
int fz_quarantine_store_get(struct fz_db *db, int64_t id, fz_quarantine_row_fn fn, void *ctx,
			    struct fz_err *err);
/* Sets raw, reasons, status, handled_by/at, note and record_id of q->id. */
int fz_quarantine_store_update(struct fz_db *db, const struct fz_quarantine_row *q,
			       struct fz_err *err);
/* Marks an open row discarded by who with a note (kept, never deleted). FZ_ENOTFOUND,
 * FZ_ECONFLICT when it is not open. */
int fz_quarantine_store_discard(struct fz_db *db, int64_t id, const char *who, int64_t now,
				const char *note, struct fz_err *err);
/* Quarantined records per source and day (status any) from day since: to fn(source, day, n). */
int fz_quarantine_store_counts(struct fz_db *db, const char *since,
			       int (*fn)(void *ctx, const char *source, const char *day,
					 int64_t n),
			       void *ctx, struct fz_err *err);

#endif

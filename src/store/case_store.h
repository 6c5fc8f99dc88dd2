/*
 * case_store: SQL for case types, cases, their timeline, clocks, links,
 * attachments and the indicator aggregates. Read functions take a reader,
 * write functions the db of a write callback (see store.h). Cases are
 * updated with optimistic concurrency: fz_store_case_update() refuses with
 * FZ_ECONFLICT when the stored version is not the one the caller read.
 */
#ifndef FZ_STORE_CASE_STORE_H
#define FZ_STORE_CASE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "cases/case.h"

struct fz_db;
struct fz_err;

/* ---- case types ---- */
struct fz_case_type_row {
	char type[32];
	int version;
	char pack[32];
	char digest[65];
	const char *definition; /* borrowed during the callback */
	int64_t loaded_at;
};
typedef int (*fz_case_type_each_fn)(void *ctx, const struct fz_case_type_row *r);
/* Every stored version of every type, ordered by type and version. */
int fz_store_case_types(struct fz_db *db, fz_case_type_each_fn each, void *ctx, struct fz_err *err);
int fz_store_case_type_put(struct fz_db *db, const struct fz_case_type_row *r, struct fz_err *err);

/* ---- cases ---- */
/* The next sequence number of prefix in region and year (1, 2, ...). */
int fz_store_case_next_seq(struct fz_db *db, const char *prefix, const char *region, int year,
			   int64_t *seq /* OUT */, struct fz_err *err);
/* Inserts c (id is set). */
int fz_store_case_insert(struct fz_db *db, struct fz_case *c, struct fz_err *err);
/* Writes c if the stored version is c->version, then bumps c->version. */
int fz_store_case_update(struct fz_db *db, struct fz_case *c, struct fz_err *err);
/* Loads a case by id; c is released first. FZ_ENOTFOUND if none. */
int fz_store_case_get(struct fz_db *db, int64_t id, struct fz_case *c, struct fz_err *err);
/* As fz_store_case_get() without the names of region, units and owner
 * (cheaper; for reads inside a write). */
int fz_store_case_get_plain(struct fz_db *db, int64_t id, struct fz_case *c, struct fz_err *err);
int fz_store_case_get_by_code(struct fz_db *db, const char *code, struct fz_case *c,
			      struct fz_err *err);

struct fz_case_filter {
	/* visibility: region inside scope_path, or one of the caller's unit's
	 * relations, or observed types inside observe_path */
	const char *scope_path;
	int64_t my_unit;
	const char *observe_types; /* ",xingxing," or NULL */
	const char *observe_path;
	/* filters */
	const char *type, *state, *region_path, *level;
	int64_t unit_id;
	int overdue;   /* 1: only overdue */
	int open_only; /* 1: not closed */
	int mine;      /* 1: assigned to, waiting on, or owned by the caller */
	int64_t my_user;
	int pending_for_my_unit; /* 1: hand-offs waiting on the caller's unit */
	const char *q;
	int64_t due_before; /* running clocks due before this, 0 for any */
	int64_t after_id;
	int limit;
};
typedef int (*fz_case_each_fn)(void *ctx, const struct fz_case *c);
int fz_store_case_list(struct fz_db *db, const struct fz_case_filter *f, fz_case_each_fn each,
		       void *ctx, struct fz_err *err);

/* ---- timeline ---- */
int fz_store_case_event_add(struct fz_db *db, const struct fz_case_event *e, struct fz_err *err);
typedef int (*fz_case_event_each_fn)(void *ctx, const struct fz_case_event *e);
int fz_store_case_events(struct fz_db *db, int64_t case_id, fz_case_event_each_fn each, void *ctx,
			 struct fz_err *err);

/* ---- clocks ---- */
int fz_store_case_clock_insert(struct fz_db *db, struct fz_case_clock *k, struct fz_err *err);
int fz_store_case_clock_update(struct fz_db *db, const struct fz_case_clock *k, struct fz_err *err);
typedef int (*fz_case_clock_each_fn)(void *ctx, const struct fz_case_clock *k);
/* The clocks of a case, oldest first. */
int fz_store_case_clocks(struct fz_db *db, int64_t case_id, fz_case_clock_each_fn each, void *ctx,
			 struct fz_err *err);
/* Running clocks whose warning or due time is at or before now. */
int fz_store_case_clocks_due(struct fz_db *db, int64_t now, int limit, fz_case_clock_each_fn each,
			     void *ctx, struct fz_err *err);

/* ---- links and attachments ---- */
int fz_store_case_link(struct fz_db *db, int64_t a, int64_t b, const char *relation,
		       struct fz_err *err);
typedef int (*fz_case_link_each_fn)(void *ctx, int64_t other, const char *code,
				    const char *relation);
int fz_store_case_links(struct fz_db *db, int64_t case_id, fz_case_link_each_fn each, void *ctx,
			struct fz_err *err);
int fz_store_attachment_insert(struct fz_db *db, struct fz_case_attachment *a, const void *data,
			       struct fz_err *err);
typedef int (*fz_attachment_each_fn)(void *ctx, const struct fz_case_attachment *a);
int fz_store_attachments(struct fz_db *db, int64_t case_id, fz_attachment_each_fn each, void *ctx,
			 struct fz_err *err);
/* The bytes of an attachment (malloc'd, caller frees). */
int fz_store_attachment_data(struct fz_db *db, int64_t case_id, int64_t id,
			     struct fz_case_attachment *a, void **data, struct fz_err *err);

/* ---- indicators ---- */
struct fz_indicator_query {
	const char *scope_path; /* required */
	const char *type;	/* or NULL */
	int group_depth;	/* 0: no region grouping; else path segments kept */
	int by_unit;		/* group by assigned unit */
	int64_t from, to;	/* accepted in [from, to) */
};
struct fz_indicator_row {
	char group[128]; /* region path or unit id, "" for all */
	int64_t accepted, closed, overdue, bounces;
	int64_t handled_ms_sum;
};
typedef int (*fz_indicator_each_fn)(void *ctx, const struct fz_indicator_row *r);
int fz_store_case_indicators(struct fz_db *db, const struct fz_indicator_query *q,
			     fz_indicator_each_fn each, void *ctx, struct fz_err *err);
/* Handling times (closed_at - created_at) of the closed cases of a group,
 * in ascending order, for the median. */
typedef int (*fz_duration_each_fn)(void *ctx, int64_t ms);
int fz_store_case_durations(struct fz_db *db, const struct fz_indicator_query *q, const char *group,
			    fz_duration_each_fn each, void *ctx, struct fz_err *err);

#endif

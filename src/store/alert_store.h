/*
 * alert_store: SQL for alerts (the output of rules/). At most one open
 * alert (closed_at = 0) exists per rule and subject: a unique partial index
 * enforces it, so evidence that grows updates the open alert instead of
 * raising a duplicate. Read functions take a reader, write functions the db
 * of a write callback (see store.h).
 */
#ifndef FZ_STORE_ALERT_STORE_H
#define FZ_STORE_ALERT_STORE_H

#include <stddef.h>
#include <stdint.h>

struct fz_db;
struct fz_err;

struct fz_alert {
	int64_t id;
	char rule[128];
	char rule_title[160];
	char subject[64];
	char subject_kind[32];
	char level[8]; /* green, yellow, red */
	double score;
	char status[16]; /* new, acknowledged, case, dismissed */
	char region[16];
	char region_path[128];
	char *explanation; /* JSON text; owned (free with fz_alert_release) */
	int evidence;	   /* updates received */
	int64_t created_at, updated_at, level_changed_at, closed_at;
	char acted_by[64];
	int64_t acted_at;
	char reason[400];
	char case_code[64];
};

void fz_alert_release(struct fz_alert *a);

struct fz_alert_filter {
	const char *level, *rule, *status; /* NULL for any */
	const char *scope_path;		   /* region path prefix; required */
	int open_only;
	int64_t cursor; /* ids below it; 0 for the first page */
	int limit;
};

typedef int (*fz_alert_each_fn)(void *ctx, const struct fz_alert *a);

/* The open alert of rule and subject into *out: 0, or FZ_ENOTFOUND. */
int fz_store_alert_open(struct fz_db *db, const char *rule, const char *subject,
			struct fz_alert *out /* OUT */, struct fz_err *err);
int fz_store_alert_get(struct fz_db *db, int64_t id, struct fz_alert *out /* OUT */,
		       struct fz_err *err);
/* Inserts a (sets a->id). FZ_ECONFLICT when an open one exists. */
int fz_store_alert_insert(struct fz_db *db, struct fz_alert *a, struct fz_err *err);
/* Writes every column of a by id. */
int fz_store_alert_update(struct fz_db *db, const struct fz_alert *a, struct fz_err *err);
/* Newest first, in scope, filtered. */
int fz_store_alert_list(struct fz_db *db, const struct fz_alert_filter *f, fz_alert_each_fn each,
			void *ctx, struct fz_err *err);
/* Per rule: alerts raised and dismissed as false positives. */
typedef int (*fz_alert_count_fn)(void *ctx, const char *rule, int64_t total, int64_t dismissed,
				 int64_t open);
int fz_store_alert_counts(struct fz_db *db, fz_alert_count_fn each, void *ctx,
			  struct fz_err *err);

#endif

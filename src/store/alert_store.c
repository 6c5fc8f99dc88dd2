#include "store/alert_store.h"

#include "core/err.h"
#include "store/db.h"

#include <stdlib.h>
#include <string.h>

#define COLS                                                                                   \
	"id, rule, rule_title, subject, subject_kind, level, score, status, region, region_path," \
	" explanation, evidence, created_at, updated_at, level_changed_at, closed_at, acted_by,"  \
	" acted_at, reason, case_code"

void fz_alert_release(struct fz_alert *a)
{
	free(a->explanation);
	a->explanation = NULL;
}

static int read_row(sqlite3_stmt *st, struct fz_alert *a)
{
	const unsigned char *x;

	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(st, 0);
	db_text(st, 1, a->rule, sizeof(a->rule));
	db_text(st, 2, a->rule_title, sizeof(a->rule_title));
	db_text(st, 3, a->subject, sizeof(a->subject));
	db_text(st, 4, a->subject_kind, sizeof(a->subject_kind));
	db_text(st, 5, a->level, sizeof(a->level));
	a->score = sqlite3_column_double(st, 6);
	db_text(st, 7, a->status, sizeof(a->status));
	db_text(st, 8, a->region, sizeof(a->region));
	db_text(st, 9, a->region_path, sizeof(a->region_path));
	x = sqlite3_column_text(st, 10);
	if (!(a->explanation = strdup(x ? (const char *)x : "{}")))
		return FZ_ENOMEM;
	a->evidence = sqlite3_column_int(st, 11);
	a->created_at = sqlite3_column_int64(st, 12);
	a->updated_at = sqlite3_column_int64(st, 13);
	a->level_changed_at = sqlite3_column_int64(st, 14);
	a->closed_at = sqlite3_column_int64(st, 15);
	db_text(st, 16, a->acted_by, sizeof(a->acted_by));
	a->acted_at = sqlite3_column_int64(st, 17);
	db_text(st, 18, a->reason, sizeof(a->reason));
	db_text(st, 19, a->case_code, sizeof(a->case_code));
	return 0;
}

static int one(struct fz_db *db, sqlite3_stmt *st, struct fz_alert *out, struct fz_err *err)
{
	int rc = sqlite3_step(st), r2;

	if (rc == SQLITE_ROW) {
		r2 = read_row(st, out);
		sqlite3_reset(st);
		return r2;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return fz_err_set(err, FZ_ENOTFOUND, NULL, NULL, "预警不存在");
	return db_fail(db, rc, err);
}

int fz_store_alert_open(struct fz_db *db, const char *rule, const char *subject,
			struct fz_alert *out, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(
		db, "SELECT " COLS " FROM alerts WHERE rule = ?1 AND subject = ?2 AND closed_at = 0",
		err);

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_text(st, 1, rule, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
	return one(db, st, out, err);
}

int fz_store_alert_get(struct fz_db *db, int64_t id, struct fz_alert *out, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " COLS " FROM alerts WHERE id = ?1", err);

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	return one(db, st, out, err);
}

static void bind_all(sqlite3_stmt *st, const struct fz_alert *a)
{
	sqlite3_bind_text(st, 1, a->rule, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a->rule_title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, a->subject_kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, a->level, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 6, a->score);
	sqlite3_bind_text(st, 7, a->status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, a->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, a->region_path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, a->explanation ? a->explanation : "{}", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 11, a->evidence);
	sqlite3_bind_int64(st, 12, a->created_at);
	sqlite3_bind_int64(st, 13, a->updated_at);
	sqlite3_bind_int64(st, 14, a->level_changed_at);
	sqlite3_bind_int64(st, 15, a->closed_at);
	sqlite3_bind_text(st, 16, a->acted_by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 17, a->acted_at);
	sqlite3_bind_text(st, 18, a->reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 19, a->case_code, -1, SQLITE_STATIC);
}

int fz_store_alert_insert(struct fz_db *db, struct fz_alert *a, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
				   "INSERT INTO alerts(rule, rule_title, subject, subject_kind, level,"
				   " score, status, region, region_path, explanation, evidence,"
				   " created_at, updated_at, level_changed_at, closed_at, acted_by,"
				   " acted_at, reason, case_code) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
				   " ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
				   err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	bind_all(st, a);
	if ((rc = db_step_done(db, st, err)))
		return rc;
	a->id = sqlite3_last_insert_rowid(db->conn);
	return 0;
}

int fz_store_alert_update(struct fz_db *db, const struct fz_alert *a, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
				   "UPDATE alerts SET rule = ?1, rule_title = ?2, subject = ?3,"
				   " subject_kind = ?4, level = ?5, score = ?6, status = ?7, region = ?8,"
				   " region_path = ?9, explanation = ?10, evidence = ?11,"
				   " created_at = ?12, updated_at = ?13, level_changed_at = ?14,"
				   " closed_at = ?15, acted_by = ?16, acted_at = ?17, reason = ?18,"
				   " case_code = ?19 WHERE id = ?20",
				   err);

	if (!st)
		return FZ_ESTORE;
	bind_all(st, a);
	sqlite3_bind_int64(st, 20, a->id);
	return db_step_done(db, st, err);
}

int fz_store_alert_list(struct fz_db *db, const struct fz_alert_filter *f, fz_alert_each_fn each,
			void *ctx, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(
		db,
		"SELECT " COLS " FROM alerts WHERE (?1 = 0 OR id < ?1)"
		" AND substr(region_path, 1, length(?2)) = ?2"
		" AND (?3 IS NULL OR level = ?3) AND (?4 IS NULL OR rule = ?4)"
		" AND (?5 IS NULL OR status = ?5) AND (?6 = 0 OR closed_at = 0)"
		" ORDER BY id DESC LIMIT ?7",
		err);
	struct fz_alert a;
	int rc, cb = 0;

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, f->cursor);
	sqlite3_bind_text(st, 2, f->scope_path, -1, SQLITE_STATIC);
	if (f->level)
		sqlite3_bind_text(st, 3, f->level, -1, SQLITE_STATIC);
	if (f->rule)
		sqlite3_bind_text(st, 4, f->rule, -1, SQLITE_STATIC);
	if (f->status)
		sqlite3_bind_text(st, 5, f->status, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, f->open_only);
	sqlite3_bind_int(st, 7, f->limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((cb = read_row(st, &a)) == 0) {
			cb = each(ctx, &a);
			fz_alert_release(&a);
		}
		if (cb)
			break;
	}
	if (cb) {
		sqlite3_reset(st);
		return cb;
	}
	return db_finish(db, st, rc, err);
}

int fz_store_alert_counts(struct fz_db *db, fz_alert_count_fn each, void *ctx,
			  struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
				   "SELECT rule, count(*), sum(status = 'dismissed'), sum(closed_at = 0)"
				   " FROM alerts GROUP BY rule ORDER BY rule",
				   err);
	int rc, cb = 0;
	char rule[128];

	if (!st)
		return FZ_ESTORE;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		db_text(st, 0, rule, sizeof(rule));
		if ((cb = each(ctx, rule, sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
			       sqlite3_column_int64(st, 3))))
			break;
	}
	if (cb) {
		sqlite3_reset(st);
		return cb;
	}
	return db_finish(db, st, rc, err);
}

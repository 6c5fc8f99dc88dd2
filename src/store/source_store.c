/* Sources, their counters, and the quarantine (see record_store.h). */
#include "store/record_store.h"

#include "core/err.h"
#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SOURCE_COLUMNS                                                                       \
	"id, name, title, unit_id, types, key_prefix, key_hash, created_at, rotated_at,"     \
	" revoked_at, last_received_at, last_error_at, last_error"

static void source_row(sqlite3_stmt *st, struct fz_source_row *s)
{
	memset(s, 0, sizeof(*s));
	s->id = sqlite3_column_int64(st, 0);
	db_text(st, 1, s->name, sizeof(s->name));
	db_text(st, 2, s->title, sizeof(s->title));
	s->unit_id = sqlite3_column_int64(st, 3);
	db_text(st, 4, s->types, sizeof(s->types));
	db_text(st, 5, s->key_prefix, sizeof(s->key_prefix));
	db_text(st, 6, s->key_hash, sizeof(s->key_hash));
	s->created_at = sqlite3_column_int64(st, 7);
	s->rotated_at = sqlite3_column_int64(st, 8);
	s->revoked_at = sqlite3_column_int64(st, 9);
	s->last_received_at = sqlite3_column_int64(st, 10);
	s->last_error_at = sqlite3_column_int64(st, 11);
	db_text(st, 12, s->last_error, sizeof(s->last_error));
}

int fz_source_store_insert(struct fz_db *db, const struct fz_source_row *s, int64_t *id,
			   struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
				   "INSERT INTO sources(name, title, unit_id, types, key_prefix,"
				   " key_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
				   err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, s->name);
	db_bind_text(st, 2, s->title);
	sqlite3_bind_int64(st, 3, s->unit_id);
	db_bind_text(st, 4, s->types);
	db_bind_text(st, 5, s->key_prefix);
	db_bind_text(st, 6, s->key_hash);
	sqlite3_bind_int64(st, 7, s->created_at);
	rc = db_step_done(db, st, err);
	if (rc == FZ_ECONFLICT) {
		fz_err_init(err);
		return fz_err_set(err, FZ_ECONFLICT, "duplicate", "name", "数据源“%s”已存在",
				  s->name);
	}
	if (!rc)
		*id = sqlite3_last_insert_rowid(db->conn);
	return rc;
}

static int one_source(struct fz_db *db, sqlite3_stmt *st, const char *what,
		      struct fz_source_row *out, struct fz_err *err)
{
	int rc = sqlite3_step(st), found = rc == SQLITE_ROW;

	if (found)
		source_row(st, out);
	if ((rc = db_finish(db, st, rc, err)))
		return rc;
	return found ? 0
		     : fz_err_set(err, FZ_ENOTFOUND, NULL, "source", "数据源“%.64s”不存在", what);
}

int fz_source_store_get(struct fz_db *db, const char *name, struct fz_source_row *out,
			struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " SOURCE_COLUMNS " FROM sources WHERE name = ?1", err);

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, name);
	return one_source(db, st, name, out, err);
}

int fz_source_store_by_prefix(struct fz_db *db, const char *prefix, struct fz_source_row *out,
			      struct fz_err *err)
{
	sqlite3_stmt *st =
		db_stmt(db, "SELECT " SOURCE_COLUMNS " FROM sources WHERE key_prefix = ?1", err);

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, prefix);
	return one_source(db, st, prefix, out, err);
}

int fz_source_store_list(struct fz_db *db, fz_source_row_fn fn, void *ctx, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " SOURCE_COLUMNS " FROM sources ORDER BY name", err);
	struct fz_source_row s;
	int rc;

	if (!st)
		return FZ_ESTORE;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		source_row(st, &s);
		if (fn(ctx, &s))
			break;
	}
	return db_finish(db, st, rc, err);
}

int fz_source_store_set_key(struct fz_db *db, int64_t id, const char *prefix, const char *hash,
			    int64_t now, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
				   "UPDATE sources SET key_prefix = ?2, key_hash = ?3, rotated_at = ?4,"
				   " revoked_at = 0 WHERE id = ?1",
				   err);

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, prefix);
	db_bind_text(st, 3, hash);
	sqlite3_bind_int64(st, 4, now);
	return db_step_done(db, st, err);
}

int fz_source_store_revoke(struct fz_db *db, int64_t id, int64_t now, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db, "UPDATE sources SET revoked_at = ?2 WHERE id = ?1", err);

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	return db_step_done(db, st, err);
}

int fz_source_store_count(struct fz_db *db, int64_t id, const char *day, int64_t minute,
			  int64_t records, int64_t duplicates, int64_t quarantined, int64_t now,
			  struct fz_err *err)
{
	sqlite3_stmt *d = db_stmt(db,
				  "INSERT INTO source_days(source_id, day, records, duplicates,"
				  " quarantined) VALUES (?1, ?2, ?3, ?4, ?5)"
				  " ON CONFLICT(source_id, day) DO UPDATE SET"
				  " records = records + ?3, duplicates = duplicates + ?4,"
				  " quarantined = quarantined + ?5",
				  err);
	sqlite3_stmt *m, *last;
	int rc;

	if (!d)
		return FZ_ESTORE;
	sqlite3_bind_int64(d, 1, id);
	db_bind_text(d, 2, day);
	sqlite3_bind_int64(d, 3, records);
	sqlite3_bind_int64(d, 4, duplicates);
	sqlite3_bind_int64(d, 5, quarantined);
	if ((rc = db_step_done(db, d, err)))
		return rc;
	if (!records)
		return 0;
	if (!(m = db_stmt(db,
			  "INSERT INTO source_minutes(source_id, minute, records) VALUES (?1, ?2, ?3)"
			  " ON CONFLICT(source_id, minute) DO UPDATE SET records = records + ?3",
			  err)))
		return FZ_ESTORE;
	sqlite3_bind_int64(m, 1, id);
	sqlite3_bind_int64(m, 2, minute);
	sqlite3_bind_int64(m, 3, records);
	if ((rc = db_step_done(db, m, err)))
		return rc;
	if (!(last = db_stmt(db,
			     "UPDATE sources SET last_received_at = MAX(last_received_at, ?2)"
			     " WHERE id = ?1",
			     err)))
		return FZ_ESTORE;
	sqlite3_bind_int64(last, 1, id);
	sqlite3_bind_int64(last, 2, now);
	return db_step_done(db, last, err);
}

int fz_source_store_error(struct fz_db *db, int64_t id, const char *msg, int64_t now,
			  struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(
		db, "UPDATE sources SET last_error = ?2, last_error_at = ?3 WHERE id = ?1", err);

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, msg);
	sqlite3_bind_int64(st, 3, now);
	return db_step_done(db, st, err);
}

int fz_source_store_status(struct fz_db *db, int64_t id, const char *day, int64_t minute,
			   int minutes, struct fz_source_status *out, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(
		db,
		"SELECT COALESCE((SELECT records FROM source_days WHERE source_id = ?1 AND day = ?2), 0),"
		" COALESCE((SELECT duplicates FROM source_days WHERE source_id = ?1 AND day = ?2), 0),"
		" COALESCE((SELECT quarantined FROM source_days WHERE source_id = ?1 AND day = ?2), 0),"
		" COALESCE((SELECT SUM(records) FROM source_minutes WHERE source_id = ?1"
		"  AND minute > ?3 - ?4 AND minute <= ?3), 0),"
		" (SELECT COUNT(*) FROM quarantine WHERE source_id = ?1 AND status = 'open')",
		err);
	int rc;

	memset(out, 0, sizeof(*out));
	out->minutes = minutes;
	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, day);
	sqlite3_bind_int64(st, 3, minute);
	sqlite3_bind_int(st, 4, minutes);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->records_today = sqlite3_column_int64(st, 0);
		out->duplicates_today = sqlite3_column_int64(st, 1);
		out->quarantined_today = sqlite3_column_int64(st, 2);
		out->records_recent = sqlite3_column_int64(st, 3);
		out->quarantine_open = sqlite3_column_int64(st, 4);
	}
	return db_finish(db, st, rc, err);
}

/* ---- quarantine ---- */

#define QUARANTINE_COLUMNS                                                                    \
	"q.id, q.source_id, s.name, q.type, q.external_id, q.raw, q.reasons, q.received_at,"  \
	" q.day, q.status, q.handled_by, q.handled_at, q.note, q.record_id"

static void quarantine_row(sqlite3_stmt *st, struct fz_quarantine_row *q)
{
	memset(q, 0, sizeof(*q));
	q->id = sqlite3_column_int64(st, 0);
	q->source_id = sqlite3_column_int64(st, 1);
	db_text(st, 2, q->source, sizeof(q->source));
	db_text(st, 3, q->type, sizeof(q->type));
	db_text(st, 4, q->external_id, sizeof(q->external_id));
	q->raw = (const char *)sqlite3_column_text(st, 5);
	q->reasons = (const char *)sqlite3_column_text(st, 6);
	q->received_at = sqlite3_column_int64(st, 7);
	db_text(st, 8, q->day, sizeof(q->day));
	db_text(st, 9, q->status, sizeof(q->status));
	db_text(st, 10, q->handled_by, sizeof(q->handled_by));
	q->handled_at = sqlite3_column_int64(st, 11);
	db_text(st, 12, q->note, sizeof(q->note));
	q->record_id = sqlite3_column_int64(st, 13);
	if (!q->raw)
		q->raw = "";
	if (!q->reasons)
		q->reasons = "[]";
}

int fz_quarantine_store_insert(struct fz_db *db, const struct fz_quarantine_row *q, int64_t *id,
			       struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
				   "INSERT INTO quarantine(source_id, type, external_id, raw, reasons,"
				   " received_at, day) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
				   err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, q->source_id);
	db_bind_text(st, 2, q->type);
	db_bind_text(st, 3, q->external_id);
	sqlite3_bind_text(st, 4, q->raw, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, q->reasons, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, q->received_at);
	db_bind_text(st, 7, q->day);
	if (!(rc = db_step_done(db, st, err)) && id)
		*id = sqlite3_last_insert_rowid(db->conn);
	return rc;
}

int fz_quarantine_store_find(struct fz_db *db, int64_t source_id, const char *external_id,
			     const char *raw, int64_t *id, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
				   "SELECT id FROM quarantine WHERE source_id = ?1 AND external_id = ?2"
				   " AND raw = ?3 AND status = 'open' LIMIT 1",
				   err);
	int rc;

	*id = 0;
	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, source_id);
	sqlite3_bind_text(st, 2, external_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, raw, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	return db_finish(db, st, rc, err);
}

int fz_quarantine_store_list(struct fz_db *db, const struct fz_quarantine_filter *f,
			     fz_quarantine_row_fn fn, void *ctx, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
				   "SELECT " QUARANTINE_COLUMNS " FROM quarantine q"
				   " JOIN sources s ON s.id = q.source_id"
				   " WHERE (?1 IS NULL OR s.name = ?1) AND (?2 IS NULL OR q.type = ?2)"
				   " AND (?3 IS NULL OR q.day = ?3) AND (?4 IS NULL OR q.status = ?4)"
				   " AND (?5 = 0 OR q.id < ?5) ORDER BY q.id DESC LIMIT ?6",
				   err);
	const char *v[4] = { f->source, f->type, f->day, f->status };
	struct fz_quarantine_row q;
	int rc;

	if (!st)
		return FZ_ESTORE;
	for (int i = 0; i < 4; i++)
		if (v[i])
			db_bind_text(st, i + 1, v[i]);
		else
			sqlite3_bind_null(st, i + 1);
	sqlite3_bind_int64(st, 5, f->cursor);
	sqlite3_bind_int(st, 6, f->limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		quarantine_row(st, &q);
		if (fn(ctx, &q))
			break;
	}
	return db_finish(db, st, rc, err);
}

int fz_quarantine_store_get(struct fz_db *db, int64_t id, fz_quarantine_row_fn fn, void *ctx,
			    struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
				   "SELECT " QUARANTINE_COLUMNS " FROM quarantine q"
				   " JOIN sources s ON s.id = q.source_id WHERE q.id = ?1",
				   err);
	struct fz_quarantine_row q;
	int rc, found = 0, cb = 0;

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		found = 1;
		quarantine_row(st, &q);
		cb = fn(ctx, &q);
	}
	if ((rc = db_finish(db, st, rc, err)))
		return rc;
	if (!found)
		return fz_err_set(err, FZ_ENOTFOUND, NULL, "id", "隔离记录 %lld 不存在",
				  (long long)id);
	return cb;
}

int fz_quarantine_store_update(struct fz_db *db, const struct fz_quarantine_row *q,
			       struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
				   "UPDATE quarantine SET raw = ?2, reasons = ?3, status = ?4,"
				   " handled_by = ?5, handled_at = ?6, note = ?7, record_id = ?8"
				   " WHERE id = ?1",
				   err);

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, q->id);
	db_bind_text(st, 2, q->raw);
	db_bind_text(st, 3, q->reasons);
	db_bind_text(st, 4, q->status);
	db_bind_text(st, 5, q->handled_by);
	sqlite3_bind_int64(st, 6, q->handled_at);
	db_bind_text(st, 7, q->note);
	sqlite3_bind_int64(st, 8, q->record_id);
	return db_step_done(db, st, err);
}

int fz_quarantine_store_counts(struct fz_db *db, const char *since,
			       int (*fn)(void *ctx, const char *source, const char *day, int64_t n),
			       void *ctx, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
				   "SELECT s.name, q.day, COUNT(*) FROM quarantine q"
				   " JOIN sources s ON s.id = q.source_id WHERE q.day >= ?1"
				   " GROUP BY s.name, q.day ORDER BY q.day DESC, s.name",
				   err);
	char name[64], day[11];
	int rc;

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, since ? since : "");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		db_text(st, 0, name, sizeof(name));
		db_text(st, 1, day, sizeof(day));
		if (fn(ctx, name, day, sqlite3_column_int64(st, 2)))
			break;
	}
	return db_finish(db, st, rc, err);
}

int fz_quarantine_store_discard(struct fz_db *db, int64_t id, const char *who, int64_t now,
				const char *note, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
				   "UPDATE quarantine SET status = 'discarded', handled_by = ?2,"
				   " handled_at = ?3, note = ?4 WHERE id = ?1 AND status = 'open'",
				   err);
	sqlite3_stmt *ex;
	int rc, found = 0;

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, who);
	sqlite3_bind_int64(st, 3, now);
	db_bind_text(st, 4, note);
	if ((rc = db_step_done(db, st, err)))
		return rc;
	if (sqlite3_changes(db->conn) == 1)
		return 0;
	if (!(ex = db_stmt(db, "SELECT 1 FROM quarantine WHERE id = ?1", err)))
		return FZ_ESTORE;
	sqlite3_bind_int64(ex, 1, id);
	rc = sqlite3_step(ex);
	found = rc == SQLITE_ROW;
	if ((rc = db_finish(db, ex, rc, err)))
		return rc;
	return found ? fz_err_set(err, FZ_ECONFLICT, "not_open", "status",
				  "隔离记录 %lld 已处理，不能再放弃", (long long)id)
		     : fz_err_set(err, FZ_ENOTFOUND, NULL, "id", "隔离记录 %lld 不存在",
				  (long long)id);
}

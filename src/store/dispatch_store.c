#include "store/dispatch_store.h"

#include "core/err.h"
#include "store/db.h"

#include <stdio.h>
#include <string.h>

#define EV_COLS                                                                                    \
	"SELECT e.id, e.kind, e.title, e.record_id, e.source, e.device, e.place, e.plate,"         \
	" e.lane, e.snapshot_ref, e.dedup_key, e.region, e.region_path, e.lon, e.lat,"             \
	" e.unit_id, e.escalated_unit_id, e.status, e.at, e.received_at, e.last_seen_at,"          \
	" e.dwell_s, e.sightings, e.due_at, e.acked_at, e.acked_by, e.cleared_at,"                 \
	" e.cleared_by, e.clear_how, e.clear_note, e.escalated_at, e.case_code,"                   \
	" coalesce(u.name, ''), coalesce(x.name, ''), coalesce(r.name, ''), e.level, e.detail"     \
	" FROM dispatch_events e LEFT JOIN units u ON u.id = e.unit_id"                            \
	" LEFT JOIN units x ON x.id = e.escalated_unit_id"                                         \
	" LEFT JOIN regions r ON r.code = e.region "

static void read_ev(sqlite3_stmt *st, struct fz_dispatch_event *e)
{
	memset(e, 0, sizeof(*e));
	e->id = sqlite3_column_int64(st, 0);
	db_text(st, 1, e->kind, sizeof(e->kind));
	db_text(st, 2, e->title, sizeof(e->title));
	e->record_id = sqlite3_column_int64(st, 3);
	db_text(st, 4, e->source, sizeof(e->source));
	db_text(st, 5, e->device, sizeof(e->device));
	db_text(st, 6, e->place, sizeof(e->place));
	db_text(st, 7, e->plate, sizeof(e->plate));
	db_text(st, 8, e->lane, sizeof(e->lane));
	db_text(st, 9, e->snapshot_ref, sizeof(e->snapshot_ref));
	db_text(st, 10, e->dedup_key, sizeof(e->dedup_key));
	db_text(st, 11, e->region, sizeof(e->region));
	db_text(st, 12, e->region_path, sizeof(e->region_path));
	e->has_location = sqlite3_column_type(st, 13) != SQLITE_NULL;
	e->lon = sqlite3_column_double(st, 13);
	e->lat = sqlite3_column_double(st, 14);
	e->unit_id = sqlite3_column_int64(st, 15);
	e->escalated_unit_id = sqlite3_column_int64(st, 16);
	db_text(st, 17, e->status, sizeof(e->status));
	e->at = sqlite3_column_int64(st, 18);
	e->received_at = sqlite3_column_int64(st, 19);
	e->last_seen_at = sqlite3_column_int64(st, 20);
	e->dwell_s = sqlite3_column_int64(st, 21);
	e->sightings = sqlite3_column_int64(st, 22);
	e->due_at = sqlite3_column_int64(st, 23);
	e->acked_at = sqlite3_column_int64(st, 24);
	db_text(st, 25, e->acked_by, sizeof(e->acked_by));
	e->cleared_at = sqlite3_column_int64(st, 26);
	db_text(st, 27, e->cleared_by, sizeof(e->cleared_by));
	db_text(st, 28, e->clear_how, sizeof(e->clear_how));
	db_text(st, 29, e->clear_note, sizeof(e->clear_note));
	e->escalated_at = sqlite3_column_int64(st, 30);
	db_text(st, 31, e->case_code, sizeof(e->case_code));
	db_text(st, 32, e->unit_name, sizeof(e->unit_name));
	db_text(st, 33, e->escalated_unit_name, sizeof(e->escalated_unit_name));
	db_text(st, 34, e->region_name, sizeof(e->region_name));
	db_text(st, 35, e->level, sizeof(e->level));
	db_text(st, 36, e->detail, sizeof(e->detail));
}

int fz_store_dispatch_insert(struct fz_db *db, struct fz_dispatch_event *ev, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(
		db,
		"INSERT INTO dispatch_events(kind, title, record_id, source, device, place, plate,"
		" lane, snapshot_ref, dedup_key, region, region_path, lon, lat, unit_id, status, at,"
		" received_at, last_seen_at, dwell_s, sightings, due_at, level, detail) VALUES (?1,"
		" ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,"
		" ?20, ?21, ?22, ?23, ?24)",
		err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, ev->kind);
	db_bind_text(st, 2, ev->title);
	sqlite3_bind_int64(st, 3, ev->record_id);
	db_bind_text(st, 4, ev->source);
	db_bind_text(st, 5, ev->device);
	db_bind_text(st, 6, ev->place);
	db_bind_text(st, 7, ev->plate);
	db_bind_text(st, 8, ev->lane);
	db_bind_text(st, 9, ev->snapshot_ref);
	db_bind_text(st, 10, ev->dedup_key);
	db_bind_text(st, 11, ev->region);
	db_bind_text(st, 12, ev->region_path);
	if (ev->has_location) {
		sqlite3_bind_double(st, 13, ev->lon);
		sqlite3_bind_double(st, 14, ev->lat);
	}
	sqlite3_bind_int64(st, 15, ev->unit_id);
	db_bind_text(st, 16, ev->status);
	sqlite3_bind_int64(st, 17, ev->at);
	sqlite3_bind_int64(st, 18, ev->received_at);
	sqlite3_bind_int64(st, 19, ev->last_seen_at);
	sqlite3_bind_int64(st, 20, ev->dwell_s);
	sqlite3_bind_int64(st, 21, ev->sightings);
	sqlite3_bind_int64(st, 22, ev->due_at);
	db_bind_text(st, 23, ev->level);
	db_bind_text(st, 24, ev->detail[0] ? ev->detail : "{}");
	rc = db_step_done(db, st, err);
	if (!rc)
		ev->id = sqlite3_last_insert_rowid(db->conn);
	return rc;
}

static int one(struct fz_db *db, sqlite3_stmt *st, struct fz_dispatch_event *out,
	       struct fz_err *err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		read_ev(st, out);
		sqlite3_reset(st);
		return 0;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return FZ_ENOTFOUND;
	return db_fail(db, rc, err);
}

int fz_store_dispatch_find_open(struct fz_db *db, const char *dedup_key, int64_t since,
				struct fz_dispatch_event *out, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
				   EV_COLS "WHERE e.dedup_key = ?1 AND e.cleared_at = 0"
					   " AND e.last_seen_at >= ?2 ORDER BY e.id DESC LIMIT 1",
				   err);

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, dedup_key);
	sqlite3_bind_int64(st, 2, since);
	return one(db, st, out, err);
}

int fz_store_dispatch_get(struct fz_db *db, int64_t id, struct fz_dispatch_event *out,
			  struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db, EV_COLS "WHERE e.id = ?1", err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	rc = one(db, st, out, err);
	if (rc == FZ_ENOTFOUND)
		fz_err_set(err, FZ_ENOTFOUND, NULL, "id", "现场事件 %lld 不存在", (long long)id);
	return rc;
}

int fz_store_dispatch_update(struct fz_db *db, const struct fz_dispatch_event *ev,
			     struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(
		db,
		"UPDATE dispatch_events SET last_seen_at = ?2, dwell_s = ?3, sightings = ?4,"
		" status = ?5, acked_at = ?6, acked_by = ?7, cleared_at = ?8, cleared_by = ?9,"
		" clear_how = ?10, clear_note = ?11, escalated_at = ?12, escalated_unit_id = ?13,"
		" case_code = ?14 WHERE id = ?1",
		err);

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, ev->id);
	sqlite3_bind_int64(st, 2, ev->last_seen_at);
	sqlite3_bind_int64(st, 3, ev->dwell_s);
	sqlite3_bind_int64(st, 4, ev->sightings);
	db_bind_text(st, 5, ev->status);
	sqlite3_bind_int64(st, 6, ev->acked_at);
	db_bind_text(st, 7, ev->acked_by);
	sqlite3_bind_int64(st, 8, ev->cleared_at);
	db_bind_text(st, 9, ev->cleared_by);
	db_bind_text(st, 10, ev->clear_how);
	db_bind_text(st, 11, ev->clear_note);
	sqlite3_bind_int64(st, 12, ev->escalated_at);
	sqlite3_bind_int64(st, 13, ev->escalated_unit_id);
	db_bind_text(st, 14, ev->case_code);
	return db_step_done(db, st, err);
}

static int each_row(struct fz_db *db, sqlite3_stmt *st, fz_dispatch_each_fn each, void *ctx,
		    struct fz_err *err)
{
	struct fz_dispatch_event ev;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_ev(st, &ev);
		if (each(ctx, &ev))
			break;
	}
	return db_finish(db, st, rc, err);
}

int fz_store_dispatch_list(struct fz_db *db, const struct fz_dispatch_filter *f,
			   fz_dispatch_each_fn each, void *ctx, struct fz_err *err)
{
	sqlite3_stmt *st =
		db_stmt(db,
			EV_COLS "WHERE ((?1 != 0 AND (e.unit_id = ?1 OR e.escalated_unit_id = ?1))"
				" OR (?2 IS NOT NULL AND e.region_path LIKE ?2 || '%'))"
				" AND (?3 = 0 OR e.cleared_at = 0) AND (?4 = 0 OR e.id < ?4)"
				" ORDER BY e.id DESC LIMIT ?5",
			err);

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, f->unit_id);
	if (f->region_path)
		db_bind_text(st, 2, f->region_path);
	sqlite3_bind_int(st, 3, f->open_only);
	sqlite3_bind_int64(st, 4, f->before_id);
	sqlite3_bind_int(st, 5, f->limit);
	return each_row(db, st, each, ctx, err);
}

int fz_store_dispatch_due(struct fz_db *db, int64_t now, int limit, fz_dispatch_each_fn each,
			  void *ctx, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
				   EV_COLS "WHERE e.cleared_at = 0 AND e.escalated_at = 0"
					   " AND e.due_at > 0 AND e.due_at <= ?1 ORDER BY e.due_at, e.id LIMIT ?2",
				   err);

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int(st, 2, limit);
	return each_row(db, st, each, ctx, err);
}

int fz_store_dispatch_stats(struct fz_db *db, int64_t unit_id, const char *region_path,
			    int64_t from, int64_t to, fz_dispatch_day_fn each, void *ctx,
			    struct fz_err *err)
{
	/* Days in Asia/Shanghai (UTC+8, no daylight saving). */
	sqlite3_stmt *st =
		db_stmt(db,
			"SELECT e.unit_id, coalesce(u.name, ''),"
			" date((e.at + 28800000) / 1000, 'unixepoch') AS day, count(*),"
			" sum(e.acked_at != 0), sum(e.cleared_at != 0), sum(e.escalated_at != 0),"
			" avg(CASE WHEN e.acked_at != 0 THEN (e.acked_at - e.at) / 1000.0 END),"
			" max(CASE WHEN e.acked_at != 0 THEN (e.acked_at - e.at) / 1000.0 END),"
			" avg(CASE WHEN e.cleared_at != 0 THEN (e.cleared_at - e.at) / 1000.0 END),"
			" max(CASE WHEN e.cleared_at != 0 THEN (e.cleared_at - e.at) / 1000.0 END)"
			" FROM dispatch_events e LEFT JOIN units u ON u.id = e.unit_id"
			" WHERE e.at >= ?3 AND e.at < ?4 AND ((?1 != 0 AND e.unit_id = ?1)"
			" OR (?1 = 0 AND ?2 IS NOT NULL AND e.region_path LIKE ?2 || '%'))"
			" GROUP BY e.unit_id, day ORDER BY day, e.unit_id LIMIT 1000",
			err);
	struct fz_dispatch_day d;
	int rc;

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, unit_id);
	if (region_path)
		db_bind_text(st, 2, region_path);
	sqlite3_bind_int64(st, 3, from);
	sqlite3_bind_int64(st, 4, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&d, 0, sizeof(d));
		d.unit_id = sqlite3_column_int64(st, 0);
		db_text(st, 1, d.unit_name, sizeof(d.unit_name));
		db_text(st, 2, d.day, sizeof(d.day));
		d.events = sqlite3_column_int64(st, 3);
		d.acked = sqlite3_column_int64(st, 4);
		d.cleared = sqlite3_column_int64(st, 5);
		d.escalated = sqlite3_column_int64(st, 6);
		d.ack_avg_s = sqlite3_column_double(st, 7);
		d.ack_max_s = sqlite3_column_double(st, 8);
		d.clear_avg_s = sqlite3_column_double(st, 9);
		d.clear_max_s = sqlite3_column_double(st, 10);
		if (each(ctx, &d))
			break;
	}
	return db_finish(db, st, rc, err);
}

int64_t fz_store_dispatch_unit_at(struct fz_db *db, const char *region, const char *kind)
{
	sqlite3_stmt *st = db_stmt(
		db, "SELECT id FROM units WHERE region = ?1 AND kind = ?2 ORDER BY id LIMIT 1",
		NULL);
	int64_t id = 0;

	if (!st)
		return 0;
	db_bind_text(st, 1, region);
	db_bind_text(st, 2, kind);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return id;
}

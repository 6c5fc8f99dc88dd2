#include "store/correction_store.h"

#include "core/err.h"
#include "store/db.h"

#include <stdio.h>
#include <string.h>

int fz_store_correction_person_put(struct fz_db *db, const struct fz_correction_row *r,
				   struct fz_err *err)
{
	sqlite3_stmt *st =
		db_stmt(db,
			"INSERT INTO correction_people(id, masked_id, name, township,"
			" region_path, device, office_unit_id, since, home_lon, home_lat,"
			" prohibited) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
			err);

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, r->id);
	db_bind_text(st, 2, r->masked_id);
	db_bind_text(st, 3, r->name);
	db_bind_text(st, 4, r->township);
	db_bind_text(st, 5, r->region_path);
	db_bind_text(st, 6, r->device);
	sqlite3_bind_int64(st, 7, r->office_unit_id);
	sqlite3_bind_int64(st, 8, r->since);
	sqlite3_bind_double(st, 9, r->home_lon);
	sqlite3_bind_double(st, 10, r->home_lat);
	db_bind_text(st, 11, r->prohibited);
	return db_step_done(db, st, err);
}

static void read_person(sqlite3_stmt *st, struct fz_correction_row *r)
{
	memset(r, 0, sizeof(*r));
	db_text(st, 0, r->id, sizeof(r->id));
	db_text(st, 1, r->masked_id, sizeof(r->masked_id));
	db_text(st, 2, r->name, sizeof(r->name));
	db_text(st, 3, r->township, sizeof(r->township));
	db_text(st, 4, r->region_path, sizeof(r->region_path));
	db_text(st, 5, r->device, sizeof(r->device));
	r->office_unit_id = sqlite3_column_int64(st, 6);
	r->since = sqlite3_column_int64(st, 7);
	r->home_lon = sqlite3_column_double(st, 8);
	r->home_lat = sqlite3_column_double(st, 9);
	db_text(st, 10, r->prohibited, sizeof(r->prohibited));
}

int fz_store_correction_person_get(struct fz_db *db, const char *id, struct fz_correction_row *out,
				   struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
				   "SELECT id, masked_id, name, township, region_path, device,"
				   " office_unit_id, since, home_lon, home_lat, prohibited"
				   " FROM correction_people WHERE id = ?1",
				   err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		read_person(st, out);
	else if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return fz_err_set(err, FZ_ENOTFOUND, NULL, "person_id",
				  "person_id: 矫正对象 %.31s 不存在", id);
	}
	return db_finish(db, st, rc, err);
}

int fz_store_correction_people(struct fz_db *db, const char *scope_path, fz_correction_row_fn fn,
			       void *ctx, struct fz_err *err)
{
	sqlite3_stmt *st =
		db_stmt(db,
			"SELECT id, masked_id, name, township, region_path, device,"
			" office_unit_id, since, home_lon, home_lat, prohibited"
			" FROM correction_people WHERE substr(region_path, 1, length(?1)) = ?1"
			" ORDER BY id",
			err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, scope_path);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct fz_correction_row r;
		read_person(st, &r);
		if (fn(ctx, &r))
			break;
	}
	return db_finish(db, st, rc, err);
}

int fz_store_correction_violation_add(struct fz_db *db, struct fz_violation_row *r,
				      struct fz_err *err)
{
	sqlite3_stmt *st =
		db_stmt(db,
			"INSERT INTO correction_violations(person_id, kind, at, since, lon,"
			" lat, detail, sanction, sanction_title, basis, office_unit_id,"
			" region_path) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
			err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, r->person_id);
	db_bind_text(st, 2, r->kind);
	sqlite3_bind_int64(st, 3, r->at);
	sqlite3_bind_int64(st, 4, r->since);
	sqlite3_bind_double(st, 5, r->lon);
	sqlite3_bind_double(st, 6, r->lat);
	db_bind_text(st, 7, r->detail);
	db_bind_text(st, 8, r->sanction);
	db_bind_text(st, 9, r->sanction_title);
	db_bind_text(st, 10, r->basis);
	sqlite3_bind_int64(st, 11, r->office_unit_id);
	db_bind_text(st, 12, r->region_path);
	if (!(rc = db_step_done(db, st, err)))
		r->id = sqlite3_last_insert_rowid(db->conn);
	return rc;
}

static void read_violation(sqlite3_stmt *st, struct fz_violation_row *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	db_text(st, 1, r->person_id, sizeof(r->person_id));
	db_text(st, 2, r->kind, sizeof(r->kind));
	r->at = sqlite3_column_int64(st, 3);
	r->since = sqlite3_column_int64(st, 4);
	r->lon = sqlite3_column_double(st, 5);
	r->lat = sqlite3_column_double(st, 6);
	db_text(st, 7, r->detail, sizeof(r->detail));
	db_text(st, 8, r->sanction, sizeof(r->sanction));
	db_text(st, 9, r->sanction_title, sizeof(r->sanction_title));
	db_text(st, 10, r->basis, sizeof(r->basis));
	r->office_unit_id = sqlite3_column_int64(st, 11);
	db_text(st, 12, r->region_path, sizeof(r->region_path));
}

int fz_store_correction_violation_set_alert(struct fz_db *db, int64_t id, int64_t alert_id,
					    struct fz_err *err)
{
	sqlite3_stmt *st =
		db_stmt(db, "UPDATE correction_violations SET alert_id = ?2 WHERE id = ?1", err);

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, alert_id);
	return db_step_done(db, st, err);
}

int fz_store_correction_violation_list(struct fz_db *db, const struct fz_violation_filter *f,
				       fz_violation_row_fn fn, void *ctx, struct fz_err *err)
{
	/* handled: the alert it fed was closed (made a case or dismissed), or
	 * a decision names it */
	sqlite3_stmt *st = db_stmt(
		db,
		"SELECT * FROM (SELECT v.id, v.person_id, v.kind, v.at, v.since, v.lon, v.lat,"
		" v.detail, v.sanction, v.sanction_title, v.basis, v.office_unit_id,"
		" v.region_path, v.alert_id, coalesce(a.status, ''), coalesce(a.case_code, ''),"
		" (coalesce(a.closed_at, 0) != 0 OR EXISTS (SELECT 1 FROM correction_sanctions s"
		"   WHERE s.violation_id = v.id)) AS handled"
		" FROM correction_violations v LEFT JOIN alerts a ON a.id = v.alert_id"
		" WHERE substr(v.region_path, 1, length(?1)) = ?1"
		" AND (?2 = '' OR v.person_id = ?2) AND (?3 = '' OR v.kind = ?3)"
		" AND (?4 = 0 OR v.at >= ?4) AND (?5 = 0 OR v.at < ?5)"
		" AND (?6 = 0 OR v.id < ?6))"
		" WHERE ?7 < 0 OR handled = ?7 ORDER BY id DESC LIMIT ?8",
		err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, f->scope_path);
	db_bind_text(st, 2, f->person_id ? f->person_id : "");
	db_bind_text(st, 3, f->kind ? f->kind : "");
	sqlite3_bind_int64(st, 4, f->since);
	sqlite3_bind_int64(st, 5, f->until);
	sqlite3_bind_int64(st, 6, f->before_id);
	sqlite3_bind_int(st, 7, f->handled);
	sqlite3_bind_int(st, 8, f->limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct fz_violation_row r;
		read_violation(st, &r);
		r.alert_id = sqlite3_column_int64(st, 13);
		db_text(st, 14, r.alert_status, sizeof(r.alert_status));
		db_text(st, 15, r.case_code, sizeof(r.case_code));
		r.handled = sqlite3_column_int(st, 16);
		if (fn(ctx, &r))
			break;
	}
	return db_finish(db, st, rc, err);
}

int fz_store_correction_counts(struct fz_db *db, const char *person_id, int *admonitions,
			       int *warnings, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
				   "SELECT sum(sanction = 'admonition'), sum(sanction = 'warning')"
				   " FROM correction_sanctions WHERE person_id = ?1",
				   err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, person_id);
	rc = sqlite3_step(st);
	*admonitions = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	*warnings = rc == SQLITE_ROW ? sqlite3_column_int(st, 1) : 0;
	return db_finish(db, st, rc, err);
}

int fz_store_correction_leaves(struct fz_db *db, int64_t after, fz_leave_row_fn fn, void *ctx,
			       struct fz_err *err)
{
	sqlite3_stmt *st =
		db_stmt(db,
			"SELECT fields, updated_at FROM cases WHERE type = 'correction_leave'"
			" AND state = 'approved' AND updated_at > ?1 ORDER BY updated_at",
			err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, after);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(ctx, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1)))
			break;
	return db_finish(db, st, rc, err);
}

int fz_store_correction_order_add(struct fz_db *db, const char *person_id, const char *approved_by,
				  int64_t start, int64_t end, int64_t previous_end,
				  int64_t reassessed_at, int64_t now, int64_t *id,
				  struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
				   "INSERT INTO correction_orders(person_id, approved_by, start_at,"
				   " end_at, previous_end, reassessed_at, created_at)"
				   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
				   err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, person_id);
	db_bind_text(st, 2, approved_by);
	sqlite3_bind_int64(st, 3, start);
	sqlite3_bind_int64(st, 4, end);
	sqlite3_bind_int64(st, 5, previous_end);
	sqlite3_bind_int64(st, 6, reassessed_at);
	sqlite3_bind_int64(st, 7, now);
	if (!(rc = db_step_done(db, st, err)))
		*id = sqlite3_last_insert_rowid(db->conn);
	return rc;
}

int fz_store_correction_violation_get(struct fz_db *db, int64_t id, struct fz_violation_row *out,
				      struct fz_err *err)
{
	sqlite3_stmt *st =
		db_stmt(db,
			"SELECT id, person_id, kind, at, since, lon, lat, detail, sanction,"
			" sanction_title, basis, office_unit_id, region_path"
			" FROM correction_violations WHERE id = ?1",
			err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		read_violation(st, out);
	else if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return fz_err_set(err, FZ_ENOTFOUND, NULL, "violation_id",
				  "violation_id: 违规记录 %lld 不存在", (long long)id);
	}
	return db_finish(db, st, rc, err);
}

int fz_store_correction_sanction_add(struct fz_db *db, struct fz_sanction_row *r,
				     struct fz_err *err)
{
	sqlite3_stmt *st =
		db_stmt(db,
			"INSERT INTO correction_sanctions(person_id, sanction, title, violation_id,"
			" note, decided_by, decided_at, region_path, case_code)"
			" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
			err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, r->person_id);
	db_bind_text(st, 2, r->sanction);
	db_bind_text(st, 3, r->title);
	sqlite3_bind_int64(st, 4, r->violation_id);
	db_bind_text(st, 5, r->note);
	db_bind_text(st, 6, r->decided_by);
	sqlite3_bind_int64(st, 7, r->decided_at);
	db_bind_text(st, 8, r->region_path);
	db_bind_text(st, 9, r->case_code);
	if (!(rc = db_step_done(db, st, err)))
		r->id = sqlite3_last_insert_rowid(db->conn);
	return rc;
}

int fz_store_correction_sanctions(struct fz_db *db, const char *person_id, fz_sanction_row_fn fn,
				  void *ctx, struct fz_err *err)
{
	sqlite3_stmt *st =
		db_stmt(db,
			"SELECT id, person_id, sanction, title, violation_id, note,"
			" decided_by, decided_at, region_path, case_code FROM correction_sanctions"
			" WHERE person_id = ?1 ORDER BY id DESC",
			err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, person_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct fz_sanction_row r;
		memset(&r, 0, sizeof(r));
		r.id = sqlite3_column_int64(st, 0);
		db_text(st, 1, r.person_id, sizeof(r.person_id));
		db_text(st, 2, r.sanction, sizeof(r.sanction));
		db_text(st, 3, r.title, sizeof(r.title));
		r.violation_id = sqlite3_column_int64(st, 4);
		db_text(st, 5, r.note, sizeof(r.note));
		db_text(st, 6, r.decided_by, sizeof(r.decided_by));
		r.decided_at = sqlite3_column_int64(st, 7);
		db_text(st, 8, r.region_path, sizeof(r.region_path));
		db_text(st, 9, r.case_code, sizeof(r.case_code));
		if (fn(ctx, &r))
			break;
	}
	return db_finish(db, st, rc, err);
}

int fz_store_correction_orders(struct fz_db *db, fz_order_row_fn fn, void *ctx, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
				   "SELECT person_id, start_at, end_at FROM correction_orders"
				   " ORDER BY id",
				   err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(ctx, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1),
		       sqlite3_column_int64(st, 2)))
			break;
	return db_finish(db, st, rc, err);
}

#include "store/registry_store.h"

#include "core/err.h"
#include "store/db.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* After a query that reads one row: SQLITE_ROW → 0, none → FZ_ENOTFOUND. */
static int one_row(struct fz_db *db, int rc, const char *what, const char *key, struct fz_err *err)
{
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return fz_err_set(err, FZ_ENOTFOUND, NULL, NULL, "%s %s 不存在", what, key);
	return db_fail(db, rc, err);
}

/* ---- regions ---- */

static void read_region(sqlite3_stmt *st, struct fz_region *r)
{
	db_text(st, 0, r->code, sizeof(r->code));
	db_text(st, 1, r->parent, sizeof(r->parent));
	db_text(st, 2, r->level, sizeof(r->level));
	db_text(st, 3, r->name, sizeof(r->name));
	db_text(st, 4, r->path, sizeof(r->path));
	r->children = sqlite3_column_int(st, 5);
}

int fz_store_region_get(struct fz_db *db, const char *code, struct fz_region *out,
			struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(
		db, "SELECT code, parent, level, name, path, children FROM regions WHERE code = ?1",
		err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, code);
	rc = one_row(db, sqlite3_step(st), "区划", code, err);
	if (!rc)
		read_region(st, out);
	sqlite3_reset(st);
	return rc;
}

int fz_store_region_children(struct fz_db *db, const char *code, fz_region_each_fn each, void *ctx,
			     struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
				   "SELECT code, parent, level, name, path, children FROM regions"
				   " WHERE parent = ?1 ORDER BY code",
				   err);
	struct fz_region r;
	int rc;

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, code);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_region(st, &r);
		if (each(ctx, &r))
			break;
	}
	return db_finish(db, st, rc, err);
}

int fz_store_region_all(struct fz_db *db, fz_region_each_fn each, void *ctx, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(
		db, "SELECT code, parent, level, name, path, children FROM regions ORDER BY code",
		err);
	struct fz_region r;
	int rc;

	if (!st)
		return FZ_ESTORE;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_region(st, &r);
		if (each(ctx, &r)) {
			sqlite3_reset(st);
			return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "无法载入区划");
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, rc, err);
}

int fz_store_region_put(struct fz_db *db, const struct fz_region *r, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(
		db,
		"INSERT INTO regions(code, parent, level, name, path) VALUES (?1, ?2, ?3, ?4, '')"
		" ON CONFLICT(code) DO UPDATE SET parent = ?2, level = ?3, name = ?4",
		err);

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, r->code);
	if (r->parent[0])
		db_bind_text(st, 2, r->parent);
	db_bind_text(st, 3, r->level);
	db_bind_text(st, 4, r->name);
	return db_step_done(db, st, err);
}

int fz_store_region_finish(struct fz_db *db, struct fz_err *err)
{
	/* Paths top-down (the tree is at most 5 deep), then child counts. */
	return db_exec(
		db,
		"WITH RECURSIVE t(code, path) AS ("
		"  SELECT code, '/' || code || '/' FROM regions WHERE parent IS NULL"
		"  UNION ALL SELECT r.code, t.path || r.code || '/' FROM regions r"
		"  JOIN t ON r.parent = t.code)"
		" UPDATE regions SET path = (SELECT path FROM t WHERE t.code = regions.code);"
		"UPDATE regions SET children ="
		" (SELECT count(*) FROM regions c WHERE c.parent = regions.code);",
		err);
}

int fz_store_region_count(struct fz_db *db, int64_t *out, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT count(*) FROM regions", err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : db_fail(db, rc, err);
}

/* ---- boundaries ---- */

int fz_store_boundary_get(struct fz_db *db, const char *code, char **out, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT geojson FROM boundaries WHERE code = ?1", err);
	int rc;

	*out = NULL;
	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, code);
	rc = one_row(db, sqlite3_step(st), "边界", code, err);
	if (!rc) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		*out = strdup(t ? t : "");
		if (!*out)
			rc = FZ_ENOMEM;
	}
	sqlite3_reset(st);
	return rc;
}

int fz_store_boundary_put(struct fz_db *db, const char *code, const char *geojson,
			  const char *source, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(
		db, "INSERT OR REPLACE INTO boundaries(code, geojson, source) VALUES (?1, ?2, ?3)",
		err);

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, code);
	db_bind_text(st, 2, geojson);
	db_bind_text(st, 3, source);
	return db_step_done(db, st, err);
}

/* ---- units ---- */

#define UNIT_COLS                                                                                  \
	"SELECT u.id, u.name, u.kind, u.region, r.name, r.level, r.path,"                          \
	" u.created_at, u.updated_at FROM units u JOIN regions r ON r.code = u.region "

static void read_unit(sqlite3_stmt *st, struct fz_unit *u)
{
	u->id = sqlite3_column_int64(st, 0);
	db_text(st, 1, u->name, sizeof(u->name));
	db_text(st, 2, u->kind, sizeof(u->kind));
	db_text(st, 3, u->region, sizeof(u->region));
	db_text(st, 4, u->region_name, sizeof(u->region_name));
	db_text(st, 5, u->region_level, sizeof(u->region_level));
	db_text(st, 6, u->region_path, sizeof(u->region_path));
	u->created_at = sqlite3_column_int64(st, 7);
	u->updated_at = sqlite3_column_int64(st, 8);
}

int fz_store_unit_get(struct fz_db *db, int64_t id, struct fz_unit *out, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db, UNIT_COLS "WHERE u.id = ?1", err);
	char key[24];
	int rc;

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	snprintf(key, sizeof(key), "%lld", (long long)id);
	rc = one_row(db, sqlite3_step(st), "单位", key, err);
	if (!rc)
		read_unit(st, out);
	sqlite3_reset(st);
	return rc;
}

int fz_store_unit_list(struct fz_db *db, const struct fz_unit_filter *f, fz_unit_each_fn each,
		       void *ctx, struct fz_err *err)
{
	sqlite3_stmt *st =
		db_stmt(db,
			UNIT_COLS
			"WHERE r.path LIKE ?1 || '%' AND (?2 IS NULL OR r.path LIKE ?2 || '%')"
			" AND (?3 IS NULL OR u.kind = ?3) AND (?4 IS NULL OR instr(u.name, ?4) > 0)"
			" AND u.id > ?5 ORDER BY u.id LIMIT ?6",
			err);
	struct fz_unit u;
	int rc;

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, f->scope_path);
	if (f->region_path)
		db_bind_text(st, 2, f->region_path);
	if (f->kind)
		db_bind_text(st, 3, f->kind);
	if (f->q)
		db_bind_text(st, 4, f->q);
	sqlite3_bind_int64(st, 5, f->after_id);
	sqlite3_bind_int(st, 6, f->limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_unit(st, &u);
		if (each(ctx, &u))
			break;
	}
	return db_finish(db, st, rc, err);
}

int fz_store_unit_insert(struct fz_db *db, struct fz_unit *u, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
				   "INSERT INTO units(name, kind, region, created_at, updated_at)"
				   " VALUES (?1, ?2, ?3, ?4, ?4)",
				   err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, u->name);
	db_bind_text(st, 2, u->kind);
	db_bind_text(st, 3, u->region);
	sqlite3_bind_int64(st, 4, u->created_at);
	rc = db_step_done(db, st, err);
	if (rc == FZ_ECONFLICT) {
		fz_err_init(err);
		return fz_err_set(err, FZ_ECONFLICT, NULL, "name",
				  "name: 区划 %s 下已有名为“%s”的单位", u->region, u->name);
	}
	if (!rc)
		u->id = sqlite3_last_insert_rowid(db->conn);
	return rc;
}

int fz_store_unit_update(struct fz_db *db, const struct fz_unit *u, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(
		db, "UPDATE units SET name = ?2, kind = ?3, updated_at = ?4 WHERE id = ?1", err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, u->id);
	db_bind_text(st, 2, u->name);
	db_bind_text(st, 3, u->kind);
	sqlite3_bind_int64(st, 4, u->updated_at);
	rc = db_step_done(db, st, err);
	if (rc == FZ_ECONFLICT) {
		fz_err_init(err);
		return fz_err_set(err, FZ_ECONFLICT, NULL, "name",
				  "name: 区划 %s 下已有名为“%s”的单位", u->region, u->name);
	}
	return rc;
}

/* ---- users ---- */

#define USER_COLS                                                                                  \
	"SELECT s.id, s.username, s.display_name, s.password_hash, s.unit_id,"                     \
	" u.name, u.kind, ur.path, s.roles, s.scope, sr.name, sr.level, sr.path,"                  \
	" s.phone, s.disabled, s.failed_count, s.failed_since, s.locked_until,"                    \
	" s.created_at, s.updated_at, s.last_login_at, u.region"                                   \
	" FROM users s JOIN units u ON u.id = s.unit_id"                                           \
	" JOIN regions ur ON ur.code = u.region JOIN regions sr ON sr.code = s.scope "

static void read_user(sqlite3_stmt *st, struct fz_user *u)
{
	u->id = sqlite3_column_int64(st, 0);
	db_text(st, 1, u->username, sizeof(u->username));
	db_text(st, 2, u->display_name, sizeof(u->display_name));
	db_text(st, 3, u->password_hash, sizeof(u->password_hash));
	u->unit_id = sqlite3_column_int64(st, 4);
	db_text(st, 5, u->unit_name, sizeof(u->unit_name));
	db_text(st, 6, u->unit_kind, sizeof(u->unit_kind));
	db_text(st, 7, u->unit_path, sizeof(u->unit_path));
	u->roles = (unsigned)sqlite3_column_int(st, 8);
	db_text(st, 9, u->scope, sizeof(u->scope));
	db_text(st, 10, u->scope_name, sizeof(u->scope_name));
	db_text(st, 11, u->scope_level, sizeof(u->scope_level));
	db_text(st, 12, u->scope_path, sizeof(u->scope_path));
	db_text(st, 13, u->phone, sizeof(u->phone));
	u->disabled = sqlite3_column_int(st, 14);
	u->failed_count = sqlite3_column_int(st, 15);
	u->failed_since = sqlite3_column_int64(st, 16);
	u->locked_until = sqlite3_column_int64(st, 17);
	u->created_at = sqlite3_column_int64(st, 18);
	u->updated_at = sqlite3_column_int64(st, 19);
	u->last_login_at = sqlite3_column_int64(st, 20);
	db_text(st, 21, u->unit_region, sizeof(u->unit_region));
}

static int user_one(struct fz_db *db, sqlite3_stmt *st, const char *key, struct fz_user *out,
		    struct fz_err *err)
{
	int rc = one_row(db, sqlite3_step(st), "用户", key, err);

	if (!rc)
		read_user(st, out);
	sqlite3_reset(st);
	return rc;
}

int fz_store_user_get(struct fz_db *db, int64_t id, struct fz_user *out, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db, USER_COLS "WHERE s.id = ?1", err);
	char key[24];

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	snprintf(key, sizeof(key), "%lld", (long long)id);
	return user_one(db, st, key, out, err);
}

int fz_store_user_get_by_name(struct fz_db *db, const char *username, struct fz_user *out,
			      struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db, USER_COLS "WHERE s.username = ?1", err);

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, username);
	return user_one(db, st, username, out, err);
}

int fz_store_user_list(struct fz_db *db, const struct fz_user_filter *f, fz_user_each_fn each,
		       void *ctx, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(
		db,
		USER_COLS
		"WHERE ur.path LIKE ?1 || '%' AND (?2 IS NULL OR ur.path LIKE ?2 || '%')"
		" AND (?3 = 0 OR s.unit_id = ?3) AND (?4 = 0 OR (s.roles & ?4) != 0)"
		" AND (?5 IS NULL OR instr(s.username, ?5) > 0 OR instr(s.display_name, ?5) > 0)"
		" AND s.id > ?6 ORDER BY s.id LIMIT ?7",
		err);
	struct fz_user u;
	int rc;

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, f->scope_path);
	if (f->region_path)
		db_bind_text(st, 2, f->region_path);
	sqlite3_bind_int64(st, 3, f->unit_id);
	sqlite3_bind_int(st, 4, (int)f->role);
	if (f->q)
		db_bind_text(st, 5, f->q);
	sqlite3_bind_int64(st, 6, f->after_id);
	sqlite3_bind_int(st, 7, f->limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_user(st, &u);
		if (each(ctx, &u))
			break;
	}
	return db_finish(db, st, rc, err);
}

int fz_store_user_insert(struct fz_db *db, struct fz_user *u, struct fz_err *err)
{
	sqlite3_stmt *st =
		db_stmt(db,
			"INSERT INTO users(username, display_name, password_hash, unit_id, roles,"
			" scope, phone, disabled, created_at, updated_at)"
			" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
			err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, u->username);
	db_bind_text(st, 2, u->display_name);
	db_bind_text(st, 3, u->password_hash);
	sqlite3_bind_int64(st, 4, u->unit_id);
	sqlite3_bind_int(st, 5, (int)u->roles);
	db_bind_text(st, 6, u->scope);
	db_bind_text(st, 7, u->phone);
	sqlite3_bind_int(st, 8, u->disabled);
	sqlite3_bind_int64(st, 9, u->created_at);
	rc = db_step_done(db, st, err);
	if (rc == FZ_ECONFLICT) {
		fz_err_init(err);
		return fz_err_set(err, FZ_ECONFLICT, NULL, "username",
				  "username: 用户名“%s”已被占用", u->username);
	}
	if (!rc)
		u->id = sqlite3_last_insert_rowid(db->conn);
	return rc;
}

int fz_store_user_update(struct fz_db *db, const struct fz_user *u, struct fz_err *err)
{
	sqlite3_stmt *st =
		db_stmt(db,
			"UPDATE users SET display_name = ?2, unit_id = ?3, roles = ?4, scope = ?5,"
			" phone = ?6, disabled = ?7, password_hash = ?8, failed_count = ?9,"
			" failed_since = ?10, locked_until = ?11, last_login_at = ?12,"
			" updated_at = ?13 WHERE id = ?1",
			err);

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, u->id);
	db_bind_text(st, 2, u->display_name);
	sqlite3_bind_int64(st, 3, u->unit_id);
	sqlite3_bind_int(st, 4, (int)u->roles);
	db_bind_text(st, 5, u->scope);
	db_bind_text(st, 6, u->phone);
	sqlite3_bind_int(st, 7, u->disabled);
	db_bind_text(st, 8, u->password_hash);
	sqlite3_bind_int(st, 9, u->failed_count);
	sqlite3_bind_int64(st, 10, u->failed_since);
	sqlite3_bind_int64(st, 11, u->locked_until);
	sqlite3_bind_int64(st, 12, u->last_login_at);
	sqlite3_bind_int64(st, 13, u->updated_at);
	return db_step_done(db, st, err);
}

/* ---- sessions ---- */

int fz_store_session_insert(struct fz_db *db, const struct fz_session *s, struct fz_err *err)
{
	sqlite3_stmt *st =
		db_stmt(db,
			"INSERT INTO sessions(token_hash, user_id, created_at, expires_at, ip)"
			" VALUES (?1, ?2, ?3, ?4, ?5)",
			err);

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, s->token_hash);
	sqlite3_bind_int64(st, 2, s->user_id);
	sqlite3_bind_int64(st, 3, s->created_at);
	sqlite3_bind_int64(st, 4, s->expires_at);
	db_bind_text(st, 5, s->ip);
	return db_step_done(db, st, err);
}

int fz_store_session_get(struct fz_db *db, const char *token_hash, struct fz_session *out,
			 struct fz_err *err)
{
	sqlite3_stmt *st =
		db_stmt(db,
			"SELECT token_hash, user_id, created_at, expires_at, revoked_at, ip"
			" FROM sessions WHERE token_hash = ?1",
			err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, token_hash);
	rc = one_row(db, sqlite3_step(st), "会话", "", err);
	if (!rc) {
		db_text(st, 0, out->token_hash, sizeof(out->token_hash));
		out->user_id = sqlite3_column_int64(st, 1);
		out->created_at = sqlite3_column_int64(st, 2);
		out->expires_at = sqlite3_column_int64(st, 3);
		out->revoked_at = sqlite3_column_int64(st, 4);
		db_text(st, 5, out->ip, sizeof(out->ip));
	}
	sqlite3_reset(st);
	return rc;
}

int fz_store_session_revoke(struct fz_db *db, const char *token_hash, int64_t at,
			    struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(
		db, "UPDATE sessions SET revoked_at = ?2 WHERE token_hash = ?1 AND revoked_at = 0",
		err);

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, token_hash);
	sqlite3_bind_int64(st, 2, at);
	return db_step_done(db, st, err);
}

int fz_store_session_revoke_user(struct fz_db *db, int64_t user_id, int64_t at, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(
		db, "UPDATE sessions SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at = 0",
		err);

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, at);
	return db_step_done(db, st, err);
}

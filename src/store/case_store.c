#include "store/case_store.h"

#include "core/err.h"
#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_col(sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);

	return strdup(t ? t : "");
}

/* ---- case types ---- */

int fz_store_case_types(struct fz_db *db, fz_case_type_each_fn each, void *ctx, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
				   "SELECT type, version, pack, digest, definition, loaded_at"
				   " FROM case_types ORDER BY type, version",
				   err);
	struct fz_case_type_row r;
	int rc;

	if (!st)
		return FZ_ESTORE;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		db_text(st, 0, r.type, sizeof(r.type));
		r.version = sqlite3_column_int(st, 1);
		db_text(st, 2, r.pack, sizeof(r.pack));
		db_text(st, 3, r.digest, sizeof(r.digest));
		r.definition = (const char *)sqlite3_column_text(st, 4);
		r.loaded_at = sqlite3_column_int64(st, 5);
		if (each(ctx, &r))
			break;
	}
	return db_finish(db, st, rc, err);
}

int fz_store_case_type_put(struct fz_db *db, const struct fz_case_type_row *r, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
				   "INSERT INTO case_types(type, version, pack, digest, definition,"
				   " loaded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
				   err);

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, r->type);
	sqlite3_bind_int(st, 2, r->version);
	db_bind_text(st, 3, r->pack);
	db_bind_text(st, 4, r->digest);
	db_bind_text(st, 5, r->definition);
	sqlite3_bind_int64(st, 6, r->loaded_at);
	return db_step_done(db, st, err);
}

/* ---- cases ---- */

int fz_store_case_next_seq(struct fz_db *db, const char *prefix, const char *region, int year,
			   int64_t *seq, struct fz_err *err)
{
	sqlite3_stmt *st =
		db_stmt(db,
			"INSERT INTO case_seq(prefix, region, year, last) VALUES (?1, ?2, ?3, 1)"
			" ON CONFLICT(prefix, region, year) DO UPDATE SET last = last + 1"
			" RETURNING last",
			err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, prefix);
	db_bind_text(st, 2, region);
	sqlite3_bind_int(st, 3, year);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*seq = sqlite3_column_int64(st, 0);
	return db_finish(db, st, rc == SQLITE_ROW ? SQLITE_DONE : rc, err);
}

#define CASE_COLS                                                                                  \
	"SELECT c.id, c.code, c.type, c.type_version, c.region, c.region_path, r.name, c.state,"   \
	" c.level, c.escalation, c.unit_id, c.origin_unit_id, c.pending_unit_id, c.owner_id,"      \
	" coalesce(u.name, ''), coalesce(o.name, ''), coalesce(p.name, ''),"                       \
	" coalesce(w.display_name, ''), c.title, c.fields, c.documents, c.team, c.outcome,"        \
	" c.satisfaction, c.bounces, c.merged_into, c.version, c.created_at, c.created_by,"        \
	" c.updated_at, c.closed_at, c.visited_at, c.due_at, c.overdue"                            \
	" FROM cases c JOIN regions r ON r.code = c.region"                                        \
	" LEFT JOIN units u ON u.id = c.unit_id LEFT JOIN units o ON o.id = c.origin_unit_id"      \
	" LEFT JOIN units p ON p.id = c.pending_unit_id LEFT JOIN users w ON w.id = c.owner_id "

static int read_case(sqlite3_stmt *st, struct fz_case *c)
{
	fz_case_release(c);
	fz_case_init(c);
	c->id = sqlite3_column_int64(st, 0);
	db_text(st, 1, c->code, sizeof(c->code));
	db_text(st, 2, c->type, sizeof(c->type));
	c->type_version = sqlite3_column_int(st, 3);
	db_text(st, 4, c->region, sizeof(c->region));
	db_text(st, 5, c->region_path, sizeof(c->region_path));
	db_text(st, 6, c->region_name, sizeof(c->region_name));
	db_text(st, 7, c->state, sizeof(c->state));
	db_text(st, 8, c->level, sizeof(c->level));
	c->escalation = sqlite3_column_int(st, 9);
	c->unit_id = sqlite3_column_int64(st, 10);
	c->origin_unit_id = sqlite3_column_int64(st, 11);
	c->pending_unit_id = sqlite3_column_int64(st, 12);
	c->owner_id = sqlite3_column_int64(st, 13);
	db_text(st, 14, c->unit_name, sizeof(c->unit_name));
	db_text(st, 15, c->origin_unit_name, sizeof(c->origin_unit_name));
	db_text(st, 16, c->pending_unit_name, sizeof(c->pending_unit_name));
	db_text(st, 17, c->owner_name, sizeof(c->owner_name));
	db_text(st, 18, c->title, sizeof(c->title));
	c->fields = dup_col(st, 19);
	c->documents = dup_col(st, 20);
	c->team = dup_col(st, 21);
	db_text(st, 22, c->outcome, sizeof(c->outcome));
	c->satisfaction = sqlite3_column_int(st, 23);
	c->bounces = sqlite3_column_int(st, 24);
	c->merged_into = sqlite3_column_int64(st, 25);
	c->version = sqlite3_column_int(st, 26);
	c->created_at = sqlite3_column_int64(st, 27);
	c->created_by = sqlite3_column_int64(st, 28);
	c->updated_at = sqlite3_column_int64(st, 29);
	c->closed_at = sqlite3_column_int64(st, 30);
	c->visited_at = sqlite3_column_int64(st, 31);
	c->due_at = sqlite3_column_int64(st, 32);
	c->overdue = sqlite3_column_int(st, 33);
	return c->fields && c->documents && c->team ? 0 : FZ_ENOMEM;
}

/* Binds the columns shared by insert and update, from ?2 on. */
static void bind_case(sqlite3_stmt *st, const struct fz_case *c)
{
	db_bind_text(st, 2, c->state);
	db_bind_text(st, 3, c->level);
	sqlite3_bind_int(st, 4, c->escalation);
	sqlite3_bind_int64(st, 5, c->unit_id);
	sqlite3_bind_int64(st, 6, c->pending_unit_id);
	sqlite3_bind_int64(st, 7, c->owner_id);
	db_bind_text(st, 8, c->title);
	db_bind_text(st, 9, c->fields ? c->fields : "{}");
	db_bind_text(st, 10, c->documents ? c->documents : "[]");
	db_bind_text(st, 11, c->team ? c->team : "[]");
	db_bind_text(st, 12, c->outcome);
	sqlite3_bind_int(st, 13, c->satisfaction);
	sqlite3_bind_int(st, 14, c->bounces);
	sqlite3_bind_int64(st, 15, c->merged_into);
	sqlite3_bind_int64(st, 16, c->updated_at);
	sqlite3_bind_int64(st, 17, c->closed_at);
	sqlite3_bind_int64(st, 18, c->visited_at);
	sqlite3_bind_int64(st, 19, c->due_at);
	sqlite3_bind_int(st, 20, c->overdue);
}

int fz_store_case_insert(struct fz_db *db, struct fz_case *c, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(
		db,
		"INSERT INTO cases(code, state, level, escalation, unit_id, pending_unit_id, owner_id,"
		" title, fields, documents, team, outcome, satisfaction, bounces, merged_into,"
		" updated_at, closed_at, visited_at, due_at, overdue, type, type_version, region,"
		" region_path, origin_unit_id, created_at, created_by, version) VALUES (?1, ?2, ?3,"
		" ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21,"
		" ?22, ?23, ?24, ?25, ?26, ?27, 1)",
		err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, c->code);
	bind_case(st, c);
	db_bind_text(st, 21, c->type);
	sqlite3_bind_int(st, 22, c->type_version);
	db_bind_text(st, 23, c->region);
	db_bind_text(st, 24, c->region_path);
	sqlite3_bind_int64(st, 25, c->origin_unit_id);
	sqlite3_bind_int64(st, 26, c->created_at);
	sqlite3_bind_int64(st, 27, c->created_by);
	rc = db_step_done(db, st, err);
	if (!rc) {
		c->id = sqlite3_last_insert_rowid(db->conn);
		c->version = 1;
	}
	return rc;
}

int fz_store_case_update(struct fz_db *db, struct fz_case *c, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(
		db,
		"UPDATE cases SET state = ?2, level = ?3, escalation = ?4, unit_id = ?5,"
		" pending_unit_id = ?6, owner_id = ?7, title = ?8, fields = ?9, documents = ?10,"
		" team = ?11, outcome = ?12, satisfaction = ?13, bounces = ?14, merged_into = ?15,"
		" updated_at = ?16, closed_at = ?17, visited_at = ?18, due_at = ?19, overdue = ?20,"
		" version = version + 1 WHERE id = ?1 AND version = ?21",
		err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, c->id);
	bind_case(st, c);
	sqlite3_bind_int(st, 21, c->version);
	rc = db_step_done(db, st, err);
	if (!rc && sqlite3_changes(db->conn) == 0)
		return fz_err_set(
			err, FZ_ECONFLICT, "stale_version", "version",
			"version: 案件 %s 已被他人修改（你读取的是第 %d 版），请刷新后重试",
			c->code, c->version);
	if (!rc)
		c->version++;
	return rc;
}

static int get_one(struct fz_db *db, sqlite3_stmt *st, const char *key, struct fz_case *c,
		   struct fz_err *err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		rc = read_case(st, c) ? SQLITE_NOMEM : SQLITE_DONE;
	else if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return fz_err_set(err, FZ_ENOTFOUND, NULL, NULL, "案件 %s 不存在", key);
	}
	return db_finish(db, st, rc, err);
}

int fz_store_case_get(struct fz_db *db, int64_t id, struct fz_case *c, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db, CASE_COLS "WHERE c.id = ?1", err);
	char key[24];

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	snprintf(key, sizeof(key), "%lld", (long long)id);
	return get_one(db, st, key, c, err);
}

/* The same columns without the joined names: for reads inside a write. */
#define CASE_PLAIN_COLS                                                                            \
	"SELECT c.id, c.code, c.type, c.type_version, c.region, c.region_path, '', c.state,"       \
	" c.level, c.escalation, c.unit_id, c.origin_unit_id, c.pending_unit_id, c.owner_id,"      \
	" '', '', '', '', c.title, c.fields, c.documents, c.team, c.outcome,"                      \
	" c.satisfaction, c.bounces, c.merged_into, c.version, c.created_at, c.created_by,"        \
	" c.updated_at, c.closed_at, c.visited_at, c.due_at, c.overdue FROM cases c "

int fz_store_case_get_plain(struct fz_db *db, int64_t id, struct fz_case *c, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db, CASE_PLAIN_COLS "WHERE c.id = ?1", err);
	char key[24];

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	snprintf(key, sizeof(key), "%lld", (long long)id);
	return get_one(db, st, key, c, err);
}

int fz_store_case_get_by_code(struct fz_db *db, const char *code, struct fz_case *c,
			      struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db, CASE_COLS "WHERE c.code = ?1", err);

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, code);
	return get_one(db, st, code, c, err);
}

static int list_rows(struct fz_db *db, sqlite3_stmt *st, const struct fz_case_filter *f,
		     fz_case_each_fn each, void *ctx, struct fz_err *err);

/* The candidates of "my open cases" come from three indexed lookups
 * (assigned to, waiting on, owned by me) instead of a scan. */
#define MINE_OPEN                                                                                  \
	"WHERE c.id IN (SELECT id FROM cases WHERE unit_id = ?2 AND closed_at = 0"                 \
	"   UNION SELECT id FROM cases WHERE pending_unit_id = ?2 AND pending_unit_id != 0"        \
	"   UNION SELECT id FROM cases WHERE owner_id = ?13 AND owner_id != 0 AND closed_at = 0)"  \
	" AND c.closed_at = 0"

#define FILTERS                                                                                    \
	" AND (?5 IS NULL OR c.type = ?5) AND (?6 IS NULL OR c.state = ?6)"                        \
	" AND (?7 IS NULL OR (c.region_path >= ?7 AND c.region_path < ?7 || '~'))"                 \
	" AND (?8 IS NULL OR c.level = ?8) AND (?9 = 0 OR c.unit_id = ?9)"                         \
	" AND (?10 = 0 OR c.overdue = 1) AND (?11 = 0 OR c.closed_at = 0)"                         \
	" AND (?14 = 0 OR c.pending_unit_id = ?2)"                                                 \
	" AND (?15 IS NULL OR instr(c.title, ?15) > 0 OR c.code = ?15)"                            \
	" AND (?16 = 0 OR (c.due_at > 0 AND c.due_at < ?16))"                                      \
	" AND (?17 = 0 OR c.id < ?17) AND c.merged_into = 0"                                       \
	" ORDER BY c.id DESC LIMIT ?18"

int fz_store_case_list(struct fz_db *db, const struct fz_case_filter *f, fz_case_each_fn each,
		       void *ctx, struct fz_err *err)
{
	sqlite3_stmt *st;

	if (f->mine && f->open_only) {
		st = db_stmt(db, CASE_COLS MINE_OPEN FILTERS, err);
		return st ? list_rows(db, st, f, each, ctx, err) : FZ_ESTORE;
	}
	st = db_stmt(
		db,
		CASE_COLS
		"WHERE ((c.region_path >= ?1 AND c.region_path < ?1 || '~')"
		"   OR (?2 != 0 AND (c.unit_id = ?2 OR c.pending_unit_id = ?2 OR c.origin_unit_id = ?2))"
		"   OR (?3 IS NOT NULL AND instr(?3, ',' || c.type || ',') > 0"
		"       AND c.region_path >= ?4 AND c.region_path < ?4 || '~'))"
		" AND (?12 = 0 OR c.unit_id = ?2 OR c.pending_unit_id = ?2 OR c.owner_id = ?13)" FILTERS,
		err);
	return st ? list_rows(db, st, f, each, ctx, err) : FZ_ESTORE;
}

static int list_rows(struct fz_db *db, sqlite3_stmt *st, const struct fz_case_filter *f,
		     fz_case_each_fn each, void *ctx, struct fz_err *err)
{
	struct fz_case c;
	int rc;

	db_bind_text(st, 1, f->scope_path);
	sqlite3_bind_int64(st, 2, f->my_unit);
	if (f->observe_types) {
		db_bind_text(st, 3, f->observe_types);
		db_bind_text(st, 4, f->observe_path);
	}
	if (f->type)
		db_bind_text(st, 5, f->type);
	if (f->state)
		db_bind_text(st, 6, f->state);
	if (f->region_path)
		db_bind_text(st, 7, f->region_path);
	if (f->level)
		db_bind_text(st, 8, f->level);
	sqlite3_bind_int64(st, 9, f->unit_id);
	sqlite3_bind_int(st, 10, f->overdue);
	sqlite3_bind_int(st, 11, f->open_only);
	sqlite3_bind_int(st, 12, f->mine);
	sqlite3_bind_int64(st, 13, f->my_user);
	sqlite3_bind_int(st, 14, f->pending_for_my_unit);
	if (f->q)
		db_bind_text(st, 15, f->q);
	sqlite3_bind_int64(st, 16, f->due_before);
	sqlite3_bind_int64(st, 17, f->after_id);
	sqlite3_bind_int(st, 18, f->limit);
	fz_case_init(&c);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (read_case(st, &c)) {
			rc = SQLITE_NOMEM;
			break;
		}
		if (each(ctx, &c))
			break;
	}
	fz_case_release(&c);
	return db_finish(db, st, rc, err);
}

/* ---- timeline ---- */

int fz_store_case_event_add(struct fz_db *db, const struct fz_case_event *e, struct fz_err *err)
{
	sqlite3_stmt *st =
		db_stmt(db,
			"INSERT INTO case_events(case_id, at, actor_id, actor, action,"
			" from_state, to_state, note, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
			" ?7, ?8, ?9)",
			err);

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, e->case_id);
	sqlite3_bind_int64(st, 2, e->at);
	sqlite3_bind_int64(st, 3, e->actor_id);
	db_bind_text(st, 4, e->actor);
	db_bind_text(st, 5, e->action);
	db_bind_text(st, 6, e->from_state);
	db_bind_text(st, 7, e->to_state);
	db_bind_text(st, 8, e->note);
	db_bind_text(st, 9, e->detail[0] ? e->detail : "{}");
	return db_step_done(db, st, err);
}

int fz_store_case_events(struct fz_db *db, int64_t case_id, fz_case_event_each_fn each, void *ctx,
			 struct fz_err *err)
{
	sqlite3_stmt *st =
		db_stmt(db,
			"SELECT id, case_id, at, actor_id, actor, action, from_state, to_state,"
			" note, detail FROM case_events WHERE case_id = ?1 ORDER BY id",
			err);
	struct fz_case_event e;
	int rc;

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, case_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		e.id = sqlite3_column_int64(st, 0);
		e.case_id = sqlite3_column_int64(st, 1);
		e.at = sqlite3_column_int64(st, 2);
		e.actor_id = sqlite3_column_int64(st, 3);
		db_text(st, 4, e.actor, sizeof(e.actor));
		db_text(st, 5, e.action, sizeof(e.action));
		db_text(st, 6, e.from_state, sizeof(e.from_state));
		db_text(st, 7, e.to_state, sizeof(e.to_state));
		db_text(st, 8, e.note, sizeof(e.note));
		db_text(st, 9, e.detail, sizeof(e.detail));
		if (each(ctx, &e))
			break;
	}
	return db_finish(db, st, rc, err);
}

/* ---- clocks ---- */

#define CLOCK_COLS                                                                                 \
	"SELECT id, case_id, name, started_at, due_at, warn_at, status, paused_at, paused_ms,"     \
	" extensions, warned, breached_at, stopped_at FROM case_clocks "

static void read_clock(sqlite3_stmt *st, struct fz_case_clock *k)
{
	k->id = sqlite3_column_int64(st, 0);
	k->case_id = sqlite3_column_int64(st, 1);
	db_text(st, 2, k->name, sizeof(k->name));
	k->started_at = sqlite3_column_int64(st, 3);
	k->due_at = sqlite3_column_int64(st, 4);
	k->warn_at = sqlite3_column_int64(st, 5);
	db_text(st, 6, k->status, sizeof(k->status));
	k->paused_at = sqlite3_column_int64(st, 7);
	k->paused_ms = sqlite3_column_int64(st, 8);
	db_text(st, 9, k->extensions, sizeof(k->extensions));
	k->warned = sqlite3_column_int(st, 10);
	k->breached_at = sqlite3_column_int64(st, 11);
	k->stopped_at = sqlite3_column_int64(st, 12);
}

static void bind_clock(sqlite3_stmt *st, const struct fz_case_clock *k)
{
	sqlite3_bind_int64(st, 1, k->case_id);
	db_bind_text(st, 2, k->name);
	sqlite3_bind_int64(st, 3, k->started_at);
	sqlite3_bind_int64(st, 4, k->due_at);
	sqlite3_bind_int64(st, 5, k->warn_at);
	db_bind_text(st, 6, k->status);
	sqlite3_bind_int64(st, 7, k->paused_at);
	sqlite3_bind_int64(st, 8, k->paused_ms);
	db_bind_text(st, 9, k->extensions[0] ? k->extensions : "[]");
	sqlite3_bind_int(st, 10, k->warned);
	sqlite3_bind_int64(st, 11, k->breached_at);
	sqlite3_bind_int64(st, 12, k->stopped_at);
}

int fz_store_case_clock_insert(struct fz_db *db, struct fz_case_clock *k, struct fz_err *err)
{
	sqlite3_stmt *st =
		db_stmt(db,
			"INSERT INTO case_clocks(case_id, name, started_at, due_at, warn_at,"
			" status, paused_at, paused_ms, extensions, warned, breached_at,"
			" stopped_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
			err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	bind_clock(st, k);
	rc = db_step_done(db, st, err);
	if (!rc)
		k->id = sqlite3_last_insert_rowid(db->conn);
	return rc;
}

int fz_store_case_clock_update(struct fz_db *db, const struct fz_case_clock *k, struct fz_err *err)
{
	sqlite3_stmt *st =
		db_stmt(db,
			"UPDATE case_clocks SET case_id = ?1, name = ?2, started_at = ?3,"
			" due_at = ?4, warn_at = ?5, status = ?6, paused_at = ?7,"
			" paused_ms = ?8, extensions = ?9, warned = ?10, breached_at = ?11,"
			" stopped_at = ?12 WHERE id = ?13",
			err);

	if (!st)
		return FZ_ESTORE;
	bind_clock(st, k);
	sqlite3_bind_int64(st, 13, k->id);
	return db_step_done(db, st, err);
}

static int each_clock(struct fz_db *db, sqlite3_stmt *st, fz_case_clock_each_fn each, void *ctx,
		      struct fz_err *err)
{
	struct fz_case_clock k;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_clock(st, &k);
		if (each(ctx, &k))
			break;
	}
	return db_finish(db, st, rc, err);
}

int fz_store_case_clocks(struct fz_db *db, int64_t case_id, fz_case_clock_each_fn each, void *ctx,
			 struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db, CLOCK_COLS "WHERE case_id = ?1 ORDER BY id", err);

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, case_id);
	return each_clock(db, st, each, ctx, err);
}

int fz_store_case_clocks_due(struct fz_db *db, int64_t now, int limit, fz_case_clock_each_fn each,
			     void *ctx, struct fz_err *err)
{
	sqlite3_stmt *st =
		db_stmt(db,
			CLOCK_COLS "WHERE status = 'running' AND (due_at <= ?1 OR"
				   " (warned = 0 AND warn_at <= ?1)) ORDER BY due_at LIMIT ?2",
			err);

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int(st, 2, limit);
	return each_clock(db, st, each, ctx, err);
}

/* ---- links and attachments ---- */

int fz_store_case_link(struct fz_db *db, int64_t a, int64_t b, const char *relation,
		       struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
				   "INSERT OR REPLACE INTO case_links(case_id, other_id, relation)"
				   " VALUES (?1, ?2, ?3)",
				   err);

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	db_bind_text(st, 3, relation);
	return db_step_done(db, st, err);
}

int fz_store_case_links(struct fz_db *db, int64_t case_id, fz_case_link_each_fn each, void *ctx,
			struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
				   "SELECT l.other_id, c.code, l.relation FROM case_links l"
				   " JOIN cases c ON c.id = l.other_id WHERE l.case_id = ?1"
				   " ORDER BY l.other_id",
				   err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, case_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (each(ctx, sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
			 (const char *)sqlite3_column_text(st, 2)))
			break;
	return db_finish(db, st, rc, err);
}

int fz_store_attachment_insert(struct fz_db *db, struct fz_case_attachment *a, const void *data,
			       struct fz_err *err)
{
	sqlite3_stmt *st =
		db_stmt(db,
			"INSERT INTO attachments(case_id, name, document, content_type, size,"
			" sha256, data, at, actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
			err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, a->case_id);
	db_bind_text(st, 2, a->name);
	db_bind_text(st, 3, a->document);
	db_bind_text(st, 4, a->content_type);
	sqlite3_bind_int64(st, 5, a->size);
	db_bind_text(st, 6, a->sha256);
	sqlite3_bind_blob64(st, 7, data, (sqlite3_uint64)a->size, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, a->at);
	db_bind_text(st, 9, a->actor);
	rc = db_step_done(db, st, err);
	if (!rc)
		a->id = sqlite3_last_insert_rowid(db->conn);
	return rc;
}

static void read_attachment(sqlite3_stmt *st, struct fz_case_attachment *a)
{
	a->id = sqlite3_column_int64(st, 0);
	a->case_id = sqlite3_column_int64(st, 1);
	db_text(st, 2, a->name, sizeof(a->name));
	db_text(st, 3, a->document, sizeof(a->document));
	db_text(st, 4, a->content_type, sizeof(a->content_type));
	a->size = sqlite3_column_int64(st, 5);
	db_text(st, 6, a->sha256, sizeof(a->sha256));
	a->at = sqlite3_column_int64(st, 7);
	db_text(st, 8, a->actor, sizeof(a->actor));
}

int fz_store_attachments(struct fz_db *db, int64_t case_id, fz_attachment_each_fn each, void *ctx,
			 struct fz_err *err)
{
	sqlite3_stmt *st =
		db_stmt(db,
			"SELECT id, case_id, name, document, content_type, size, sha256, at,"
			" actor FROM attachments WHERE case_id = ?1 ORDER BY id",
			err);
	struct fz_case_attachment a;
	int rc;

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, case_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_attachment(st, &a);
		if (each(ctx, &a))
			break;
	}
	return db_finish(db, st, rc, err);
}

int fz_store_attachment_data(struct fz_db *db, int64_t case_id, int64_t id,
			     struct fz_case_attachment *a, void **data, struct fz_err *err)
{
	sqlite3_stmt *st =
		db_stmt(db,
			"SELECT id, case_id, name, document, content_type, size, sha256, at,"
			" actor, data FROM attachments WHERE case_id = ?1 AND id = ?2",
			err);
	int rc;

	*data = NULL;
	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, case_id);
	sqlite3_bind_int64(st, 2, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return fz_err_set(err, FZ_ENOTFOUND, NULL, NULL, "附件 %lld 不存在", (long long)id);
	}
	if (rc == SQLITE_ROW) {
		read_attachment(st, a);
		*data = malloc(a->size ? (size_t)a->size : 1);
		if (!*data)
			rc = SQLITE_NOMEM;
		else if (a->size)
			memcpy(*data, sqlite3_column_blob(st, 9), (size_t)a->size);
	}
	return db_finish(db, st, rc, err);
}

/* ---- indicators ---- */

/* Length of the region path prefix that identifies a region at depth d
 * (1 province, 2 city, 3 district, 4 township, 5 village). */
static int prefix_len(int depth)
{
	static const int len[] = { 0, 8, 15, 22, 32, 45 };

	return depth >= 1 && depth <= 5 ? len[depth] : 0;
}

int fz_store_case_indicators(struct fz_db *db, const struct fz_indicator_query *q,
			     fz_indicator_each_fn each, void *ctx, struct fz_err *err)
{
	sqlite3_stmt *st =
		db_stmt(db,
			"SELECT CASE WHEN ?3 > 0 THEN substr(region_path, 1, ?3)"
			"  WHEN ?6 != 0 THEN CAST(unit_id AS TEXT) ELSE '' END AS g,"
			" count(*), sum(closed_at > 0), sum(overdue), sum(bounces),"
			" sum(CASE WHEN closed_at > 0 THEN closed_at - created_at ELSE 0 END)"
			" FROM cases WHERE region_path >= ?1 AND region_path < ?1 || '~'"
			" AND (?2 IS NULL OR type = ?2) AND created_at >= ?4 AND created_at < ?5"
			" AND merged_into = 0 GROUP BY g ORDER BY g",
			err);
	struct fz_indicator_row r;
	int rc;

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, q->scope_path);
	if (q->type)
		db_bind_text(st, 2, q->type);
	sqlite3_bind_int(st, 3, prefix_len(q->group_depth));
	sqlite3_bind_int64(st, 4, q->from);
	sqlite3_bind_int64(st, 5, q->to);
	sqlite3_bind_int(st, 6, q->by_unit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		db_text(st, 0, r.group, sizeof(r.group));
		r.accepted = sqlite3_column_int64(st, 1);
		r.closed = sqlite3_column_int64(st, 2);
		r.overdue = sqlite3_column_int64(st, 3);
		r.bounces = sqlite3_column_int64(st, 4);
		r.handled_ms_sum = sqlite3_column_int64(st, 5);
		if (each(ctx, &r))
			break;
	}
	return db_finish(db, st, rc, err);
}

int fz_store_case_durations(struct fz_db *db, const struct fz_indicator_query *q, const char *group,
			    fz_duration_each_fn each, void *ctx, struct fz_err *err)
{
	sqlite3_stmt *st =
		db_stmt(db,
			"SELECT closed_at - created_at FROM cases"
			" WHERE region_path >= ?1 AND region_path < ?1 || '~'"
			" AND (?2 IS NULL OR type = ?2) AND created_at >= ?4 AND created_at < ?5"
			" AND merged_into = 0 AND closed_at > 0"
			" AND (CASE WHEN ?3 > 0 THEN substr(region_path, 1, ?3)"
			"  WHEN ?6 != 0 THEN CAST(unit_id AS TEXT) ELSE '' END) = ?7 ORDER BY 1",
			err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, q->scope_path);
	if (q->type)
		db_bind_text(st, 2, q->type);
	sqlite3_bind_int(st, 3, prefix_len(q->group_depth));
	sqlite3_bind_int64(st, 4, q->from);
	sqlite3_bind_int64(st, 5, q->to);
	sqlite3_bind_int(st, 6, q->by_unit);
	db_bind_text(st, 7, group);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (each(ctx, sqlite3_column_int64(st, 0)))
			break;
	return db_finish(db, st, rc, err);
}

#include "store/audit_store.h"

#include "core/err.h"
#include "store/db.h"

#include <string.h>

int fz_store_audit_head(struct fz_db *db, int64_t *seq, char hash[FZ_SHA256_HEX],
			struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT seq, hash FROM audit_head WHERE id = 1", err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	*seq = 0;
	hash[0] = '\0';
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*seq = sqlite3_column_int64(st, 0);
		db_text(st, 1, hash, FZ_SHA256_HEX);
	}
	return db_finish(db, st, rc, err);
}

int fz_store_audit_insert(struct fz_db *db, const struct fz_audit_entry *e, struct fz_err *err)
{
	sqlite3_stmt *st =
		db_stmt(db,
			"INSERT INTO audit(seq, at, actor_id, actor, ip, action, object_type,"
			" object_id, region, region_path, summary, before_digest, after_digest,"
			" prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
			" ?12, ?13, ?14, ?15)",
			err);
	sqlite3_stmt *head;
	int rc;

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, e->seq);
	sqlite3_bind_int64(st, 2, e->at);
	sqlite3_bind_int64(st, 3, e->actor_id);
	db_bind_text(st, 4, e->actor);
	db_bind_text(st, 5, e->ip);
	db_bind_text(st, 6, e->action);
	db_bind_text(st, 7, e->object_type);
	db_bind_text(st, 8, e->object_id);
	db_bind_text(st, 9, e->region);
	db_bind_text(st, 10, e->region_path);
	db_bind_text(st, 11, e->summary);
	db_bind_text(st, 12, e->before_digest);
	db_bind_text(st, 13, e->after_digest);
	db_bind_text(st, 14, e->prev_hash);
	db_bind_text(st, 15, e->hash);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, rc, err);
	head = db_stmt(db, "INSERT OR REPLACE INTO audit_head(id, seq, hash) VALUES (1, ?1, ?2)",
		       err);
	if (!head)
		return FZ_ESTORE;
	sqlite3_bind_int64(head, 1, e->seq);
	db_bind_text(head, 2, e->hash);
	rc = sqlite3_step(head);
	sqlite3_reset(head);
	return rc == SQLITE_DONE ? 0 : db_fail(db, rc, err);
}

#define AUDIT_COLS                                                                                 \
	"SELECT a.seq, a.at, a.actor_id, a.actor, a.ip, a.action, a.object_type,"                  \
	" a.object_id, a.region, coalesce(r.name, ''), a.region_path, a.summary,"                  \
	" a.before_digest, a.after_digest, a.prev_hash, a.hash"                                    \
	" FROM audit a LEFT JOIN regions r ON r.code = a.region "

static void read_entry(sqlite3_stmt *st, struct fz_audit_entry *e)
{
	e->seq = sqlite3_column_int64(st, 0);
	e->at = sqlite3_column_int64(st, 1);
	e->actor_id = sqlite3_column_int64(st, 2);
	db_text(st, 3, e->actor, sizeof(e->actor));
	db_text(st, 4, e->ip, sizeof(e->ip));
	db_text(st, 5, e->action, sizeof(e->action));
	db_text(st, 6, e->object_type, sizeof(e->object_type));
	db_text(st, 7, e->object_id, sizeof(e->object_id));
	db_text(st, 8, e->region, sizeof(e->region));
	db_text(st, 9, e->region_name, sizeof(e->region_name));
	db_text(st, 10, e->region_path, sizeof(e->region_path));
	db_text(st, 11, e->summary, sizeof(e->summary));
	db_text(st, 12, e->before_digest, sizeof(e->before_digest));
	db_text(st, 13, e->after_digest, sizeof(e->after_digest));
	db_text(st, 14, e->prev_hash, sizeof(e->prev_hash));
	db_text(st, 15, e->hash, sizeof(e->hash));
}

static int run_each(struct fz_db *db, sqlite3_stmt *st, fz_audit_each_fn each, void *ctx,
		    struct fz_err *err)
{
	struct fz_audit_entry e;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_entry(st, &e);
		if (each(ctx, &e))
			break;
	}
	return db_finish(db, st, rc, err);
}

int fz_store_audit_list(struct fz_db *db, const struct fz_audit_filter *f, fz_audit_each_fn each,
			void *ctx, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(
		db,
		AUDIT_COLS
		"WHERE a.region_path LIKE ?1 || '%' AND (?2 IS NULL OR a.actor = ?2)"
		" AND (?3 IS NULL OR a.action = ?3 OR"
		"      (substr(?3, -1) = '.' AND substr(a.action, 1, length(?3)) = ?3))"
		" AND (?4 IS NULL OR a.object_type = ?4) AND (?5 IS NULL OR a.object_id = ?5)"
		" AND (?6 = 0 OR a.at >= ?6) AND (?7 = 0 OR a.at < ?7)"
		" AND (?8 = 0 OR a.seq < ?8) ORDER BY a.seq DESC LIMIT ?9",
		err);

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, f->scope_path);
	if (f->actor)
		db_bind_text(st, 2, f->actor);
	if (f->action)
		db_bind_text(st, 3, f->action);
	if (f->object_type)
		db_bind_text(st, 4, f->object_type);
	if (f->object_id)
		db_bind_text(st, 5, f->object_id);
	sqlite3_bind_int64(st, 6, f->since);
	sqlite3_bind_int64(st, 7, f->until);
	sqlite3_bind_int64(st, 8, f->before_seq);
	sqlite3_bind_int(st, 9, f->limit);
	return run_each(db, st, each, ctx, err);
}

int fz_store_audit_scan(struct fz_db *db, fz_audit_each_fn each, void *ctx, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db, AUDIT_COLS "ORDER BY a.seq", err);

	if (!st)
		return FZ_ESTORE;
	return run_each(db, st, each, ctx, err);
}

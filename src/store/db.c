#include "store/db.h"

#include "core/err.h"

#include <string.h>

int db_fail(struct fz_db *db, int rc, struct fz_err *err)
{
	const char *msg = db->conn ? sqlite3_errmsg(db->conn) : sqlite3_errstr(rc);

	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return fz_err_set(err, FZ_ECONFLICT, NULL, NULL, "数据冲突: %s", msg);
	return fz_err_set(err, FZ_ESTORE, NULL, NULL, "数据库错误: %s", msg);
}

sqlite3_stmt *db_stmt(struct fz_db *db, const char *sql, struct fz_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	for (int i = 0; i < db->nstmt; i++)
		if (db->stmts[i].sql == sql) {
			st = db->stmts[i].st;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	/* The cache is sized above the number of statements in src/store/. */
	if (db->nstmt == DB_CACHE) {
		fz_err_set(err, FZ_EINTERNAL, NULL, NULL, "statement cache full");
		return NULL;
	}
	rc = sqlite3_prepare_v3(db->conn, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK) {
		db_fail(db, rc, err);
		return NULL;
	}
	db->stmts[db->nstmt].sql = sql;
	db->stmts[db->nstmt].st = st;
	db->nstmt++;
	return st;
}

void db_close(struct fz_db *db)
{
	for (int i = 0; i < db->nstmt; i++)
		sqlite3_finalize(db->stmts[i].st);
	db->nstmt = 0;
	sqlite3_close(db->conn);
	db->conn = NULL;
}

int db_exec(struct fz_db *db, const char *sql, struct fz_err *err)
{
	int rc = sqlite3_exec(db->conn, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : db_fail(db, rc, err);
}

void db_text(sqlite3_stmt *st, int i, char *out, size_t size)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	size_t n;

	if (!t) {
		out[0] = '\0';
		return;
	}
	n = (size_t)sqlite3_column_bytes(st, i);
	if (n >= size)
		n = size - 1;
	memcpy(out, t, n);
	out[n] = '\0';
}

void db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

int db_step_done(struct fz_db *db, sqlite3_stmt *st, struct fz_err *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, rc, err);
}

int db_finish(struct fz_db *db, sqlite3_stmt *st, int rc, struct fz_err *err)
{
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, rc, err);
}

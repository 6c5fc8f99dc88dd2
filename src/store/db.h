/*
 * db: private to src/store/. One SQLite connection with a cache of prepared
 * statements keyed by the SQL text's address (statements are string
 * literals), and small helpers to bind and read columns.
 */
#ifndef FZ_STORE_DB_H
#define FZ_STORE_DB_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

struct fz_err;

#define DB_CACHE 160

struct fz_db {
	sqlite3 *conn;
	int nstmt;
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} stmts[DB_CACHE];
	struct fz_db *next_free; /* reader pool link */
	uint64_t undos;		 /* writer: savepoints and transactions rolled back */
	int snapshots;		 /* reader: open fz_store_snapshot_begin() calls */
};

/* Prepared, reset statement for sql (a string literal); NULL on error (err set). */
sqlite3_stmt *db_stmt(struct fz_db *db, const char *sql, struct fz_err *err);
/* Finalises cached statements and closes the connection. */
void db_close(struct fz_db *db);
/* Runs SQL without results. 0 or FZ_ESTORE with err set. */
int db_exec(struct fz_db *db, const char *sql, struct fz_err *err);
/* FZ_ESTORE (or FZ_ECONFLICT for a constraint) with the SQLite message. */
int db_fail(struct fz_db *db, int rc, struct fz_err *err);
/* Steps a statement that returns no rows and resets it. 0 or a store error. */
int db_step_done(struct fz_db *db, sqlite3_stmt *st, struct fz_err *err);
/* Resets st after a loop over its rows that ended with rc: 0 when rc is
 * SQLITE_ROW (stopped early) or SQLITE_DONE, else a store error. */
int db_finish(struct fz_db *db, sqlite3_stmt *st, int rc, struct fz_err *err);
/* Copies column i as text into out (size bytes), "" for NULL. */
void db_text(sqlite3_stmt *st, int i, char *out, size_t size);
/* Binds text, or NULL for an empty string when empty_null. */
void db_bind_text(sqlite3_stmt *st, int i, const char *s);

#endif

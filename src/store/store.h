/*
 * store: the only code that speaks SQL (SQLite today; a PostgreSQL backend
 * can follow behind the same functions).
 *
 * A store is one database file in WAL mode with numbered migrations,
 * recognised by its application_id; a file that is not fazhi's, or that a
 * newer fazhi wrote, is refused. Writes go through fz_store_write(): once
 * fz_store_start_writer() has run, one writer thread takes queued writes and
 * commits up to `batch` of them in one transaction (group commit), each in
 * its own savepoint so that a failing write does not undo its neighbours;
 * the caller waits until its write is durable. Before that (command-line
 * tools) writes run on the caller's thread. Reads use a pool of read-only
 * connections: fz_store_reader() and fz_store_reader_put(), from any thread.
 *
 * struct fz_db is one connection; the entity functions (store/registry_store.h,
 * store/audit_store.h) take one, read functions a reader, write functions the db passed to a write
 * callback.
 */
#ifndef FZ_STORE_STORE_H
#define FZ_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

struct fz_err;
struct fz_store;
struct fz_db;

#define FZ_STORE_APP_ID 0x465A4849 /* "FZHI" */

/* The schema version this build writes. */
int fz_store_schema_version(void);

/*
 * Opens (creating it if create) and migrates a database. On failure returns
 * FZ_EVERSION (not fazhi's, or newer), -errno or FZ_ESTORE with err set.
 * Caller frees with fz_store_free().
 */
int fz_store_open(const char *path, int create, struct fz_store **out /* OUT */,
		  struct fz_err *err);
/* Stops the writer (after finishing queued writes) and closes everything. */
void fz_store_free(struct fz_store *s);

/* Starts the group-commit writer thread. 0 or -errno. */
int fz_store_start_writer(struct fz_store *s, int batch);

typedef int (*fz_store_write_fn)(struct fz_db *db, void *arg, struct fz_err *err);

/*
 * Runs fn inside a write transaction and waits until it is committed.
 * fn returns 0 to keep its changes or an error to undo them. Returns fn's
 * result, or FZ_ESTORE if the commit failed.
 */
int fz_store_write(struct fz_store *s, fz_store_write_fn fn, void *arg, struct fz_err *err);

/* How many writes db (the writer, inside fn) has undone since open: a cache
 * of row ids made by earlier writes is stale once this changes. */
uint64_t fz_store_undos(const struct fz_db *db);

/* A read connection from the pool; NULL when out of memory. Return it with put. */
struct fz_db *fz_store_reader(struct fz_store *s);
void fz_store_reader_put(struct fz_store *s, struct fz_db *db);

/*
 * A consistent view across several reads on one reader: everything read
 * between begin and end sees the same committed state (one SQLite read
 * transaction). 0 or FZ_ESTORE; end always closes it. A begin inside an
 * open snapshot joins it (a GET request's reads are one snapshot already:
 * api/app.h fz_app_db); each begin needs its end.
 */
int fz_store_snapshot_begin(struct fz_db *db, struct fz_err *err);
void fz_store_snapshot_end(struct fz_db *db);

/* Transactions committed since open (for /metrics). */
uint64_t fz_store_commits(const struct fz_store *s);
/* Writes committed since open. */
uint64_t fz_store_writes(const struct fz_store *s);
/* Writes waiting for the writer now (a gauge for /metrics; tests use it to
 * know that writes have queued up). */
size_t fz_store_queued(struct fz_store *s);

#endif

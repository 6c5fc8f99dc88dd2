#include "store/calendar_store.h"

#include "core/err.h"
#include "store/db.h"

int fz_store_calendar_put(struct fz_db *db, int year, const char *source, const char *data,
			  int64_t imported_at, struct fz_err *err)
{
	sqlite3_stmt *st =
		db_stmt(db,
			"INSERT OR REPLACE INTO calendars(year, source, data, imported_at)"
			" VALUES (?1, ?2, ?3, ?4)",
			err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int(st, 1, year);
	db_bind_text(st, 2, source);
	db_bind_text(st, 3, data);
	sqlite3_bind_int64(st, 4, imported_at);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, rc, err);
}

int fz_store_calendar_list(struct fz_db *db, fz_calendar_row_fn each, void *ctx, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(
		db, "SELECT year, source, data, imported_at FROM calendars ORDER BY year", err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *source = (const char *)sqlite3_column_text(st, 1);
		const char *data = (const char *)sqlite3_column_text(st, 2);
		if (each(ctx, sqlite3_column_int(st, 0), source ? source : "", data ? data : "",
			 sqlite3_column_int64(st, 3)))
			break;
	}
	return db_finish(db, st, rc, err);
}

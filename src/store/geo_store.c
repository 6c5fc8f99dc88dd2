#include "store/geo_store.h"

#include "core/err.h"
#include "store/db.h"

int fz_store_geo_uploads(struct fz_db *db, fz_geo_upload_fn fn, void *ctx, struct fz_err *err)
{
	sqlite3_stmt *st =
		db_stmt(db, "SELECT code, geojson FROM boundary_uploads ORDER BY code", err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(ctx, (const char *)sqlite3_column_text(st, 0),
		       (const char *)sqlite3_column_text(st, 1))) {
			sqlite3_reset(st);
			return fz_err_set(err, FZ_ENOMEM, NULL, NULL,
					  "内存不足，无法读取上传的边界");
		}
	return db_finish(db, st, rc, err);
}

int fz_store_geo_upload_put(struct fz_db *db, const char *code, const char *feature, int64_t at,
			    int64_t by, struct fz_err *err)
{
	sqlite3_stmt *st =
		db_stmt(db,
			"INSERT OR REPLACE INTO boundary_uploads(code, geojson, uploaded_at,"
			" uploaded_by) VALUES (?1, ?2, ?3, ?4)",
			err);

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, code);
	db_bind_text(st, 2, feature);
	sqlite3_bind_int64(st, 3, at);
	sqlite3_bind_int64(st, 4, by);
	return db_step_done(db, st, err);
}

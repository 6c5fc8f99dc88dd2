/* Records and subjects (see record_store.h); sources and quarantine are in source_store.c. */
#include "store/record_store.h"

#include "core/err.h"
#include "core/json.h"
#include "store/db.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define RECORD_COLUMNS                                                                        \
	"r.id, s.name, r.type, r.external_id, r.at, r.received_at, r.lon, r.lat, r.region,"  \
	" r.fields"

/* Reads a row of RECORD_COLUMNS into r (strings borrowed from st) and calls fn. */
static int emit(sqlite3_stmt *st, fz_record_sink_fn fn, void *ctx, int *stop)
{
	struct fz_record r;
	cJSON *fields;
	int rc;

	memset(&r, 0, sizeof(r));
	r.id = sqlite3_column_int64(st, 0);
	r.source = (const char *)sqlite3_column_text(st, 1);
	r.type = (const char *)sqlite3_column_text(st, 2);
	r.external_id = (const char *)sqlite3_column_text(st, 3);
	r.at = sqlite3_column_int64(st, 4);
	r.received_at = sqlite3_column_int64(st, 5);
	r.has_location = sqlite3_column_type(st, 6) != SQLITE_NULL;
	r.lon = sqlite3_column_double(st, 6);
	r.lat = sqlite3_column_double(st, 7);
	r.region = (const char *)sqlite3_column_text(st, 8);
	fields = fz_json_parse((const char *)sqlite3_column_text(st, 9),
			       (size_t)sqlite3_column_bytes(st, 9), 32, NULL);
	if (!fields)
		fields = cJSON_CreateObject();
	r.fields = fields;
	if (!r.source)
		r.source = "";
	if (!r.region)
		r.region = "";
	rc = fn(ctx, &r);
	cJSON_Delete(fields);
	if (rc)
		*stop = rc;
	return rc;
}

/* The exclusive upper bound of the names starting with prefix. */
static void upper_bound(const char *prefix, char *out, size_t size)
{
	size_t n = strlen(prefix);

	if (!n || n + 1 >= size) {
		snprintf(out, size, "~");
		return;
	}
	memcpy(out, prefix, n + 1);
	out[n - 1]++;
}

int fz_record_store_scan(struct fz_db *db, const char *type_prefix, int64_t since, int64_t until,
			 fz_record_sink_fn fn, void *ctx, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
				   "SELECT " RECORD_COLUMNS " FROM records r"
				   " JOIN sources s ON s.id = r.source_id"
				   " WHERE r.type >= ?1 AND r.type < ?2 AND r.at >= ?3 AND r.at < ?4"
				   " ORDER BY r.at, r.id",
				   err);
	char hi[80];
	int rc, stop = 0;

	if (!st)
		return FZ_ESTORE;
	upper_bound(type_prefix ? type_prefix : "", hi, sizeof(hi));
	db_bind_text(st, 1, type_prefix ? type_prefix : "");
	db_bind_text(st, 2, hi);
	sqlite3_bind_int64(st, 3, since);
	sqlite3_bind_int64(st, 4, until);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (emit(st, fn, ctx, &stop))
			break;
	rc = db_finish(db, st, rc, err);
	return stop ? stop : rc;
}

int fz_record_store_after(struct fz_db *db, int64_t after, int limit, fz_record_sink_fn fn,
			  void *ctx, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
				   "SELECT " RECORD_COLUMNS " FROM records r"
				   " JOIN sources s ON s.id = r.source_id"
				   " WHERE r.id > ?1 ORDER BY r.id LIMIT ?2",
				   err);
	int rc, stop = 0;

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int(st, 2, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (emit(st, fn, ctx, &stop))
			break;
	rc = db_finish(db, st, rc, err);
	return stop ? stop : rc;
}

/* ---- bulk writes: multi-row statements, built once ---- */

#define LINK_ROWS 256

static char insert_many_sql[160 + FZ_RECORD_STORE_ROWS * 40];
static char insert_one_sql[320];
static char link_many_sql[120 + LINK_ROWS * 12];
static pthread_once_t bulk_once = PTHREAD_ONCE_INIT;

static void rows_sql(char *out, size_t size, const char *head, int rows, const char *row,
		     const char *tail)
{
	size_t n = (size_t)snprintf(out, size, "%s", head);

	for (int i = 0; i < rows && n < size; i++)
		n += (size_t)snprintf(out + n, size - n, "%s%s", i ? "," : "", row);
	if (n < size)
		snprintf(out + n, size - n, "%s", tail);
}

static void bulk_init(void)
{
	static const char head[] = "INSERT INTO records(id, source_id, type, external_id, at,"
				   " received_at, lon, lat, region, region_path, fields) VALUES ";
	static const char tail[] = " ON CONFLICT(source_id, external_id) DO NOTHING RETURNING id";

	rows_sql(insert_many_sql, sizeof(insert_many_sql), head, FZ_RECORD_STORE_ROWS,
		 "(?,?,?,?,?,?,?,?,?,?,?)", tail);
	rows_sql(insert_one_sql, sizeof(insert_one_sql), head, 1, "(?,?,?,?,?,?,?,?,?,?,?)", tail);
	rows_sql(link_many_sql, sizeof(link_many_sql),
		 "INSERT OR IGNORE INTO record_subjects(subject_id, record_id, field) VALUES ",
		 LINK_ROWS, "(?,?,?)", "");
}

static void bind_record(sqlite3_stmt *st, int k, const struct fz_record_in *in, int64_t id)
{
	const struct fz_record *r = in->r;

	sqlite3_bind_int64(st, k + 1, id);
	sqlite3_bind_int64(st, k + 2, in->source_id);
	sqlite3_bind_text(st, k + 3, r->type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, k + 4, r->external_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, k + 5, r->at);
	sqlite3_bind_int64(st, k + 6, r->received_at);
	if (r->has_location) {
		sqlite3_bind_double(st, k + 7, r->lon);
		sqlite3_bind_double(st, k + 8, r->lat);
	} else {
		sqlite3_bind_null(st, k + 7);
		sqlite3_bind_null(st, k + 8);
	}
	sqlite3_bind_text(st, k + 9, r->region ? r->region : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, k + 10, in->region_path ? in->region_path : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, k + 11, in->fields_text, -1, SQLITE_STATIC);
}

int fz_record_store_insert_many(struct fz_db *db, const struct fz_record_in *in, size_t n,
				int64_t first_id, unsigned char *inserted, struct fz_err *err)
{
	size_t i = 0;

	pthread_once(&bulk_once, bulk_init);
	memset(inserted, 0, n);
	while (i < n) {
		size_t rows = n - i >= FZ_RECORD_STORE_ROWS ? FZ_RECORD_STORE_ROWS : 1;
		sqlite3_stmt *st =
			db_stmt(db, rows > 1 ? insert_many_sql : insert_one_sql, err);
		int rc;

		if (!st)
			return FZ_ESTORE;
		for (size_t k = 0; k < rows; k++)
			bind_record(st, (int)(k * 11), &in[i + k], first_id + (int64_t)(i + k));
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			int64_t id = sqlite3_column_int64(st, 0) - first_id;
			if (id >= (int64_t)i && id < (int64_t)(i + rows))
				inserted[id] = 1;
		}
		if ((rc = db_finish(db, st, rc, err)))
			return rc;
		i += rows;
	}
	return 0;
}

int fz_record_store_next_id(struct fz_db *db, int64_t *id, struct fz_err *err)
{
	int rc = fz_record_store_last_id(db, id, err);

	if (!rc)
		++*id;
	return rc;
}

int fz_record_store_link_many(struct fz_db *db, const struct fz_record_link *l, size_t n,
			      struct fz_err *err)
{
	pthread_once(&bulk_once, bulk_init);
	while (n) {
		size_t rows = n >= LINK_ROWS ? LINK_ROWS : 1;
		int rc;

		if (rows == 1) {
			if ((rc = fz_record_store_link_id(db, l->record_id, l->subject_id, l->field,
							  err)))
				return rc;
		} else {
			sqlite3_stmt *st = db_stmt(db, link_many_sql, err);
			if (!st)
				return FZ_ESTORE;
			for (size_t k = 0; k < rows; k++) {
				sqlite3_bind_int64(st, (int)(k * 3 + 1), l[k].subject_id);
				sqlite3_bind_int64(st, (int)(k * 3 + 2), l[k].record_id);
				sqlite3_bind_text(st, (int)(k * 3 + 3), l[k].field, -1,
						  SQLITE_STATIC);
			}
			if ((rc = db_step_done(db, st, err)))
				return rc;
		}
		l += rows;
		n -= rows;
	}
	return 0;
}

int fz_record_store_subject(struct fz_db *db, const char *kind, const char *key, int64_t now,
			    int64_t *id, struct fz_err *err)
{
	sqlite3_stmt *get = db_stmt(db, "SELECT id FROM subjects WHERE kind = ?1 AND key = ?2", err);
	sqlite3_stmt *put;
	int rc;

	*id = 0;
	if (!get)
		return FZ_ESTORE;
	sqlite3_bind_text(get, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(get, 2, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(get);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(get, 0);
	if ((rc = db_finish(db, get, rc, err)) || *id)
		return rc;
	if (!(put = db_stmt(db, "INSERT INTO subjects(kind, key, created_at) VALUES (?1, ?2, ?3)",
			    err)))
		return FZ_ESTORE;
	sqlite3_bind_text(put, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(put, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(put, 3, now);
	if ((rc = db_step_done(db, put, err)))
		return rc;
	*id = sqlite3_last_insert_rowid(db->conn);
	return 0;
}

int fz_record_store_link_id(struct fz_db *db, int64_t record_id, int64_t subject_id,
			    const char *field, struct fz_err *err)
{
	sqlite3_stmt *link = db_stmt(db,
				     "INSERT OR IGNORE INTO record_subjects(subject_id, record_id, field)"
				     " VALUES (?1, ?2, ?3)",
				     err);

	if (!link)
		return FZ_ESTORE;
	sqlite3_bind_int64(link, 1, subject_id);
	sqlite3_bind_int64(link, 2, record_id);
	sqlite3_bind_text(link, 3, field, -1, SQLITE_STATIC);
	return db_step_done(db, link, err);
}

int fz_record_store_find(struct fz_db *db, int64_t source_id, const char *external_id,
			 int64_t *id, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(
		db, "SELECT id FROM records WHERE source_id = ?1 AND external_id = ?2", err);
	int rc;

	*id = 0;
	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, source_id);
	db_bind_text(st, 2, external_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	return db_finish(db, st, rc, err);
}

int fz_record_store_last_id(struct fz_db *db, int64_t *id, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT COALESCE(MAX(id), 0) FROM records", err);
	int rc;

	*id = 0;
	if (!st)
		return FZ_ESTORE;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	return db_finish(db, st, rc, err);
}

/* ---- subjects ---- */

static void subject_row(sqlite3_stmt *st, struct fz_subject_row *s)
{
	memset(s, 0, sizeof(*s));
	s->id = sqlite3_column_int64(st, 0);
	db_text(st, 1, s->kind, sizeof(s->kind));
	db_text(st, 2, s->key, sizeof(s->key));
	s->created_at = sqlite3_column_int64(st, 3);
	s->records = sqlite3_column_int64(st, 4);
}

int fz_subject_store_get(struct fz_db *db, int64_t id, struct fz_subject_row *out,
			 struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
				   "SELECT id, kind, key, created_at,"
				   " (SELECT COUNT(*) FROM record_subjects WHERE subject_id = ?1)"
				   " FROM subjects WHERE id = ?1",
				   err);
	int rc;

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		subject_row(st, out);
	if ((rc = db_finish(db, st, rc, err)))
		return rc;
	return out->id == id ? 0
			     : fz_err_set(err, FZ_ENOTFOUND, NULL, "id", "对象 %lld 不存在",
					  (long long)id);
}

int fz_subject_store_search(struct fz_db *db, const char *key, const char *pattern, int limit,
			    fz_subject_row_fn fn, void *ctx, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
				   "SELECT id, kind, key, created_at,"
				   " (SELECT COUNT(*) FROM record_subjects WHERE subject_id = s.id)"
				   " FROM subjects s WHERE key = ?1 OR (?2 IS NOT NULL AND key LIKE ?2)"
				   " ORDER BY id LIMIT ?3",
				   err);
	struct fz_subject_row s;
	int rc;

	if (!st)
		return FZ_ESTORE;
	db_bind_text(st, 1, key ? key : "");
	if (pattern)
		db_bind_text(st, 2, pattern);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_int(st, 3, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		subject_row(st, &s);
		if (fn(ctx, &s))
			break;
	}
	return db_finish(db, st, rc, err);
}

int fz_subject_store_records(struct fz_db *db, int64_t subject_id, const char *scope_path,
			     int unlocated, int64_t cursor, int limit, fz_record_sink_fn fn,
			     void *ctx, struct fz_err *err)
{
	sqlite3_stmt *st = db_stmt(db,
				   "SELECT " RECORD_COLUMNS " FROM record_subjects rs"
				   " JOIN records r ON r.id = rs.record_id"
				   " JOIN sources s ON s.id = r.source_id"
				   " WHERE rs.subject_id = ?1 AND (?4 = 0 OR r.id < ?4)"
				   " AND ((?2 != '' AND r.region_path LIKE ?2 || '%')"
				   "  OR (?3 AND r.region_path = ''))"
				   " GROUP BY r.id ORDER BY r.id DESC LIMIT ?5",
				   err);
	int rc, stop = 0;

	if (!st)
		return FZ_ESTORE;
	sqlite3_bind_int64(st, 1, subject_id);
	db_bind_text(st, 2, scope_path ? scope_path : "");
	sqlite3_bind_int(st, 3, unlocated);
	sqlite3_bind_int64(st, 4, cursor);
	sqlite3_bind_int(st, 5, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (emit(st, fn, ctx, &stop))
			break;
	rc = db_finish(db, st, rc, err);
	return stop ? stop : rc;
}

/*
 * Faults on purpose in the store: a VFS shim over the default one that fails
 * writes or syncs with SQLITE_IOERR while armed (SQLite's test_vfs idea).
 * A write that meets an I/O error is reported as FZ_ESTORE, its batch is
 * undone, and the store goes on working once the disk recovers; ingest's
 * subject-id cache forgets ids made in a commit that failed.
 */
#include "support.h"

#include "core/err.h"
#include "datahub/ingest.h"
#include "datahub/source.h"
#include "store/record_store.h"
#include "store/registry_store.h"
#include "store/store.h"

#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static sqlite3_vfs *real;
static sqlite3_vfs shim;
static atomic_int fail_io; /* armed: xWrite and xSync fail */
static atomic_int failures;

struct shim_file {
	sqlite3_file base;
	sqlite3_file *real; /* allocated right after this struct */
};

static const struct sqlite3_io_methods *real_methods(sqlite3_file *f)
{
	return ((struct shim_file *)f)->real->pMethods;
}

#define REAL(f) (((struct shim_file *)(f))->real)

static int s_close(sqlite3_file *f)
{
	return real_methods(f)->xClose(REAL(f));
}
static int s_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o)
{
	return real_methods(f)->xRead(REAL(f), b, n, o);
}
static int s_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o)
{
	if (atomic_load(&fail_io)) {
		atomic_fetch_add(&failures, 1);
		return SQLITE_IOERR_WRITE;
	}
	return real_methods(f)->xWrite(REAL(f), b, n, o);
}
static int s_truncate(sqlite3_file *f, sqlite3_int64 n)
{
	return real_methods(f)->xTruncate(REAL(f), n);
}
static int s_sync(sqlite3_file *f, int flags)
{
	if (atomic_load(&fail_io)) {
		atomic_fetch_add(&failures, 1);
		return SQLITE_IOERR_FSYNC;
	}
	return real_methods(f)->xSync(REAL(f), flags);
}
static int s_size(sqlite3_file *f, sqlite3_int64 *n)
{
	return real_methods(f)->xFileSize(REAL(f), n);
}
static int s_lock(sqlite3_file *f, int l)
{
	return real_methods(f)->xLock(REAL(f), l);
}
static int s_unlock(sqlite3_file *f, int l)
{
	return real_methods(f)->xUnlock(REAL(f), l);
}
static int s_reserved(sqlite3_file *f, int *out)
{
	return real_methods(f)->xCheckReservedLock(REAL(f), out);
}
static int s_fcntl(sqlite3_file *f, int op, void *arg)
{
	return real_methods(f)->xFileControl(REAL(f), op, arg);
}
static int s_sector(sqlite3_file *f)
{
	return real_methods(f)->xSectorSize(REAL(f));
}
static int s_caps(sqlite3_file *f)
{
	return real_methods(f)->xDeviceCharacteristics(REAL(f));
}
static int s_shmmap(sqlite3_file *f, int pg, int sz, int ext, void volatile **p)
{
	return real_methods(f)->xShmMap(REAL(f), pg, sz, ext, p);
}
static int s_shmlock(sqlite3_file *f, int o, int n, int flags)
{
	return real_methods(f)->xShmLock(REAL(f), o, n, flags);
}
static void s_shmbarrier(sqlite3_file *f)
{
	real_methods(f)->xShmBarrier(REAL(f));
}
static int s_shmunmap(sqlite3_file *f, int del)
{
	return real_methods(f)->xShmUnmap(REAL(f), del);
}

static const sqlite3_io_methods shim_methods = {
	2,	   s_close,	 s_read,     s_write, s_truncate, s_sync, s_size,
	s_lock,	   s_unlock,	 s_reserved, s_fcntl, s_sector,	  s_caps, s_shmmap,
	s_shmlock, s_shmbarrier, s_shmunmap, NULL,    NULL,
};

static int s_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
	struct shim_file *sf = (struct shim_file *)f;
	int rc;

	(void)vfs;
	sf->real = (sqlite3_file *)(sf + 1);
	rc = real->xOpen(real, name, sf->real, flags, out_flags);
	sf->base.pMethods = rc == SQLITE_OK ? &shim_methods : NULL;
	return rc;
}

static void install_shim(void)
{
	if (real)
		return;
	real = sqlite3_vfs_find(NULL);
	shim = *real;
	shim.zName = "fazhi-faults";
	shim.szOsFile = (int)sizeof(struct shim_file) + real->szOsFile;
	shim.xOpen = s_open;
	assert_int_equal(sqlite3_vfs_register(&shim, 1), SQLITE_OK);
}

static int put_region(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct fz_region r;

	(void)arg;
	memset(&r, 0, sizeof(r));
	snprintf(r.code, sizeof(r.code), "330702");
	snprintf(r.level, sizeof(r.level), "district");
	snprintf(r.name, sizeof(r.name), "婺城区");
	return fz_store_region_put(db, &r, err) ?: fz_store_region_finish(db, err);
}

static int put_unit(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct fz_unit u;

	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "%s", (const char *)arg);
	snprintf(u.kind, sizeof(u.kind), "other");
	snprintf(u.region, sizeof(u.region), "330702");
	return fz_store_unit_insert(db, &u, err);
}

static int count_one(void *ctx, const struct fz_unit *u)
{
	(void)u;
	(*(int *)ctx)++;
	return 0;
}

static int units(struct fz_store *s)
{
	struct fz_unit_filter f = { "/", NULL, NULL, NULL, 0, 1000 };
	struct fz_db *db = fz_store_reader(s);
	int n = 0;

	assert_non_null(db);
	assert_int_equal(fz_store_unit_list(db, &f, count_one, &n, NULL), 0);
	fz_store_reader_put(s, db);
	return n;
}

static void io_error_fails_the_write_and_the_store_recovers(void **state)
{
	static char before[] = "写入前", during[] = "磁盘故障时", after[] = "恢复后";
	char *path = ts_tmpfile("faults.db");
	struct fz_store *s = NULL;
	struct fz_err err;

	(void)state;
	install_shim();
	fz_err_init(&err);
	assert_int_equal(fz_store_open(path, 1, &s, &err), 0);
	assert_int_equal(fz_store_start_writer(s, 8), 0);
	assert_int_equal(fz_store_write(s, put_region, NULL, &err), 0);
	assert_int_equal(fz_store_write(s, put_unit, before, &err), 0);

	atomic_store(&fail_io, 1);
	assert_int_equal(fz_store_write(s, put_unit, during, &err), FZ_ESTORE);
	atomic_store(&fail_io, 0);
	assert_true(atomic_load(&failures) > 0);
	assert_non_null(strstr(err.msg, "I/O"));

	fz_err_init(&err);
	assert_int_equal(fz_store_write(s, put_unit, after, &err), 0);
	assert_int_equal(units(s), 2); /* the failed write left nothing */
	fz_store_free(s);

	/* reopened, the file is whole and holds exactly the two units */
	assert_int_equal(fz_store_open(path, 0, &s, &err), 0);
	assert_int_equal(units(s), 2);
	fz_store_free(s);
	free(path);
}

/* ---- ingest's subject-id cache across a failed commit ---- */

#define NOW 1772413200000LL

static void write_text(const char *dir, const char *name, const char *text)
{
	char p[1024];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	assert_non_null(f = fopen(p, "w"));
	fputs(text, f);
	fclose(f);
}

static int keep_row(void *ctx, const struct fz_subject_row *r)
{
	*(struct fz_subject_row *)ctx = *r;
	return 1;
}

static int64_t links(struct fz_store *s, const char *plate)
{
	struct fz_subject_row row = { 0 };
	struct fz_db *db = fz_store_reader(s);

	assert_int_equal(fz_subject_store_search(db, plate, NULL, 1, keep_row, &row, NULL), 0);
	fz_store_reader_put(s, db);
	return row.records;
}

static void submit(struct fz_ingest *in, const char *id, const char *plate, int want)
{
	char line[200];
	struct fz_ingest_summary sum;
	struct fz_err err;
	int n = snprintf(line, sizeof(line), "{\"id\":\"%s\",\"at\":%lld,\"plate\":\"%s\"}", id,
			 NOW - 1000, plate);

	fz_err_init(&err);
	assert_int_equal(fz_ingest_submit(in, "wim", "ov.weighing", line, (size_t)n,
					  FZ_INGEST_NDJSON, NOW, &sum, &err),
			 want);
	fz_ingest_summary_release(&sum);
}

/* A subject made in a commit that failed is gone; the id SQLite gives the
 * next new subject is the same number. The cache must not hand the old
 * plate that id (its record would be linked to another vehicle). */
static void failed_commit_empties_the_subject_cache(void **state)
{
	char *path = ts_tmpfile("cache.db");
	const char *dir = ts_tmpdir();
	char p[1024], key[FZ_SOURCE_KEY_LEN];
	cJSON *types = cJSON_Parse("[\"ov.weighing\"]");
	struct fz_ingest_config cfg;
	struct fz_recordtypes_report rep;
	struct fz_store *s = NULL;
	struct fz_ingest *in;
	struct fz_err err;

	(void)state;
	install_shim();
	snprintf(p, sizeof(p), "%s/ov", dir);
	mkdir(p, 0755);
	write_text(p, "pack.json", "{\"name\":\"ov\"}");
	snprintf(p, sizeof(p), "%s/ov/record-types", dir);
	mkdir(p, 0755);
	write_text(p, "t.json",
		   "{\"type\":\"ov.weighing\",\"title\":\"称重\",\"external_id\":\"id\","
		   "\"time\":\"at\",\"fields\":{\"at\":{\"type\":\"time\",\"required\":true},"
		   "\"plate\":{\"type\":\"plate\",\"required\":true,\"subject\":\"vehicle\"}}}");
	fz_err_init(&err);
	assert_int_equal(fz_store_open(path, 1, &s, &err), 0);
	assert_int_equal(fz_store_start_writer(s, 8), 0);
	assert_int_equal(fz_source_add(s, "wim", "称重", 0, types, NOW, key, &err), 0);
	cJSON_Delete(types);
	memset(&cfg, 0, sizeof(cfg));
	cfg.store = s;
	cfg.apps_dir = dir;
	assert_int_equal(fz_ingest_new(&cfg, &in, &rep, &err), 0);

	submit(in, "1", "浙G12345", 0);
	atomic_store(&fail_io, 1);
	submit(in, "2", "浙G22222", FZ_ESTORE); /* its new subject is undone */
	atomic_store(&fail_io, 0);
	submit(in, "3", "浙G33333", 0); /* a new subject, given the undone id */
	submit(in, "4", "浙G22222", 0); /* must not be linked to 浙G33333 */
	assert_int_equal(links(s, "浙G12345"), 1);
	assert_int_equal(links(s, "浙G33333"), 1);
	assert_int_equal(links(s, "浙G22222"), 1);
	fz_ingest_free(in);
	fz_store_free(s);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(io_error_fails_the_write_and_the_store_recovers),
		cmocka_unit_test(failed_commit_empties_the_subject_cache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

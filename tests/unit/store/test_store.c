/* Unit tests of store/store: migrations, refusing foreign files, group commit. */
#include "support.h"

#include "core/err.h"
#include "store/registry_store.h"
#include "store/store.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NOW 1772413200000LL /* 2026-03-02T01:00:00Z */

/* ---- helpers ---- */

static int put_region(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct fz_region r;
	int rc;

	memset(&r, 0, sizeof(r));
	snprintf(r.code, sizeof(r.code), "330702");
	snprintf(r.level, sizeof(r.level), "district");
	snprintf(r.name, sizeof(r.name), "婺城区");
	rc = fz_store_region_put(db, &r, err);
	return rc ? rc : fz_store_region_finish(db, err);
}

static struct fz_store *open_store(const char *path)
{
	struct fz_store *s = NULL;
	struct fz_err err;

	fz_err_init(&err);
	if (fz_store_open(path, 1, &s, &err))
		fail_msg("open %s: %s", path, err.msg);
	return s;
}

/* A new store at path with the region 330702, for units to point at. */
static struct fz_store *new_store(const char *path)
{
	struct fz_store *s = open_store(path);
	struct fz_err err;

	fz_err_init(&err);
	if (fz_store_write(s, put_region, NULL, &err))
		fail_msg("region: %s", err.msg);
	return s;
}

struct unit_job {
	char name[64];
	int fail_after; /* return FZ_EINVAL after inserting */
	int64_t id;	/* OUT */
};

static int insert_unit(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct unit_job *j = arg;
	struct fz_unit u;
	int rc;

	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "%s", j->name);
	snprintf(u.kind, sizeof(u.kind), "other");
	snprintf(u.region, sizeof(u.region), "330702");
	u.created_at = NOW;
	rc = fz_store_unit_insert(db, &u, err);
	if (rc)
		return rc;
	j->id = u.id;
	if (j->fail_after)
		return fz_err_set(err, FZ_EINVAL, NULL, "name", "refused on purpose");
	return 0;
}

static int write_unit(struct fz_store *s, const char *name, int64_t *id)
{
	struct unit_job j;
	struct fz_err err;
	int rc;

	memset(&j, 0, sizeof(j));
	snprintf(j.name, sizeof(j.name), "%s", name);
	fz_err_init(&err);
	rc = fz_store_write(s, insert_unit, &j, &err);
	if (id)
		*id = j.id;
	return rc;
}

static int count_one(void *ctx, const struct fz_unit *u)
{
	(*(int *)ctx)++;
	return 0;
}

static int unit_count(struct fz_store *s)
{
	struct fz_unit_filter f = { .scope_path = "/", .limit = 100000 };
	struct fz_db *db = fz_store_reader(s);
	struct fz_err err;
	int n = 0;

	assert_non_null(db);
	fz_err_init(&err);
	assert_int_equal(fz_store_unit_list(db, &f, count_one, &n, &err), 0);
	fz_store_reader_put(s, db);
	return n;
}

/* 1 when unit id is visible to a reader, 0 if not, -1 on error. No cmocka
 * asserts: worker threads call it. */
static int unit_visible(struct fz_store *s, int64_t id)
{
	struct fz_db *db = fz_store_reader(s);
	struct fz_unit u;
	struct fz_err err;
	int rc;

	if (!db)
		return -1;
	fz_err_init(&err);
	rc = fz_store_unit_get(db, id, &u, &err);
	fz_store_reader_put(s, db);
	return rc == 0 ? 1 : rc == FZ_ENOTFOUND ? 0 : -1;
}

static int unit_exists(struct fz_store *s, int64_t id)
{
	int v = unit_visible(s, id);

	assert_true(v >= 0);
	return v;
}

/* How many units are named exactly name. */
static int units_named(struct fz_store *s, const char *name)
{
	struct fz_unit_filter f = { .scope_path = "/", .q = name, .limit = 100 };
	struct fz_db *db = fz_store_reader(s);
	struct fz_err err;
	int n = 0;

	assert_non_null(db);
	fz_err_init(&err);
	assert_int_equal(fz_store_unit_list(db, &f, count_one, &n, &err), 0);
	fz_store_reader_put(s, db);
	return n;
}

static int pragma(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int v = -1;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void sql(const char *path, const char *text)
{
	sqlite3 *db;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, text, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", text, msg);
	sqlite3_close(db);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ---- open and migrate ---- */

static void open_creates_and_migrates(void **state)
{
	char *path = ts_tmpfile("new.db");
	struct fz_store *s = open_store(path);

	assert_true(fz_store_schema_version() >= 1);
	fz_store_free(s);
	assert_int_equal(pragma(path, "PRAGMA user_version"), fz_store_schema_version());
	assert_int_equal(pragma(path, "PRAGMA application_id"), FZ_STORE_APP_ID);
	assert_int_equal(pragma(path, "SELECT count(*) FROM sqlite_schema"
				      " WHERE name IN ('units', 'users', 'audit', 'sessions')"),
			 4);
	free(path);
}

static void open_without_create_refuses_missing_file(void **state)
{
	char *path = ts_tmpfile("missing.db");
	struct fz_store *s = (struct fz_store *)1;
	struct fz_err err;
	FILE *f;

	fz_err_init(&err);
	assert_true(fz_store_open(path, 0, &s, &err) < 0);
	assert_null(s);
	assert_non_null(strstr(err.msg, path));
	/* and it did not create the file */
	f = fopen(path, "r");
	assert_null(f);
	free(path);
}

static void reopen_keeps_data(void **state)
{
	char *path = ts_tmpfile("keep.db");
	struct fz_store *s = new_store(path);
	int64_t id = 0;
	struct fz_unit u;
	struct fz_db *db;
	struct fz_err err;

	assert_int_equal(write_unit(s, "金华市婺城区司法局", &id), 0);
	assert_true(id > 0);
	fz_store_free(s);

	s = NULL;
	fz_err_init(&err);
	assert_int_equal(fz_store_open(path, 0, &s, &err), 0);
	db = fz_store_reader(s);
	assert_int_equal(fz_store_unit_get(db, id, &u, &err), 0);
	assert_string_equal(u.name, "金华市婺城区司法局");
	assert_string_equal(u.region_path, "/330702/");
	assert_int_equal(u.created_at, NOW);
	fz_store_reader_put(s, db);
	fz_store_free(s);
	/* reopening did not re-run migrations */
	assert_int_equal(pragma(path, "PRAGMA user_version"), fz_store_schema_version());
	free(path);
}

static void refuses_file_that_is_not_sqlite(void **state)
{
	char *path = ts_tmpfile("notes.txt");
	FILE *f = fopen(path, "w");
	struct fz_store *s = NULL;
	struct fz_err err;
	char before[64], after[64];

	for (int i = 0; i < 200; i++)
		fprintf(f, "line %d: these are somebody's notes, not a database\n", i);
	fclose(f);
	fz_err_init(&err);
	assert_int_equal(fz_store_open(path, 1, &s, &err), FZ_EVERSION);
	assert_null(s);
	assert_string_equal(err.machine, "wrong_version");
	assert_non_null(strstr(err.msg, "不是 fazhi 的数据库"));
	assert_non_null(strstr(err.msg, path));
	/* the file was left alone */
	f = fopen(path, "r");
	assert_non_null(fgets(before, sizeof(before), f));
	fclose(f);
	snprintf(after, sizeof(after), "line 0: these are somebody's notes, not a database\n");
	assert_string_equal(before, after);
	free(path);
}

static void refuses_sqlite_file_of_another_application(void **state)
{
	char *path = ts_tmpfile("other.db");
	struct fz_store *s = NULL;
	struct fz_err err;

	sql(path, "PRAGMA application_id = 305419896;" /* 0x12345678 */
		  "CREATE TABLE notes(id INTEGER PRIMARY KEY, text TEXT);"
		  "INSERT INTO notes(text) VALUES ('keep me');");
	fz_err_init(&err);
	assert_int_equal(fz_store_open(path, 1, &s, &err), FZ_EVERSION);
	assert_null(s);
	assert_non_null(strstr(err.msg, "不是 fazhi 的数据库"));
	assert_non_null(strstr(err.msg, "12345678"));
	/* nothing was migrated into it */
	assert_int_equal(pragma(path, "PRAGMA user_version"), 0);
	assert_int_equal(pragma(path, "SELECT count(*) FROM notes"), 1);
	assert_int_equal(pragma(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'units'"),
			 0);
	free(path);
}

static void refuses_plain_sqlite_file_with_tables(void **state)
{
	char *path = ts_tmpfile("plain.db");
	struct fz_store *s = NULL;
	struct fz_err err;

	/* application_id 0, but somebody's tables: not ours either */
	sql(path, "CREATE TABLE t(x);");
	fz_err_init(&err);
	assert_int_equal(fz_store_open(path, 1, &s, &err), FZ_EVERSION);
	assert_null(s);
	assert_int_equal(pragma(path, "PRAGMA application_id"), 0);
	free(path);
}

static void refuses_file_from_newer_fazhi(void **state)
{
	char *path = ts_tmpfile("newer.db");
	struct fz_store *s = open_store(path);
	struct fz_err err;
	char newer[16], ours[16], text[64];
	int v = fz_store_schema_version() + 5;

	fz_store_free(s);
	snprintf(text, sizeof(text), "PRAGMA user_version = %d", v);
	sql(path, text);
	s = NULL;
	fz_err_init(&err);
	assert_int_equal(fz_store_open(path, 0, &s, &err), FZ_EVERSION);
	assert_null(s);
	snprintf(newer, sizeof(newer), "%d", v);
	snprintf(ours, sizeof(ours), "%d", fz_store_schema_version());
	assert_non_null(strstr(err.msg, newer));
	assert_non_null(strstr(err.msg, ours));
	assert_int_equal(pragma(path, "PRAGMA user_version"), v);
	free(path);
}

/* ---- writes ---- */

static void write_without_writer_thread_commits(void **state)
{
	char *path = ts_tmpfile("direct.db");
	struct fz_store *s = new_store(path);
	uint64_t w0 = fz_store_writes(s);
	int64_t id = 0;

	assert_int_equal(write_unit(s, "直接写入", &id), 0);
	assert_true(unit_exists(s, id));
	assert_int_equal(fz_store_writes(s), w0 + 1);
	/* a constraint violation comes back as a conflict naming the field */
	{
		struct unit_job j;
		struct fz_err err;

		memset(&j, 0, sizeof(j));
		snprintf(j.name, sizeof(j.name), "直接写入");
		fz_err_init(&err);
		assert_int_equal(fz_store_write(s, insert_unit, &j, &err), FZ_ECONFLICT);
		assert_string_equal(err.field, "name");
	}
	assert_int_equal(fz_store_writes(s), w0 + 1);
	assert_int_equal(unit_count(s), 1);
	fz_store_free(s);
	free(path);
}

enum { THREADS = 4, PER_THREAD = 40 };

struct worker {
	struct fz_store *store;
	int index;
	int failures; /* writes that returned non-zero */
	int unseen;   /* committed writes a reader did not see afterwards */
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char name[64];

	for (int i = 0; i < PER_THREAD; i++) {
		int64_t id = 0;
		snprintf(name, sizeof(name), "单位-%d-%d", w->index, i);
		if (write_unit(w->store, name, &id)) {
			w->failures++;
			continue;
		}
		/* once fz_store_write returns the write is durable and visible */
		if (unit_visible(w->store, id) != 1)
			w->unseen++;
	}
	return NULL;
}

static void group_commit_from_four_threads(void **state)
{
	char *path = ts_tmpfile("group.db");
	struct fz_store *s = new_store(path);
	struct worker w[THREADS];
	pthread_t t[THREADS];
	uint64_t c0, w0;

	assert_int_equal(fz_store_start_writer(s, 16), 0);
	c0 = fz_store_commits(s);
	w0 = fz_store_writes(s);
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ s, i, 0, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].failures, 0);
		assert_int_equal(w[i].unseen, 0);
	}
	assert_int_equal(fz_store_writes(s) - w0, THREADS * PER_THREAD);
	assert_true(fz_store_commits(s) - c0 >= 1);
	assert_true(fz_store_commits(s) - c0 <= THREADS * PER_THREAD);
	assert_int_equal(unit_count(s), THREADS * PER_THREAD);
	fz_store_free(s);

	/* all of it is on disk */
	s = open_store(path);
	assert_int_equal(unit_count(s), THREADS * PER_THREAD);
	fz_store_free(s);
	free(path);
}

/* A write whose callback blocks until released, holding up the writer. */
struct blocker {
	atomic_int entered;
	atomic_int release;
};

static int block_writer(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct blocker *b = arg;

	atomic_store(&b->entered, 1);
	while (!atomic_load(&b->release))
		sleep_ms(1);
	return 0;
}

struct submit {
	struct fz_store *store;
	struct unit_job job;
	struct blocker *blocker;
	struct fz_err err;
	int rc;
	pthread_t thread;
};

static void *submit_main(void *arg)
{
	struct submit *s = arg;

	fz_err_init(&s->err);
	s->rc = fz_store_write(s->store, insert_unit, &s->job, &s->err);
	return NULL;
}

static void *block_main(void *arg)
{
	struct submit *s = arg;

	fz_err_init(&s->err);
	s->rc = fz_store_write(s->store, block_writer, s->blocker, &s->err);
	return NULL;
}

static void failing_write_rolls_back_alone(void **state)
{
	char *path = ts_tmpfile("batch.db");
	struct fz_store *s = new_store(path);
	struct blocker b = { 0, 0 };
	struct submit hold, sub[3];
	uint64_t c0;

	assert_int_equal(fz_store_start_writer(s, 16), 0);
	c0 = fz_store_commits(s);

	/* hold the writer busy so that the next three writes queue up together */
	memset(&hold, 0, sizeof(hold));
	hold.store = s;
	hold.blocker = &b;
	assert_int_equal(pthread_create(&hold.thread, NULL, block_main, &hold), 0);
	while (!atomic_load(&b.entered))
		sleep_ms(1);
	for (int i = 0; i < 3; i++) {
		memset(&sub[i], 0, sizeof(sub[i]));
		sub[i].store = s;
		snprintf(sub[i].job.name, sizeof(sub[i].job.name), "batch-%d", i);
		sub[i].job.fail_after = i == 1;
		assert_int_equal(pthread_create(&sub[i].thread, NULL, submit_main, &sub[i]), 0);
	}
	/* wait until the three are queued behind the blocker */
	while (fz_store_queued(s) < 3)
		sleep_ms(1);
	atomic_store(&b.release, 1);
	pthread_join(hold.thread, NULL);
	for (int i = 0; i < 3; i++)
		pthread_join(sub[i].thread, NULL);

	assert_int_equal(hold.rc, 0);
	assert_int_equal(sub[0].rc, 0);
	assert_int_equal(sub[2].rc, 0);
	assert_int_equal(sub[1].rc, FZ_EINVAL);
	assert_string_equal(sub[1].err.msg, "refused on purpose");
	assert_int_equal(sub[0].err.code, 0);
	assert_int_equal(sub[2].err.code, 0);
	/* the failing write had inserted its row; it was undone, its neighbours
	 * kept (by name: SQLite may reuse the undone row's id) */
	assert_true(sub[1].job.id > 0);
	assert_int_equal(units_named(s, "batch-1"), 0);
	assert_int_equal(units_named(s, "batch-0"), 1);
	assert_int_equal(units_named(s, "batch-2"), 1);
	assert_int_equal(unit_count(s), 2);
	/* the blocker, then the three in one transaction */
	assert_int_equal(fz_store_commits(s) - c0, 2);
	fz_store_free(s);
	free(path);
}

static void reader_sees_later_commits(void **state)
{
	char *path = ts_tmpfile("reader.db");
	struct fz_store *s = new_store(path);
	struct fz_db *db;
	int64_t id = 0;

	assert_int_equal(fz_store_start_writer(s, 8), 0);
	/* a pooled reader, used before the write, sees the write after it */
	assert_int_equal(unit_count(s), 0);
	db = fz_store_reader(s);
	assert_non_null(db);
	fz_store_reader_put(s, db);
	assert_int_equal(write_unit(s, "后来的单位", &id), 0);
	assert_true(unit_exists(s, id));
	assert_int_equal(unit_count(s), 1);
	fz_store_free(s);
	free(path);
}

static int count_on(struct fz_db *db)
{
	struct fz_unit_filter f = { .scope_path = "/", .limit = 100000 };
	struct fz_err err;
	int n = 0;

	fz_err_init(&err);
	assert_int_equal(fz_store_unit_list(db, &f, count_one, &n, &err), 0);
	return n;
}

static void a_snapshot_holds_still_and_nests(void **state)
{
	char *path = ts_tmpfile("snapshot.db");
	struct fz_store *s = new_store(path);
	struct fz_db *db;
	struct fz_err err;
	int64_t id = 0;

	(void)state;
	assert_int_equal(fz_store_start_writer(s, 8), 0);
	db = fz_store_reader(s);
	assert_non_null(db);
	fz_err_init(&err);
	assert_int_equal(fz_store_snapshot_begin(db, &err), 0);
	assert_int_equal(write_unit(s, "快照之后", &id), 0);
	assert_int_equal(count_on(db), 0); /* the snapshot does not move */
	/* a begin inside joins it: its end does not close the outer one */
	assert_int_equal(fz_store_snapshot_begin(db, &err), 0);
	assert_int_equal(count_on(db), 0);
	fz_store_snapshot_end(db);
	assert_int_equal(count_on(db), 0);
	fz_store_snapshot_end(db);
	assert_int_equal(count_on(db), 1); /* closed: the write is seen */
	fz_store_reader_put(s, db);
	fz_store_free(s);
	free(path);
}

static void readers_cannot_write(void **state)
{
	char *path = ts_tmpfile("ro.db");
	struct fz_store *s = new_store(path);
	struct fz_db *db = fz_store_reader(s);
	struct unit_job j;
	struct fz_err err;

	memset(&j, 0, sizeof(j));
	snprintf(j.name, sizeof(j.name), "via reader");
	fz_err_init(&err);
	assert_non_null(db);
	assert_int_not_equal(insert_unit(db, &j, &err), 0);
	fz_store_reader_put(s, db);
	assert_int_equal(unit_count(s), 0);
	fz_store_free(s);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(open_creates_and_migrates),
		cmocka_unit_test(open_without_create_refuses_missing_file),
		cmocka_unit_test(reopen_keeps_data),
		cmocka_unit_test(refuses_file_that_is_not_sqlite),
		cmocka_unit_test(refuses_sqlite_file_of_another_application),
		cmocka_unit_test(refuses_plain_sqlite_file_with_tables),
		cmocka_unit_test(refuses_file_from_newer_fazhi),
		cmocka_unit_test(write_without_writer_thread_commits),
		cmocka_unit_test(group_commit_from_four_threads),
		cmocka_unit_test(failing_write_rolls_back_alone),
		cmocka_unit_test(reader_sees_later_commits),
		cmocka_unit_test(a_snapshot_holds_still_and_nests),
		cmocka_unit_test(readers_cannot_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests of audit/audit: the hash chain and what verification names
 * after the database file is tampered with directly. */
#include "support.h"

#include "audit/audit.h"
#include "core/err.h"
#include "store/audit_store.h"
#include "store/store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW 1772413200000LL /* 2026-03-02T01:00:00Z */
#define N   5

static int append_one(struct fz_db *db, void *arg, struct fz_err *err)
{
	return fz_audit_append(db, arg, err);
}

static void entry(struct fz_audit_entry *e, int i)
{
	memset(e, 0, sizeof(*e));
	e->at = NOW + i * 1000;
	e->actor_id = 7;
	snprintf(e->actor, sizeof(e->actor), "zhangsan");
	snprintf(e->ip, sizeof(e->ip), "10.0.0.%d", i);
	snprintf(e->action, sizeof(e->action), "user.update");
	snprintf(e->object_type, sizeof(e->object_type), "user");
	snprintf(e->object_id, sizeof(e->object_id), "%d", 100 + i);
	snprintf(e->region, sizeof(e->region), "330702");
	snprintf(e->region_path, sizeof(e->region_path), "/330000/330700/330702/");
	snprintf(e->summary, sizeof(e->summary), "修改用户 %d 的电话", 100 + i);
	fz_audit_digest("{\"phone\":\"\"}", e->before_digest);
	fz_audit_digest("{\"phone\":\"13812345678\"}", e->after_digest);
}

/* A fresh store at a new path with n appended entries; returns the path. */
static char *chain(int n, int with_writer)
{
	char *path = ts_tmpfile("audit.db");
	struct fz_store *s = NULL;
	struct fz_err err;

	fz_err_init(&err);
	if (fz_store_open(path, 1, &s, &err))
		fail_msg("open: %s", err.msg);
	if (with_writer)
		assert_int_equal(fz_store_start_writer(s, 8), 0);
	for (int i = 1; i <= n; i++) {
		struct fz_audit_entry e;
		entry(&e, i);
		assert_int_equal(fz_store_write(s, append_one, &e, &err), 0);
		assert_int_equal(e.seq, i);
	}
	fz_store_free(s);
	return path;
}

static struct fz_audit_report verify(const char *path)
{
	struct fz_store *s = NULL;
	struct fz_audit_report r;
	struct fz_err err;
	struct fz_db *db;

	fz_err_init(&err);
	if (fz_store_open(path, 0, &s, &err))
		fail_msg("open: %s", err.msg);
	db = fz_store_reader(s);
	assert_non_null(db);
	assert_int_equal(fz_audit_verify(db, &r, &err), 0);
	fz_store_reader_put(s, db);
	fz_store_free(s);
	return r;
}

/* Runs SQL on the file behind fazhi's back. */
static void tamper(const char *path, const char *text)
{
	sqlite3 *db;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, text, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", text, msg);
	assert_true(sqlite3_changes(db) > 0);
	sqlite3_close(db);
}

static void hash_covers_every_field(void **state)
{
	struct fz_audit_entry a, b;
	char ha[FZ_SHA256_HEX], hb[FZ_SHA256_HEX];

	entry(&a, 1);
	fz_audit_hash(&a, ha);
	assert_int_equal(strlen(ha), 64);
#define CHANGED(stmt)                                                                              \
	do {                                                                                       \
		b = a;                                                                             \
		stmt;                                                                              \
		fz_audit_hash(&b, hb);                                                             \
		assert_string_not_equal(ha, hb);                                                   \
	} while (0)
	CHANGED(b.seq++);
	CHANGED(b.at++);
	CHANGED(b.actor_id++);
	CHANGED(b.actor[0] = 'Z');
	CHANGED(b.ip[0] = '9');
	CHANGED(b.action[0] = 'x');
	CHANGED(b.object_type[0] = 'x');
	CHANGED(b.object_id[0] = '9');
	CHANGED(b.region[5] = '3');
	CHANGED(b.region_path[1] = '4');
	CHANGED(b.summary[0] = 'x');
	CHANGED(b.before_digest[0] = b.before_digest[0] == 'a' ? 'b' : 'a');
	CHANGED(b.after_digest[0] = b.after_digest[0] == 'a' ? 'b' : 'a');
	CHANGED(snprintf(b.prev_hash, sizeof(b.prev_hash), "00"));
	/* moving a byte from one field to the next is a different entry */
	CHANGED((snprintf(b.actor, sizeof(b.actor), "zhangsa"),
		 snprintf(b.ip, sizeof(b.ip), "n10.0.0.1")));
#undef CHANGED
	/* and the same content hashes the same */
	b = a;
	fz_audit_hash(&b, hb);
	assert_string_equal(ha, hb);
}

static void digest_of_state(void **state)
{
	char d[FZ_SHA256_HEX];

	fz_audit_digest(NULL, d);
	assert_string_equal(d, "");
	fz_audit_digest("", d);
	assert_string_equal(d, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void append_links_entries(void **state)
{
	char *path = chain(N, 1);
	struct fz_store *s = NULL;
	struct fz_err err;
	struct fz_db *db;
	int64_t seq = 0;
	char head[FZ_SHA256_HEX];
	struct fz_audit_report r = verify(path);

	assert_true(r.ok);
	assert_int_equal(r.checked, N);
	assert_int_equal(r.first_bad, 0);

	fz_err_init(&err);
	assert_int_equal(fz_store_open(path, 0, &s, &err), 0);
	db = fz_store_reader(s);
	assert_int_equal(fz_store_audit_head(db, &seq, head, &err), 0);
	assert_int_equal(seq, N);
	assert_int_equal(strlen(head), 64);
	fz_store_reader_put(s, db);
	fz_store_free(s);
	free(path);
}

static void empty_chain_verifies(void **state)
{
	char *path = chain(0, 0);
	struct fz_audit_report r = verify(path);

	assert_true(r.ok);
	assert_int_equal(r.checked, 0);
	free(path);
}

static void edited_entry_is_named(void **state)
{
	char *path = chain(N, 0);
	struct fz_audit_report r;

	tamper(path, "UPDATE audit SET summary = '修改用户 103 的姓名' WHERE seq = 3");
	r = verify(path);
	assert_false(r.ok);
	assert_int_equal(r.first_bad, 3);
	assert_int_equal(r.checked, 2);
	assert_non_null(strstr(r.reason, "3"));
	free(path);
}

/* The stored hash of entry seq, read behind fazhi's back. */
static void stored_hash(sqlite3 *db, int64_t seq, char out[FZ_SHA256_HEX])
{
	sqlite3_stmt *st;

	assert_int_equal(
		sqlite3_prepare_v2(db, "SELECT hash FROM audit WHERE seq = ?1", -1, &st, NULL),
		SQLITE_OK);
	sqlite3_bind_int64(st, 1, seq);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(out, FZ_SHA256_HEX, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

static void edited_entry_with_recomputed_hash_breaks_next_link(void **state)
{
	/* a forger who edits entry 3 and recomputes its hash still breaks the
	 * link from entry 4 */
	char *path = chain(N, 0);
	struct fz_audit_entry e;
	struct fz_audit_report r;
	sqlite3 *db;
	char sql[256];

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	entry(&e, 3); /* the same content chain() appended as entry 3 */
	e.seq = 3;
	stored_hash(db, 2, e.prev_hash);
	e.actor_id = 1;
	fz_audit_hash(&e, e.hash);
	snprintf(sql, sizeof(sql), "UPDATE audit SET actor_id = 1, hash = '%s' WHERE seq = 3",
		 e.hash);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	r = verify(path);
	assert_false(r.ok);
	assert_int_equal(r.first_bad, 4);
	assert_int_equal(r.checked, 3);
	free(path);
}

static void deleted_entry_names_the_gap(void **state)
{
	char *path = chain(N, 0);
	struct fz_audit_report r;

	tamper(path, "DELETE FROM audit WHERE seq = 2");
	r = verify(path);
	assert_false(r.ok);
	assert_int_equal(r.first_bad, 3);
	assert_int_equal(r.checked, 1);
	/* the reason says where the gap is: 3 follows 1 */
	assert_non_null(strstr(r.reason, "3"));
	assert_non_null(strstr(r.reason, "1"));
	free(path);
}

static void renumbered_chain_after_delete_is_detected(void **state)
{
	/* delete 2 and close the gap by renumbering: the links still break */
	char *path = chain(N, 0);
	struct fz_audit_report r;

	tamper(path, "DELETE FROM audit WHERE seq = 2;"
		     "UPDATE audit SET seq = seq - 1 WHERE seq > 2;"
		     "UPDATE audit_head SET seq = seq - 1");
	r = verify(path);
	assert_false(r.ok);
	assert_int_equal(r.first_bad, 2);
	free(path);
}

static void forged_entry_in_the_middle_is_detected(void **state)
{
	/* an entry squeezed between 2 and 3 (seq 3, others shifted up) */
	char *path = chain(N, 0);
	struct fz_audit_report r;

	tamper(path, "UPDATE audit SET seq = seq + 10 WHERE seq >= 3;"
		     "UPDATE audit SET seq = seq - 9 WHERE seq >= 13;"
		     "INSERT INTO audit(seq, at, actor_id, actor, ip, action, object_type,"
		     " object_id, region, region_path, summary, before_digest, after_digest,"
		     " prev_hash, hash) SELECT 3, at, 1, 'admin', ip, 'user.delete',"
		     " object_type, object_id, region, region_path, '删除用户', before_digest,"
		     " after_digest, hash, hash FROM audit WHERE seq = 2");
	r = verify(path);
	assert_false(r.ok);
	assert_int_equal(r.first_bad, 3);
	free(path);
}

/* Appends a well-formed entry (right seq, link and hash) behind fazhi's back,
 * without moving the head. */
static void forge_after_last(const char *path, int64_t last)
{
	struct fz_audit_entry e;
	sqlite3 *db;
	char sql[1024];

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	entry(&e, 99);
	e.seq = last + 1;
	stored_hash(db, last, e.prev_hash);
	snprintf(e.summary, sizeof(e.summary), "伪造的记录");
	fz_audit_hash(&e, e.hash);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO audit VALUES (%lld, %lld, %lld, '%s', '%s', '%s', '%s',"
		 " '%s', '%s', '%s', '%s', '%s', '%s', '%s', '%s')",
		 (long long)e.seq, (long long)e.at, (long long)e.actor_id, e.actor, e.ip, e.action,
		 e.object_type, e.object_id, e.region, e.region_path, e.summary, e.before_digest,
		 e.after_digest, e.prev_hash, e.hash);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void forged_entry_after_the_last_is_detected(void **state)
{
	char *path = chain(N, 0);
	struct fz_audit_report r;

	forge_after_last(path, N);
	r = verify(path);
	free(path);
	assert_false(r.ok);
	/* the forged entry is N + 1: the first that the head does not cover */
	assert_int_equal(r.first_bad, N + 1);
}

static void deleted_last_entry_is_detected(void **state)
{
	char *path = chain(N, 0);
	struct fz_audit_report r;

	tamper(path, "DELETE FROM audit WHERE seq = 5");
	r = verify(path);
	assert_false(r.ok);
	assert_int_equal(r.first_bad, N);
	assert_int_equal(r.checked, N - 1);
	free(path);
}

static void all_entries_deleted_is_detected(void **state)
{
	char *path = chain(N, 0);
	struct fz_audit_report r;

	tamper(path, "DELETE FROM audit");
	r = verify(path);
	assert_false(r.ok);
	assert_int_equal(r.first_bad, 1);
	free(path);
}

static void altered_head_is_detected(void **state)
{
	char *path = chain(N, 0);
	struct fz_audit_report r;

	tamper(path, "UPDATE audit_head SET hash = 'deadbeef'");
	r = verify(path);
	assert_false(r.ok);
	free(path);
}

static void appends_continue_after_reopen(void **state)
{
	char *path = chain(3, 0);
	struct fz_store *s = NULL;
	struct fz_audit_entry e;
	struct fz_err err;
	struct fz_audit_report r;

	fz_err_init(&err);
	assert_int_equal(fz_store_open(path, 0, &s, &err), 0);
	entry(&e, 4);
	assert_int_equal(fz_store_write(s, append_one, &e, &err), 0);
	assert_int_equal(e.seq, 4);
	fz_store_free(s);
	r = verify(path);
	assert_true(r.ok);
	assert_int_equal(r.checked, 4);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hash_covers_every_field),
		cmocka_unit_test(digest_of_state),
		cmocka_unit_test(append_links_entries),
		cmocka_unit_test(empty_chain_verifies),
		cmocka_unit_test(edited_entry_is_named),
		cmocka_unit_test(edited_entry_with_recomputed_hash_breaks_next_link),
		cmocka_unit_test(deleted_entry_names_the_gap),
		cmocka_unit_test(renumbered_chain_after_delete_is_detected),
		cmocka_unit_test(forged_entry_in_the_middle_is_detected),
		cmocka_unit_test(forged_entry_after_the_last_is_detected),
		cmocka_unit_test(deleted_last_entry_is_detected),
		cmocka_unit_test(all_entries_deleted_is_detected),
		cmocka_unit_test(altered_head_is_detected),
		cmocka_unit_test(appends_continue_after_reopen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests of auth/auth: sign-in, lockout, tokens, scope. Time is passed
 * in through the `now` arguments; nothing reads the wall clock. */
#include "support.h"

#include "audit/audit.h"
#include "auth/auth.h"
#include "auth/password.h"
#include "core/err.h"
#include "store/audit_store.h"
#include "store/registry_store.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0	 1772413200000LL /* 2026-03-02T01:00:00Z */
#define PASSWORD "Correct-Horse-9"

static const struct fz_auth_policy policy = {
	.ttl_ms = 8 * 3600 * 1000LL,
	.threshold = 3,
	.window_ms = 900 * 1000LL,
	.duration_ms = 900 * 1000LL,
	.password_min_length = 10,
};

struct fixture {
	struct fz_store *store;
	int64_t user_id;
};

struct seed {
	char hash[FZ_PASSWORD_HASH_MAX];
	int64_t user_id; /* OUT */
};

static int seed_user(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct seed *sd = arg;
	struct fz_unit unit;
	struct fz_user u;
	int rc;

	memset(&unit, 0, sizeof(unit));
	snprintf(unit.name, sizeof(unit.name), "婺城区城东街道司法所");
	snprintf(unit.kind, sizeof(unit.kind), "justice_office");
	snprintf(unit.region, sizeof(unit.region), "330702001");
	unit.created_at = T0;
	if ((rc = fz_store_unit_insert(db, &unit, err)))
		return rc;
	memset(&u, 0, sizeof(u));
	snprintf(u.username, sizeof(u.username), "zhangsan");
	snprintf(u.display_name, sizeof(u.display_name), "张三");
	snprintf(u.password_hash, sizeof(u.password_hash), "%s", sd->hash);
	u.unit_id = unit.id;
	u.roles = FZ_ROLE_HANDLER;
	snprintf(u.scope, sizeof(u.scope), "330702");
	snprintf(u.phone, sizeof(u.phone), "13812345678");
	u.created_at = T0;
	if ((rc = fz_store_user_insert(db, &u, err)))
		return rc;
	sd->user_id = u.id;
	return 0;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct seed sd;
	struct fz_err err;

	f->store = ts_store();
	assert_int_equal(fz_password_hash(PASSWORD, sd.hash, sizeof(sd.hash)), 0);
	fz_err_init(&err);
	if (fz_store_write(f->store, seed_user, &sd, &err))
		fail_msg("seed: %s", err.msg);
	f->user_id = sd.user_id;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	fz_store_free(f->store);
	free(f);
	return 0;
}

static int sign_in(struct fixture *f, const char *user, const char *pw, int64_t now, char token[64],
		   struct fz_err *err)
{
	struct fz_user u;
	int64_t expires = 0;

	fz_err_init(err);
	memset(token, 0, 64);
	return fz_auth_sign_in(f->store, &policy, user, pw, "10.0.0.1", now, token, &u, &expires,
			       err);
}

static int check(struct fixture *f, const char *token, int64_t now, struct fz_principal *who,
		 struct fz_err *err)
{
	fz_err_init(err);
	return fz_auth_check(f->store, token, now, who, err);
}

static int set_disabled(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct fz_user u;
	int rc = fz_store_user_get(db, *(int64_t *)arg, &u, err);

	if (rc)
		return rc;
	u.disabled = 1;
	return fz_store_user_update(db, &u, err);
}

static int last_action(void *ctx, const struct fz_audit_entry *e)
{
	snprintf(ctx, 48, "%s", e->action);
	return 0;
}

/* The action of the newest audit entry. */
static void newest_audit_action(struct fixture *f, char out[48])
{
	struct fz_db *db = fz_store_reader(f->store);
	struct fz_err err;

	out[0] = '\0';
	fz_err_init(&err);
	assert_int_equal(fz_store_audit_scan(db, last_action, out, &err), 0);
	fz_store_reader_put(f->store, db);
}

/* ---- sign-in and tokens ---- */

static void right_password_gives_working_token(void **state)
{
	struct fixture *f = *state;
	struct fz_principal who;
	struct fz_user u;
	struct fz_err err;
	char token[64], action[48];
	int64_t expires = 0;

	fz_err_init(&err);
	assert_int_equal(fz_auth_sign_in(f->store, &policy, "zhangsan", PASSWORD, "10.0.0.1", T0,
					 token, &u, &expires, &err),
			 0);
	assert_int_equal(strlen(token), 43);
	assert_int_equal(strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				       "0123456789-_"),
			 43);
	assert_int_equal(expires, T0 + policy.ttl_ms);
	assert_int_equal(u.id, f->user_id);
	assert_int_equal(u.last_login_at, T0);

	assert_int_equal(check(f, token, T0 + 1, &who, &err), 0);
	assert_int_equal(who.user_id, f->user_id);
	assert_string_equal(who.username, "zhangsan");
	assert_int_equal(who.roles, FZ_ROLE_HANDLER);
	assert_string_equal(who.scope, "330702");
	assert_string_equal(who.scope_path, "/330000/330700/330702/");
	assert_string_equal(who.unit_path, "/330000/330700/330702/330702001/");
	assert_int_equal(who.expires_at, T0 + policy.ttl_ms);
	newest_audit_action(f, action);
	assert_string_equal(action, "session.create");
}

static void tokens_are_fresh_each_sign_in(void **state)
{
	struct fixture *f = *state;
	struct fz_principal who;
	struct fz_err err;
	char a[64], b[64];

	assert_int_equal(sign_in(f, "zhangsan", PASSWORD, T0, a, &err), 0);
	assert_int_equal(sign_in(f, "zhangsan", PASSWORD, T0, b, &err), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(check(f, a, T0, &who, &err), 0);
	assert_int_equal(check(f, b, T0, &who, &err), 0);
}

static void forged_or_malformed_token_refused(void **state)
{
	struct fixture *f = *state;
	struct fz_principal who;
	struct fz_err err;
	char token[64];

	assert_int_equal(sign_in(f, "zhangsan", PASSWORD, T0, token, &err), 0);
	/* one character changed */
	token[10] = token[10] == 'A' ? 'B' : 'A';
	assert_int_equal(check(f, token, T0, &who, &err), FZ_EUNAUTH);
	/* wrong length */
	assert_int_equal(check(f, "abc", T0, &who, &err), FZ_EUNAUTH);
	assert_int_equal(check(f, "", T0, &who, &err), FZ_EUNAUTH);
	assert_string_equal(err.field, "Authorization");
}

static void token_hash_not_token_is_stored(void **state)
{
	/* a copy of the database gives no usable token: the sessions table holds
	 * the SHA-256, which is not itself accepted as a token */
	struct fixture *f = *state;
	struct fz_principal who;
	struct fz_session s;
	struct fz_err err;
	struct fz_db *db;
	char token[64];

	assert_int_equal(sign_in(f, "zhangsan", PASSWORD, T0, token, &err), 0);
	assert_int_equal(check(f, token, T0, &who, &err), 0);
	db = fz_store_reader(f->store);
	assert_int_equal(fz_store_session_get(db, who.token_hash, &s, &err), 0);
	fz_store_reader_put(f->store, db);
	assert_string_not_equal(s.token_hash, token);
	assert_int_equal(strlen(s.token_hash), 64);
	assert_int_equal(check(f, s.token_hash, T0, &who, &err), FZ_EUNAUTH);
}

static void wrong_password_counts_down(void **state)
{
	struct fixture *f = *state;
	struct fz_err err;
	char token[64], action[48];

	assert_int_equal(sign_in(f, "zhangsan", "Wrong-Horse-9", T0, token, &err), FZ_EUNAUTH);
	assert_string_equal(err.field, "password");
	assert_non_null(strstr(err.msg, "再错 2 次"));
	assert_string_equal(token, "");
	newest_audit_action(f, action);
	assert_string_equal(action, "session.fail");
	assert_int_equal(sign_in(f, "zhangsan", "Wrong-Horse-9", T0 + 1000, token, &err),
			 FZ_EUNAUTH);
	assert_non_null(strstr(err.msg, "再错 1 次"));
}

static void unknown_user_is_refused_like_wrong_password(void **state)
{
	struct fixture *f = *state;
	struct fz_err err, err2;
	char token[64], action[48];

	assert_int_equal(sign_in(f, "lisi", PASSWORD, T0, token, &err), FZ_EUNAUTH);
	assert_string_equal(token, "");
	/* the attempt is audited */
	newest_audit_action(f, action);
	assert_string_equal(action, "session.fail");
	assert_int_equal(sign_in(f, "zhangsan", "Wrong-Horse-9", T0, token, &err2), FZ_EUNAUTH);
	assert_string_equal(err.machine, err2.machine);
	assert_string_equal(err.field, err2.field);
}

static void threshold_failures_lock_for_duration(void **state)
{
	struct fixture *f = *state;
	struct fz_err err;
	char token[64], action[48];
	int64_t lock_at = T0 + 2000;

	assert_int_equal(sign_in(f, "zhangsan", "bad-1", T0, token, &err), FZ_EUNAUTH);
	assert_int_equal(sign_in(f, "zhangsan", "bad-2", T0 + 1000, token, &err), FZ_EUNAUTH);
	assert_int_equal(sign_in(f, "zhangsan", "bad-3", lock_at, token, &err), FZ_ELOCKED);
	assert_int_equal(err.retry_after, (int)(policy.duration_ms / 1000));
	assert_string_equal(err.machine, "locked");
	newest_audit_action(f, action);
	assert_string_equal(action, "user.lock");

	/* locked even with the right password, up to the last millisecond */
	assert_int_equal(sign_in(f, "zhangsan", PASSWORD, lock_at + 1, token, &err), FZ_ELOCKED);
	assert_int_equal(err.retry_after, 900);
	assert_int_equal(
		sign_in(f, "zhangsan", PASSWORD, lock_at + policy.duration_ms - 1, token, &err),
		FZ_ELOCKED);
	assert_int_equal(err.retry_after, 1);
	assert_string_equal(token, "");

	/* unlocked at now + duration */
	assert_int_equal(
		sign_in(f, "zhangsan", PASSWORD, lock_at + policy.duration_ms, token, &err), 0);
	assert_int_equal(strlen(token), 43);
}

static void lock_starts_a_fresh_count(void **state)
{
	struct fixture *f = *state;
	struct fz_err err;
	char token[64];
	int64_t after;

	for (int i = 0; i < 3; i++)
		sign_in(f, "zhangsan", "bad", T0 + i, token, &err);
	assert_int_equal(err.code, FZ_ELOCKED);
	after = T0 + 2 + policy.duration_ms;
	/* after the lock expires, one failure does not lock again */
	assert_int_equal(sign_in(f, "zhangsan", "bad", after, token, &err), FZ_EUNAUTH);
	assert_non_null(strstr(err.msg, "再错 2 次"));
}

static void failures_outside_window_do_not_lock(void **state)
{
	struct fixture *f = *state;
	struct fz_err err;
	char token[64];

	assert_int_equal(sign_in(f, "zhangsan", "bad", T0, token, &err), FZ_EUNAUTH);
	assert_int_equal(sign_in(f, "zhangsan", "bad", T0 + 1000, token, &err), FZ_EUNAUTH);
	/* the window of the first failure is over: the count starts again */
	assert_int_equal(sign_in(f, "zhangsan", "bad", T0 + policy.window_ms, token, &err),
			 FZ_EUNAUTH);
	assert_int_equal(sign_in(f, "zhangsan", "bad", T0 + policy.window_ms + 1, token, &err),
			 FZ_EUNAUTH);
	assert_non_null(strstr(err.msg, "再错 1 次"));
}

static void success_resets_failure_count(void **state)
{
	struct fixture *f = *state;
	struct fz_err err;
	char token[64];

	assert_int_equal(sign_in(f, "zhangsan", "bad", T0, token, &err), FZ_EUNAUTH);
	assert_int_equal(sign_in(f, "zhangsan", "bad", T0 + 1, token, &err), FZ_EUNAUTH);
	assert_int_equal(sign_in(f, "zhangsan", PASSWORD, T0 + 2, token, &err), 0);
	assert_int_equal(sign_in(f, "zhangsan", "bad", T0 + 3, token, &err), FZ_EUNAUTH);
	assert_int_equal(sign_in(f, "zhangsan", "bad", T0 + 4, token, &err), FZ_EUNAUTH);
}

static void expired_token_refused(void **state)
{
	struct fixture *f = *state;
	struct fz_principal who;
	struct fz_err err;
	char token[64];
	int64_t expires = T0 + policy.ttl_ms;

	assert_int_equal(sign_in(f, "zhangsan", PASSWORD, T0, token, &err), 0);
	assert_int_equal(check(f, token, expires - 1, &who, &err), 0);
	assert_int_equal(check(f, token, expires, &who, &err), FZ_EUNAUTH);
	assert_string_equal(err.field, "Authorization");
	assert_int_equal(check(f, token, expires + 86400000LL, &who, &err), FZ_EUNAUTH);
}

static void sign_out_revokes_token(void **state)
{
	struct fixture *f = *state;
	struct fz_principal who, other;
	struct fz_err err;
	char token[64], second[64], action[48];

	assert_int_equal(sign_in(f, "zhangsan", PASSWORD, T0, token, &err), 0);
	assert_int_equal(sign_in(f, "zhangsan", PASSWORD, T0, second, &err), 0);
	assert_int_equal(check(f, token, T0 + 1, &who, &err), 0);
	fz_err_init(&err);
	assert_int_equal(fz_auth_sign_out(f->store, &who, "10.0.0.1", T0 + 2, &err), 0);
	assert_int_equal(check(f, token, T0 + 3, &who, &err), FZ_EUNAUTH);
	newest_audit_action(f, action);
	assert_string_equal(action, "session.delete");
	/* only that token: the other session lives on */
	assert_int_equal(check(f, second, T0 + 3, &other, &err), 0);
}

static void disabled_user_refused(void **state)
{
	struct fixture *f = *state;
	struct fz_principal who;
	struct fz_err err;
	char token[64];

	assert_int_equal(sign_in(f, "zhangsan", PASSWORD, T0, token, &err), 0);
	fz_err_init(&err);
	assert_int_equal(fz_store_write(f->store, set_disabled, &f->user_id, &err), 0);
	/* the live token stops working */
	assert_int_equal(check(f, token, T0 + 1, &who, &err), FZ_EUNAUTH);
	assert_string_equal(err.machine, "account_disabled");
	/* and signing in again is refused, with the right password */
	assert_int_equal(sign_in(f, "zhangsan", PASSWORD, T0 + 2, token, &err), FZ_EUNAUTH);
	assert_string_equal(err.machine, "account_disabled");
	assert_string_equal(token, "");
}

/* ---- scope ---- */

static void scope_contains_self_and_descendants(void **state)
{
	assert_true(fz_scope_contains("/330000/330700/330702/", "/330000/330700/330702/"));
	assert_true(
		fz_scope_contains("/330000/330700/330702/", "/330000/330700/330702/330702001/"));
	assert_true(fz_scope_contains("/330000/330700/330702/",
				      "/330000/330700/330702/330702001/330702001008/"));
	assert_true(fz_scope_contains("/330000/", "/330000/330700/330703/330703001/"));
}

static void scope_excludes_siblings_and_ancestors(void **state)
{
	assert_false(fz_scope_contains("/330000/330700/330702/", "/330000/330700/330703/"));
	assert_false(
		fz_scope_contains("/330000/330700/330702/", "/330000/330700/330703/330703001/"));
	assert_false(fz_scope_contains("/330000/330700/330702/", "/330000/330700/"));
	assert_false(fz_scope_contains("/330000/330700/330702/", "/"));
	assert_false(fz_scope_contains("", "/330000/"));
}

static void scope_excludes_prefix_but_not_child_codes(void **state)
{
	/* a code that merely starts with the scope's code is not inside it */
	assert_false(fz_scope_contains("/330000/330700/330702/", "/330000/330700/330702001/"));
	assert_false(
		fz_scope_contains("/330000/330700/330702/", "/330000/330700/3307021/3307021001/"));
	assert_false(fz_scope_contains("/330000/330700/330702001/", "/330000/330700/330702/"));
	assert_false(fz_scope_contains("/330000/330700/330702/330702001/",
				       "/330000/330700/330702/330702002/"));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(right_password_gives_working_token),
		T(tokens_are_fresh_each_sign_in),
		T(forged_or_malformed_token_refused),
		T(token_hash_not_token_is_stored),
		T(wrong_password_counts_down),
		T(unknown_user_is_refused_like_wrong_password),
		T(threshold_failures_lock_for_duration),
		T(lock_starts_a_fresh_count),
		T(failures_outside_window_do_not_lock),
		T(success_resets_failure_count),
		T(expired_token_refused),
		T(sign_out_revokes_token),
		T(disabled_user_refused),
		cmocka_unit_test(scope_contains_self_and_descendants),
		cmocka_unit_test(scope_excludes_siblings_and_ancestors),
		cmocka_unit_test(scope_excludes_prefix_but_not_child_codes),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}

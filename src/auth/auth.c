#include "auth/auth.h"

#include "audit/audit.h"
#include "auth/password.h"
#include "core/digest.h"
#include "core/err.h"
#include "store/registry_store.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

int fz_scope_contains(const char *scope_path, const char *path)
{
	size_t n = strlen(scope_path);

	return n > 0 && strncmp(scope_path, path, n) == 0;
}

/* A user's own audit entries belong to the region of their unit. */
static void audit_user(struct fz_audit_entry *e, const struct fz_user *u, const char *action,
		       const char *ip, int64_t now)
{
	memset(e, 0, sizeof(*e));
	e->at = now;
	e->actor_id = u->id;
	snprintf(e->actor, sizeof(e->actor), "%s", u->username);
	snprintf(e->ip, sizeof(e->ip), "%s", ip);
	snprintf(e->action, sizeof(e->action), "%s", action);
	snprintf(e->object_type, sizeof(e->object_type), "user");
	snprintf(e->object_id, sizeof(e->object_id), "%lld", (long long)u->id);
	snprintf(e->region, sizeof(e->region), "%s", u->unit_region);
	snprintf(e->region_path, sizeof(e->region_path), "%s", u->unit_path);
}

struct attempt {
	const struct fz_auth_policy *policy;
	const char *username, *ip;
	int64_t now;
	int ok; /* password matched */
	struct fz_user *user;
	struct fz_session session;
	int locked_now; /* this failure locked the account */
	int remaining;	/* attempts left before lock */
};

static int record_attempt(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct attempt *a = arg;
	struct fz_user *u = a->user;
	struct fz_audit_entry e;
	int rc;

	/* Re-read inside the write: concurrent failures must all count. */
	rc = fz_store_user_get(db, u->id, u, err);
	if (rc)
		return rc;
	u->updated_at = a->now;
	if (a->ok) {
		u->failed_count = 0;
		u->failed_since = 0;
		u->last_login_at = a->now;
		rc = fz_store_session_insert(db, &a->session, err);
		audit_user(&e, u, "session.create", a->ip, a->now);
		snprintf(e.summary, sizeof(e.summary), "%s 登录", u->username);
	} else {
		if (u->failed_count == 0 || u->failed_since + a->policy->window_ms <= a->now) {
			u->failed_count = 0;
			u->failed_since = a->now;
		}
		u->failed_count++;
		a->remaining = a->policy->threshold - u->failed_count;
		if (a->remaining <= 0) {
			u->locked_until = a->now + a->policy->duration_ms;
			u->failed_count = 0;
			u->failed_since = 0;
			a->locked_now = 1;
		}
		audit_user(&e, u, a->locked_now ? "user.lock" : "session.fail", a->ip, a->now);
		snprintf(e.summary, sizeof(e.summary),
			 a->locked_now ? "%s 连续登录失败，账号锁定" : "%s 登录失败（密码错误）",
			 u->username);
	}
	if (!rc)
		rc = fz_store_user_update(db, u, err);
	if (!rc)
		rc = fz_audit_append(db, &e, err);
	return rc;
}

struct unknown {
	const char *username, *ip;
	int64_t now;
};

static int record_unknown(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct unknown *u = arg;
	struct fz_audit_entry e;
	struct fz_region city;
	int rc;

	memset(&e, 0, sizeof(e));
	e.at = u->now;
	snprintf(e.actor, sizeof(e.actor), "%.60s", u->username);
	snprintf(e.ip, sizeof(e.ip), "%s", u->ip);
	snprintf(e.action, sizeof(e.action), "session.fail");
	snprintf(e.object_type, sizeof(e.object_type), "user");
	snprintf(e.summary, sizeof(e.summary), "未知用户名 %.60s 尝试登录", u->username);
	/* Unknown names belong to the whole city: only city auditors see them. */
	rc = fz_store_region_get(db, "330700", &city, err);
	if (rc == FZ_ENOTFOUND) {
		snprintf(e.region_path, sizeof(e.region_path), "/");
		rc = 0;
	} else if (!rc) {
		snprintf(e.region, sizeof(e.region), "%s", city.code);
		snprintf(e.region_path, sizeof(e.region_path), "%s", city.path);
	}
	return rc ? rc : fz_audit_append(db, &e, err);
}

static int wrong(struct fz_err *err)
{
	return fz_err_set(err, FZ_EUNAUTH, NULL, "password", "用户名或密码错误");
}

int fz_auth_sign_in(struct fz_store *store, const struct fz_auth_policy *policy,
		    const char *username, const char *password, const char *ip, int64_t now,
		    char token[64], struct fz_user *user, int64_t *expires_at, struct fz_err *err)
{
	struct attempt a;
	struct fz_db *db = fz_store_reader(store);
	unsigned char secret[32];
	int rc;

	memset(&a, 0, sizeof(a));
	a.policy = policy;
	a.username = username;
	a.ip = ip;
	a.now = now;
	a.user = user;
	if (!db)
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "服务繁忙，请稍后重试");
	rc = fz_store_user_get_by_name(db, username, user, NULL);
	fz_store_reader_put(store, db);
	if (rc == FZ_ENOTFOUND) {
		struct unknown u = { username, ip, now };
		fz_password_burn(password);
		rc = fz_store_write(store, record_unknown, &u, err);
		return rc ? rc : wrong(err);
	}
	if (rc)
		return fz_err_set(err, rc, NULL, NULL, "无法读取用户");
	if (user->locked_until > now) {
		int64_t secs = (user->locked_until - now + 999) / 1000;
		fz_err_set(err, FZ_ELOCKED, NULL, "username",
			   "账号因连续登录失败已锁定，请 %lld 秒后再试", (long long)secs);
		if (err)
			err->retry_after = (int)secs;
		return FZ_ELOCKED;
	}
	a.ok = fz_password_verify(user->password_hash, password) == 0;
	if (a.ok && user->disabled)
		return fz_err_set(err, FZ_EUNAUTH, "account_disabled", "username",
				  "账号已停用，请联系管理员");
	if (a.ok) {
		if (fz_random_bytes(secret, sizeof(secret)))
			return fz_err_set(err, FZ_EINTERNAL, NULL, NULL, "无法生成令牌");
		fz_base64url(secret, sizeof(secret), token, 64);
		fz_sha256_hex(token, strlen(token), a.session.token_hash);
		a.session.user_id = user->id;
		a.session.created_at = now;
		a.session.expires_at = now + policy->ttl_ms;
		snprintf(a.session.ip, sizeof(a.session.ip), "%s", ip);
		*expires_at = a.session.expires_at;
	}
	rc = fz_store_write(store, record_attempt, &a, err);
	if (rc)
		return rc;
	if (a.ok)
		return 0;
	if (a.locked_now) {
		int secs = (int)(policy->duration_ms / 1000);
		fz_err_set(err, FZ_ELOCKED, NULL, "password",
			   "密码错误次数过多，账号已锁定，请 %d 秒后再试", secs);
		if (err)
			err->retry_after = secs;
		return FZ_ELOCKED;
	}
	return fz_err_set(err, FZ_EUNAUTH, NULL, "password",
			  "用户名或密码错误（再错 %d 次将锁定账号）", a.remaining);
}

int fz_auth_check(struct fz_store *store, const char *token, int64_t now, struct fz_principal *out,
		  struct fz_err *err)
{
	struct fz_db *db;
	struct fz_session s;
	struct fz_user u;
	char hash[FZ_SHA256_HEX];
	int rc;

	if (strlen(token) != 43)
		return fz_err_set(err, FZ_EUNAUTH, NULL, "Authorization",
				  "Authorization: 令牌格式无效，应为 Bearer 加 43 位令牌");
	fz_sha256_hex(token, strlen(token), hash);
	db = fz_store_reader(store);
	if (!db)
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "服务繁忙，请稍后重试");
	rc = fz_store_session_get(db, hash, &s, NULL);
	if (!rc)
		rc = fz_store_user_get(db, s.user_id, &u, NULL);
	fz_store_reader_put(store, db);
	if (rc == FZ_ENOTFOUND)
		return fz_err_set(err, FZ_EUNAUTH, NULL, "Authorization",
				  "Authorization: 令牌无效，请重新登录");
	if (rc)
		return fz_err_set(err, rc, NULL, NULL, "无法读取会话");
	if (s.revoked_at)
		return fz_err_set(err, FZ_EUNAUTH, NULL, "Authorization",
				  "Authorization: 已退出登录，请重新登录");
	if (s.expires_at <= now)
		return fz_err_set(err, FZ_EUNAUTH, NULL, "Authorization",
				  "Authorization: 登录已过期，请重新登录");
	if (u.disabled)
		return fz_err_set(err, FZ_EUNAUTH, "account_disabled", "Authorization",
				  "账号已停用，请联系管理员");
	fz_auth_principal_of(&u, out);
	memcpy(out->token_hash, hash, sizeof(hash));
	out->expires_at = s.expires_at;
	return 0;
}

void fz_auth_principal_of(const struct fz_user *u, struct fz_principal *out)
{
	memset(out, 0, sizeof(*out));
	out->user_id = u->id;
	snprintf(out->username, sizeof(out->username), "%s", u->username);
	out->roles = u->roles;
	out->unit_id = u->unit_id;
	snprintf(out->unit_kind, sizeof(out->unit_kind), "%s", u->unit_kind);
	snprintf(out->unit_region, sizeof(out->unit_region), "%s", u->unit_region);
	snprintf(out->unit_path, sizeof(out->unit_path), "%s", u->unit_path);
	snprintf(out->scope, sizeof(out->scope), "%s", u->scope);
	snprintf(out->scope_path, sizeof(out->scope_path), "%s", u->scope_path);
}

struct sign_out {
	const struct fz_principal *who;
	const char *ip;
	int64_t now;
};

static int revoke(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct sign_out *o = arg;
	struct fz_user u;
	struct fz_audit_entry e;
	int rc = fz_store_user_get(db, o->who->user_id, &u, err);

	if (!rc)
		rc = fz_store_session_revoke(db, o->who->token_hash, o->now, err);
	if (rc)
		return rc;
	audit_user(&e, &u, "session.delete", o->ip, o->now);
	snprintf(e.summary, sizeof(e.summary), "%s 退出登录", u.username);
	return fz_audit_append(db, &e, err);
}

int fz_auth_sign_out(struct fz_store *store, const struct fz_principal *who, const char *ip,
		     int64_t now, struct fz_err *err)
{
	struct sign_out o = { who, ip, now };

	return fz_store_write(store, revoke, &o, err);
}

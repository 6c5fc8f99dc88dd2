/*
 * /api/v1/users and /api/v1/roles. Admins manage the users of units inside
 * their scope and cannot hand out a scope wider than their own. Reading one
 * user shows the full phone number and is audited; lists mask it.
 */
#include "api/app.h"
#include "api/handlers.h"

#include "auth/password.h"
#include "core/config.h"
#include "core/err.h"
#include "store/registry_store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fz_api_roles(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	cJSON *items = cJSON_CreateArray(), *out = cJSON_CreateObject();

	(void)req;
	(void)err;
	for (const struct fz_role_def *r = fz_roles; r->role; r++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "role", r->role);
		cJSON_AddStringToObject(o, "name", r->name);
		fz_json_push(items, o);
	}
	fz_json_put(out, "items", items);
	return fz_resp_json(resp, 200, out);
}

struct collect {
	cJSON *items;
	int n, limit;
	int64_t last;
};

static int add_user(void *ctx, const struct fz_user *u)
{
	struct collect *c = ctx;

	if (c->n++ == c->limit)
		return 1;
	c->last = u->id;
	fz_json_push(c->items, fz_app_user_json(u, 0));
	return 0;
}

int fz_api_user_list(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_user_filter f = { 0 };
	struct collect c = { 0 };
	const char *unit = fz_req_query(req, "unit"), *role = fz_req_query(req, "role");
	struct fz_db *db;
	int rc = fz_app_paging(req, &c.limit, &f.after_id, err);

	if (!rc)
		rc = fz_app_region_filter(req, &f.region_path, err);
	if (!rc && unit && unit[0])
		rc = fz_app_parse_id(unit, "unit", 1, &f.unit_id, err);
	if (rc)
		return rc;
	if (role && role[0] && !(f.role = fz_role_bit(role)))
		return fz_err_set(err, FZ_EINVAL, NULL, "role",
				  "role: “%.24s”不是角色，见 GET /api/v1/roles", role);
	if (!(db = fz_app_db(req, err)))
		return FZ_ENOMEM;
	f.scope_path = req->who->scope_path;
	f.q = fz_req_query(req, "q");
	if (f.q && !f.q[0])
		f.q = NULL;
	f.limit = c.limit + 1;
	c.items = cJSON_CreateArray();
	rc = fz_store_user_list(db, &f, add_user, &c, err);
	if (rc) {
		cJSON_Delete(c.items);
		return rc;
	}
	return fz_resp_json(resp, 200, fz_app_page(c.items, c.n > c.limit, c.last));
}

/*
 * Parses {id} and loads the user, whose unit must lie in the caller's scope.
 * To change a user, the user's own scope must lie in the caller's scope too:
 * a township admin must not take over an account that sees the whole city.
 */
static int load_user(struct fz_req *req, int to_change, struct fz_user *u, struct fz_err *err)
{
	struct fz_db *db = fz_app_db(req, err);
	int64_t id;
	int rc;

	if (!db)
		return FZ_ENOMEM;
	if ((rc = fz_app_parse_id(req->params[0], "id", 1, &id, err)) ||
	    (rc = fz_store_user_get(db, id, u, err)) ||
	    (rc = fz_app_in_scope(req, u->unit_path, "id", err)))
		return rc;
	if (to_change && !fz_scope_contains(req->who->scope_path, u->scope_path))
		return fz_err_set(
			err, FZ_EFORBIDDEN, NULL, "id",
			"id: 用户 %s 的管辖范围（%s）大于当前账号的管辖范围（%s），无权修改",
			u->username, u->scope, req->who->scope);
	return 0;
}

struct user_write {
	struct fz_req *req;
	struct fz_user user;
	const char *action;
	char before[FZ_SHA256_HEX];
	char summary[200];
	int revoke; /* end the user's sessions */
};

static int save_user(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct user_write *w = arg;
	struct fz_audit_entry e;
	cJSON *after;
	int rc = 0;

	if (strcmp(w->action, "user.create") == 0)
		rc = fz_store_user_insert(db, &w->user, err);
	else if (strcmp(w->action, "user.read") != 0)
		rc = fz_store_user_update(db, &w->user, err);
	if (!rc && w->revoke)
		rc = fz_store_session_revoke_user(db, w->user.id, w->req->now, err);
	if (!rc)
		rc = fz_store_user_get(db, w->user.id, &w->user, err);
	if (rc)
		return rc;
	fz_app_audit_init(w->req, &e, w->action, "user", w->user.id);
	fz_app_audit_region(&e, w->user.unit_region, w->user.unit_path);
	snprintf(e.before_digest, sizeof(e.before_digest), "%s", w->before);
	if (strcmp(w->action, "user.read") != 0) {
		after = fz_app_user_json(&w->user, 1);
		fz_app_audit_state(after, e.after_digest);
		cJSON_Delete(after);
	}
	snprintf(e.summary, sizeof(e.summary), "%s", w->summary);
	return fz_audit_append(db, &e, err);
}

int fz_api_user_get(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct user_write w = { req, { 0 }, "user.read", "", "", 0 };
	int rc = load_user(req, 0, &w.user, err);

	if (rc)
		return rc;
	/* The full phone number is personal data: reading it is audited. */
	snprintf(w.summary, sizeof(w.summary), "查看用户 %s 的完整信息", w.user.username);
	rc = fz_app_write(req, save_user, &w, err);
	return rc ? rc : fz_resp_json(resp, 200, fz_app_user_json(&w.user, 1));
}

/* Checks roles[] into a mask. */
static int parse_roles(const cJSON *arr, unsigned *out, struct fz_err *err)
{
	unsigned mask = 0, bit;

	for (const cJSON *it = arr->child; it; it = it->next) {
		if (!(bit = fz_role_bit(it->valuestring)))
			return fz_err_set(err, FZ_EINVAL, NULL, "roles",
					  "roles: “%.24s”不是角色，应为 admin、leader、dispatcher、"
					  "handler、grid、auditor 之一",
					  it->valuestring);
		mask |= bit;
	}
	if (!mask)
		return fz_err_set(err, FZ_EINVAL, NULL, "roles", "roles: 至少需要一个角色");
	*out = mask;
	return 0;
}

/* Applies unit_id, scope, roles, display_name, phone, disabled from body. */
static int apply(struct fz_req *req, const cJSON *body, struct fz_user *u, struct fz_err *err)
{
	struct fz_db *db = fz_app_db(req, err);
	const cJSON *roles = cJSON_GetObjectItemCaseSensitive(body, "roles");
	const char *s;
	int64_t unit_id;
	int disabled, rc;

	if (!db)
		return FZ_ENOMEM;
	if (fz_json_int(body, "unit_id", &unit_id)) {
		struct fz_unit unit;
		rc = fz_store_unit_get(db, unit_id, &unit, err);
		if (rc == FZ_ENOTFOUND) {
			fz_err_init(err);
			return fz_err_set(err, FZ_EINVAL, NULL, "unit_id",
					  "unit_id: 单位 %lld 不存在", (long long)unit_id);
		}
		if (rc || (rc = fz_app_in_scope(req, unit.region_path, "unit_id", err)))
			return rc;
		u->unit_id = unit.id;
		snprintf(u->unit_path, sizeof(u->unit_path), "%s", unit.region_path);
		if (!u->scope[0])
			snprintf(u->scope, sizeof(u->scope), "%s", unit.region);
	}
	if ((s = fz_json_str(body, "scope"))) {
		struct fz_region r;
		rc = fz_store_region_get(db, s, &r, err);
		if (rc == FZ_ENOTFOUND) {
			fz_err_init(err);
			return fz_err_set(err, FZ_EINVAL, NULL, "scope",
					  "scope: 区划代码“%.20s”不存在", s);
		}
		if (rc || (rc = fz_app_in_scope(req, r.path, "scope", err)))
			return rc;
		snprintf(u->scope, sizeof(u->scope), "%s", r.code);
	}
	if (roles && (rc = parse_roles(roles, &u->roles, err)))
		return rc;
	if ((s = fz_json_str(body, "display_name"))) {
		if (!s[0])
			return fz_err_set(err, FZ_EINVAL, NULL, "display_name",
					  "display_name: 不能为空");
		snprintf(u->display_name, sizeof(u->display_name), "%s", s);
	}
	if ((s = fz_json_str(body, "phone"))) {
		if ((rc = fz_user_check_phone(s, err)))
			return rc;
		snprintf(u->phone, sizeof(u->phone), "%s", s);
	}
	if (fz_json_bool(body, "disabled", &disabled))
		u->disabled = disabled;
	return 0;
}

static int set_password(struct fz_req *req, struct fz_user *u, const char *pw, struct fz_err *err)
{
	int min = (int)fz_config_int(fz_app_of(req)->cfg, FZ_CFG_PASSWORD_MIN_LENGTH);
	int rc = fz_user_check_password(pw, u->username, min, err);

	if (rc)
		return rc;
	if (fz_password_hash(pw, u->password_hash, sizeof(u->password_hash)))
		return fz_err_set(err, FZ_EINTERNAL, NULL, NULL, "无法计算密码哈希");
	return 0;
}

static const struct fz_json_field create_spec[] = {
	{ "username", FZ_JSON_STRING, 1, 63, "3-63 位小写字母、数字或 . _ -" },
	{ "display_name", FZ_JSON_STRING, 1, 120, "姓名或显示名（1-120 字节）" },
	{ "password", FZ_JSON_STRING, 1, 256, "符合密码策略的密码" },
	{ "unit_id", FZ_JSON_INT, 1, 0, "所属单位 id" },
	{ "roles", FZ_JSON_STRINGS, 1, 6, "角色数组，如 [\"handler\"]" },
	{ "scope", FZ_JSON_STRING, 0, 12, "管辖区划代码，默认为单位所在区划" },
	{ "phone", FZ_JSON_STRING, 0, 11, "11 位手机号码" },
	{ NULL, 0, 0, 0, NULL },
};

int fz_api_user_create(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct user_write w = { req, { 0 }, "user.create", "", "", 0 };
	cJSON *body = fz_req_json(req, create_spec, err);
	const char *name;
	int rc;

	if (!body)
		return FZ_EINVAL;
	name = fz_json_str(body, "username");
	if ((rc = fz_user_check_username(name, err)))
		return rc;
	snprintf(w.user.username, sizeof(w.user.username), "%s", name);
	if ((rc = apply(req, body, &w.user, err)) ||
	    (rc = set_password(req, &w.user, fz_json_str(body, "password"), err)))
		return rc;
	w.user.created_at = w.user.updated_at = req->now;
	snprintf(w.summary, sizeof(w.summary), "新建用户 %s", w.user.username);
	rc = fz_app_write(req, save_user, &w, err);
	if (rc)
		return rc;
	snprintf(resp->location, sizeof(resp->location), "/api/v1/users/%lld",
		 (long long)w.user.id);
	return fz_resp_json(resp, 201, fz_app_user_json(&w.user, 0));
}

static const struct fz_json_field update_spec[] = {
	{ "display_name", FZ_JSON_STRING, 0, 120, "姓名或显示名（1-120 字节）" },
	{ "unit_id", FZ_JSON_INT, 0, 0, "所属单位 id" },
	{ "roles", FZ_JSON_STRINGS, 0, 6, "角色数组，如 [\"handler\"]" },
	{ "scope", FZ_JSON_STRING, 0, 12, "管辖区划代码" },
	{ "phone", FZ_JSON_STRING, 0, 11, "11 位手机号码，或空字符串" },
	{ "disabled", FZ_JSON_BOOL, 0, 0, "true 或 false" },
	{ NULL, 0, 0, 0, NULL },
};

static void remember_before(struct user_write *w)
{
	cJSON *before = fz_app_user_json(&w->user, 1);

	fz_app_audit_state(before, w->before);
	cJSON_Delete(before);
}

int fz_api_user_update(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct user_write w = { req, { 0 }, "user.update", "", "", 0 };
	cJSON *body = fz_req_json(req, update_spec, err);
	int was_disabled, rc;

	if (!body)
		return FZ_EINVAL;
	if ((rc = load_user(req, 1, &w.user, err)))
		return rc;
	remember_before(&w);
	was_disabled = w.user.disabled;
	if ((rc = apply(req, body, &w.user, err)))
		return rc;
	if (w.user.id == req->who->user_id && w.user.disabled)
		return fz_err_set(err, FZ_EINVAL, NULL, "disabled", "disabled: 不能停用自己的账号");
	w.revoke = w.user.disabled && !was_disabled;
	if (w.revoke)
		w.action = "user.disable";
	w.user.updated_at = req->now;
	snprintf(w.summary, sizeof(w.summary), "%s用户 %s", w.revoke ? "停用" : "修改",
		 w.user.username);
	rc = fz_app_write(req, save_user, &w, err);
	return rc ? rc : fz_resp_json(resp, 200, fz_app_user_json(&w.user, 0));
}

static const struct fz_json_field password_spec[] = {
	{ "password", FZ_JSON_STRING, 1, 256, "符合密码策略的新密码" },
	{ NULL, 0, 0, 0, NULL },
};

int fz_api_user_password(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct user_write w = { req, { 0 }, "user.password", "", "", 1 };
	cJSON *body = fz_req_json(req, password_spec, err);
	int rc;

	if (!body)
		return FZ_EINVAL;
	if ((rc = load_user(req, 1, &w.user, err)))
		return rc;
	remember_before(&w);
	if ((rc = set_password(req, &w.user, fz_json_str(body, "password"), err)))
		return rc;
	w.user.updated_at = req->now;
	w.user.locked_until = 0;
	w.user.failed_count = 0;
	snprintf(w.summary, sizeof(w.summary), "重置用户 %s 的密码", w.user.username);
	rc = fz_app_write(req, save_user, &w, err);
	if (rc)
		return rc;
	resp->status = 204;
	return 0;
}

/* /api/v1/units and /api/v1/unit-kinds: departments and offices. */
#include "api/app.h"
#include "api/handlers.h"

#include "core/err.h"
#include "store/registry_store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fz_api_unit_kinds(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	cJSON *items = cJSON_CreateArray(), *out = cJSON_CreateObject();

	(void)req;
	(void)err;
	for (const struct fz_unit_kind *k = fz_unit_kinds; k->kind; k++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "kind", k->kind);
		cJSON_AddStringToObject(o, "name", k->name);
		cJSON_AddStringToObject(o, "level", k->level);
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

static int add_unit(void *ctx, const struct fz_unit *u)
{
	struct collect *c = ctx;

	if (c->n++ == c->limit)
		return 1; /* one more than a page: there is a next page */
	c->last = u->id;
	fz_json_push(c->items, fz_app_unit_json(u));
	return 0;
}

int fz_api_unit_list(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_unit_filter f = { 0 };
	struct collect c = { 0 };
	const char *kind = fz_req_query(req, "kind");
	struct fz_db *db;
	int rc = fz_app_paging(req, &c.limit, &f.after_id, err);

	if (!rc)
		rc = fz_app_region_filter(req, &f.region_path, err);
	if (rc)
		return rc;
	if (kind && kind[0] && !fz_unit_kind_name(kind))
		return fz_err_set(err, FZ_EINVAL, NULL, "kind",
				  "kind: “%.24s”不是单位类型，见 GET /api/v1/unit-kinds", kind);
	if (!(db = fz_app_db(req, err)))
		return FZ_ENOMEM;
	f.scope_path = req->who->scope_path;
	f.kind = kind && kind[0] ? kind : NULL;
	f.q = fz_req_query(req, "q");
	if (f.q && !f.q[0])
		f.q = NULL;
	f.limit = c.limit + 1;
	c.items = cJSON_CreateArray();
	rc = fz_store_unit_list(db, &f, add_unit, &c, err);
	if (rc) {
		cJSON_Delete(c.items);
		return rc;
	}
	return fz_resp_json(resp, 200, fz_app_page(c.items, c.n > c.limit, c.last));
}

/* Parses {id} and loads the unit, refusing one outside the caller's scope. */
static int load_unit(struct fz_req *req, struct fz_unit *u, struct fz_err *err)
{
	struct fz_db *db = fz_app_db(req, err);
	int64_t id;
	int rc;

	if (!db)
		return FZ_ENOMEM;
	if ((rc = fz_app_parse_id(req->params[0], "id", 1, &id, err)))
		return rc;
	rc = fz_store_unit_get(db, id, u, err);
	if (rc)
		return rc;
	return fz_app_in_scope(req, u->region_path, "id", err);
}

int fz_api_unit_get(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_unit u;
	int rc = load_unit(req, &u, err);

	return rc ? rc : fz_resp_json(resp, 200, fz_app_unit_json(&u));
}

struct unit_write {
	struct fz_req *req;
	struct fz_unit unit;
	char before[FZ_SHA256_HEX];
	const char *action;
};

static int save_unit(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct unit_write *w = arg;
	struct fz_audit_entry e;
	cJSON *after;
	int rc = w->unit.id ? fz_store_unit_update(db, &w->unit, err)
			    : fz_store_unit_insert(db, &w->unit, err);

	if (!rc)
		rc = fz_store_unit_get(db, w->unit.id, &w->unit, err);
	if (rc)
		return rc;
	fz_app_audit_init(w->req, &e, w->action, "unit", w->unit.id);
	fz_app_audit_region(&e, w->unit.region, w->unit.region_path);
	snprintf(e.before_digest, sizeof(e.before_digest), "%s", w->before);
	after = fz_app_unit_json(&w->unit);
	fz_app_audit_state(after, e.after_digest);
	cJSON_Delete(after);
	snprintf(e.summary, sizeof(e.summary), "%s单位“%.80s”（%s）",
		 strcmp(w->action, "unit.create") == 0 ? "新建" : "修改", w->unit.name,
		 w->unit.region_name);
	return fz_audit_append(db, &e, err);
}

static int check_name_kind(const cJSON *body, struct fz_unit *u, struct fz_err *err)
{
	const char *name = fz_json_str(body, "name"), *kind = fz_json_str(body, "kind");

	if (name) {
		if (!name[0])
			return fz_err_set(err, FZ_EINVAL, NULL, "name", "name: 不能为空");
		snprintf(u->name, sizeof(u->name), "%s", name);
	}
	if (kind) {
		if (!fz_unit_kind_name(kind))
			return fz_err_set(err, FZ_EINVAL, NULL, "kind",
					  "kind: “%.24s”不是单位类型，见 GET /api/v1/unit-kinds",
					  kind);
		snprintf(u->kind, sizeof(u->kind), "%s", kind);
	}
	return 0;
}

static const struct fz_json_field create_spec[] = {
	{ "name", FZ_JSON_STRING, 1, 120, "单位名称（1-120 字节）" },
	{ "kind", FZ_JSON_STRING, 1, 23, "单位类型代码，如 justice_office" },
	{ "region", FZ_JSON_STRING, 1, 12, "所属区划代码，如 330702001" },
	{ NULL, 0, 0, 0, NULL },
};

int fz_api_unit_create(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct unit_write w = { req, { 0 }, "", "unit.create" };
	cJSON *body = fz_req_json(req, create_spec, err);
	struct fz_region r;
	struct fz_db *db;
	int rc;

	if (!body)
		return FZ_EINVAL;
	if ((rc = check_name_kind(body, &w.unit, err)))
		return rc;
	if (!(db = fz_app_db(req, err)))
		return FZ_ENOMEM;
	rc = fz_store_region_get(db, fz_json_str(body, "region"), &r, err);
	if (rc == FZ_ENOTFOUND) {
		fz_err_init(err);
		return fz_err_set(err, FZ_EINVAL, NULL, "region", "region: 区划代码“%.20s”不存在",
				  fz_json_str(body, "region"));
	}
	if (rc || (rc = fz_app_in_scope(req, r.path, "region", err)))
		return rc;
	snprintf(w.unit.region, sizeof(w.unit.region), "%s", r.code);
	w.unit.created_at = w.unit.updated_at = req->now;
	rc = fz_app_write(req, save_unit, &w, err);
	if (rc)
		return rc;
	snprintf(resp->location, sizeof(resp->location), "/api/v1/units/%lld",
		 (long long)w.unit.id);
	return fz_resp_json(resp, 201, fz_app_unit_json(&w.unit));
}

static const struct fz_json_field update_spec[] = {
	{ "name", FZ_JSON_STRING, 0, 120, "单位名称（1-120 字节）" },
	{ "kind", FZ_JSON_STRING, 0, 23, "单位类型代码，如 justice_office" },
	{ NULL, 0, 0, 0, NULL },
};

int fz_api_unit_update(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct unit_write w = { req, { 0 }, "", "unit.update" };
	cJSON *body = fz_req_json(req, update_spec, err), *before;
	int rc;

	if (!body)
		return FZ_EINVAL;
	if ((rc = load_unit(req, &w.unit, err)))
		return rc;
	before = fz_app_unit_json(&w.unit);
	fz_app_audit_state(before, w.before);
	cJSON_Delete(before);
	if ((rc = check_name_kind(body, &w.unit, err)))
		return rc;
	w.unit.updated_at = req->now;
	rc = fz_app_write(req, save_unit, &w, err);
	return rc ? rc : fz_resp_json(resp, 200, fz_app_unit_json(&w.unit));
}

/*
 * GET /api/v1/regions/{code} and its boundaries. A caller sees the regions
 * inside their scope and the chain above it; below an ancestor only the
 * branch that leads to the scope is listed.
 */
#include "api/app.h"
#include "api/handlers.h"

#include "core/err.h"
#include "store/registry_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int visible(const struct fz_req *req, const char *path)
{
	const char *scope = req->who->scope_path;

	/* inside the scope, or an ancestor of it */
	return fz_scope_contains(scope, path) || fz_scope_contains(path, scope);
}

static int add_child(void *ctx, const struct fz_region *r)
{
	void **c = ctx;
	struct fz_req *req = c[0];
	cJSON *o;

	if (!visible(req, r->path))
		return 0;
	o = fz_app_region_brief(r->code, r->name, r->level);
	fz_json_add_int(o, "children_count", r->children);
	fz_json_push(c[1], o);
	return 0;
}

static int load_visible(struct fz_req *req, const char *code, struct fz_region *r,
			struct fz_err *err)
{
	struct fz_db *db = fz_app_db(req, err);
	int rc;

	if (!db)
		return FZ_ENOMEM;
	if (!fz_region_code_ok(code))
		return fz_err_set(err, FZ_EINVAL, NULL, "code",
				  "code: “%.20s”无效，应为 6、9 或 12 位区划代码", code);
	rc = fz_store_region_get(db, code, r, err);
	if (rc)
		return rc;
	if (!visible(req, r->path))
		return fz_err_set(err, FZ_EFORBIDDEN, NULL, "code",
				  "code: 区划 %s 超出当前账号的管辖范围（%s）", code,
				  req->who->scope);
	return 0;
}

int fz_api_region_get(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_region r, a;
	struct fz_db *db;
	cJSON *out, *anc, *kids;
	void *ctx[2];
	char parent[16];
	int rc = load_visible(req, req->params[0], &r, err);

	if (rc)
		return rc;
	db = req->db;
	out = fz_app_region_brief(r.code, r.name, r.level);
	cJSON_AddStringToObject(out, "level_name", fz_region_level_name(r.level));
	if (r.parent[0])
		cJSON_AddStringToObject(out, "parent", r.parent);
	else
		cJSON_AddNullToObject(out, "parent");
	anc = cJSON_AddArrayToObject(out, "ancestors");
	snprintf(parent, sizeof(parent), "%s", r.parent);
	while (parent[0] && !(rc = fz_store_region_get(db, parent, &a, err))) {
		fz_json_push_front(anc, fz_app_region_brief(a.code, a.name, a.level));
		snprintf(parent, sizeof(parent), "%s", a.parent);
	}
	kids = cJSON_AddArrayToObject(out, "children");
	ctx[0] = req;
	ctx[1] = kids;
	if (!rc)
		rc = fz_store_region_children(db, r.code, add_child, ctx, err);
	if (rc) {
		cJSON_Delete(out);
		return rc;
	}
	fz_json_add_int(out, "children_count", cJSON_GetArraySize(kids));
	return fz_resp_json(resp, 200, out);
}

int fz_api_region_boundaries(struct fz_req *req, struct fz_resp *resp,
			     struct fz_err *err)
{
	struct fz_region r;
	char *text = NULL;
	int rc = load_visible(req, req->params[0], &r, err);

	if (!rc)
		rc = fz_store_boundary_get(req->db, r.code, &text, err);
	if (rc)
		return rc;
	resp->status = 200;
	resp->body = text;
	resp->len = strlen(text);
	resp->content_type = "application/geo+json; charset=utf-8";
	return 0;
}

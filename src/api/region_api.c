/*
 * GET /api/v1/regions/{code} and its boundaries. A caller sees the regions
 * inside their scope and the chain above it; below an ancestor only the
 * branch that leads to the scope is listed.
 *
 * This is the hottest read of the console, so it is served from the
 * in-memory region tree and assembled from each node's pre-rendered JSON
 * fragments instead of a cJSON tree.
 */
#include "api/app.h"
#include "api/handlers.h"

#include "core/err.h"
#include "registry/region_tree.h"
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

static int find_visible(struct fz_req *req, const char *code, const struct fz_region_node **out,
			struct fz_err *err)
{
	const struct fz_region_node *n;

	if (!fz_region_code_ok(code))
		return fz_err_set(err, FZ_EINVAL, NULL, "code",
				  "code: “%.20s”无效，应为 6、9 或 12 位区划代码", code);
	n = fz_region_tree_find(fz_app_of(req)->regions, code);
	if (!n)
		return fz_err_set(err, FZ_ENOTFOUND, NULL, "code", "区划 %s 不存在", code);
	if (!visible(req, n->r.path))
		return fz_err_set(err, FZ_EFORBIDDEN, NULL, "code",
				  "code: 区划 %s 超出当前账号的管辖范围（%s）", code,
				  req->who->scope);
	*out = n;
	return 0;
}

/* The region as JSON: its brief, level name, parent, ancestors, children. */
static int render(const struct fz_req *req, const struct fz_region_node *n, struct fz_buf *b)
{
	const struct fz_region_node *chain[16];
	size_t depth = 0, shown = 0;
	int rc;

	for (const struct fz_region_node *a = n->parent; a && depth < 16; a = a->parent)
		chain[depth++] = a;
	rc = fz_buf_add(b, n->brief, strlen(n->brief) - 1); /* without its '}' */
	rc = rc ? rc : fz_buf_adds(b, ",\"level_name\":");
	rc = rc ? rc : fz_json_quote(b, fz_region_level_name(n->r.level));
	rc = rc ? rc : fz_buf_adds(b, ",\"parent\":");
	rc = rc ? rc : (n->parent ? fz_json_quote(b, n->parent->r.code) : fz_buf_adds(b, "null"));
	rc = rc ? rc : fz_buf_adds(b, ",\"ancestors\":[");
	for (size_t i = depth; !rc && i-- > 0;) {
		rc = fz_buf_adds(b, chain[i]->brief);
		if (!rc && i)
			rc = fz_buf_adds(b, ",");
	}
	rc = rc ? rc : fz_buf_adds(b, "],\"children\":[");
	for (size_t i = 0; !rc && i < n->nchildren; i++) {
		if (!visible(req, n->children[i]->r.path))
			continue;
		if (shown++)
			rc = fz_buf_adds(b, ",");
		rc = rc ? rc : fz_buf_adds(b, n->children[i]->item);
	}
	return rc ? rc : fz_buf_addf(b, "],\"children_count\":%zu}", shown);
}

int fz_api_region_get(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	const struct fz_region_node *n;
	struct fz_buf b;
	int rc = find_visible(req, req->params[0], &n, err);

	if (rc)
		return rc;
	fz_buf_init(&b, 0);
	if (render(req, n, &b)) {
		fz_buf_release(&b);
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "服务繁忙，请稍后重试");
	}
	fz_resp_buf(resp, 200, "application/json; charset=utf-8", &b);
	return 0;
}

int fz_api_region_boundaries(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	const struct fz_region_node *n;
	struct fz_db *db;
	char *text = NULL;
	int rc = find_visible(req, req->params[0], &n, err);

	if (rc)
		return rc;
	if (!(db = fz_app_db(req, err)))
		return FZ_ENOMEM;
	rc = fz_store_boundary_get(db, n->r.code, &text, err);
	if (rc)
		return rc;
	resp->status = 200;
	resp->body = text;
	resp->len = strlen(text);
	resp->content_type = "application/geo+json; charset=utf-8";
	return 0;
}

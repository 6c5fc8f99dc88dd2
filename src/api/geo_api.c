/*
 * /api/v1/geo: which region a point is in, for anyone signed in, and the
 * boundaries behind the answer.
 *   GET  /geo/locate       one point: city, district, township, village, each
 *                          {code, name, generated} or null;
 *   POST /geo/locate       up to 100 000 points: the codes at each level, in order;
 *   GET  /geo/cells/{code} the polygons of code's children (GeoJSON), each
 *                          marked generated or not (the map draws them);
 *   POST /geo/boundaries   (admin) real township/village boundaries replacing
 *                          generated ones, checked, stored, audited, and the
 *                          atlas rebuilt and swapped.
 * Coordinates are WGS-84 unless crs=gcj02 (converted first, geo/crs.h).
 *
 * The index is the atlas snapshot (geo/atlas.h): each request takes a
 * reference and drops it in fz_app_release-free fashion before returning.
 * The batch answer is assembled as text, not as a cJSON tree.
 */
#include "api/app.h"
#include "api/handlers.h"

#include "audit/audit.h"
#include "core/buf.h"
#include "core/err.h"
#include "geo/atlas.h"
#include "geo/crs.h"
#include "geo/locator.h"
#include "geo/polygon.h"
#include "registry/region.h"
#include "registry/region_tree.h"
#include "store/geo_store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BATCH 100000

static const char note[] = "区县为真实边界；generated 为 true 的乡镇街道、村社区边界是"
			   "按区划名录生成的示意边界（非官方），可由管理员上传真实边界替换";

/* The current atlas with a reference (drop with fz_atlas_unref), or NULL + err. */
static struct fz_atlas *atlas_of(const struct fz_req *req, struct fz_err *err)
{
	struct fz_atlas_slot *slot = fz_app_of(req)->atlas;
	struct fz_atlas *a = slot ? fz_atlas_slot_get(slot, err) : NULL;

	if (!a)
		fz_err_set(err, FZ_EINTERNAL, NULL, NULL, "区划边界未载入，无法定位");
	return a;
}

static int in_range(double lon, double lat)
{
	return isfinite(lon) && isfinite(lat) && lon >= -180 && lon <= 180 && lat >= -90 &&
	       lat <= 90;
}

/* A decimal number of degrees within [-limit, limit] from the query. */
static int query_degrees(const struct fz_req *req, const char *name, double limit, double *out,
			 struct fz_err *err)
{
	const char *s = fz_req_query(req, name);
	char *end = NULL;

	if (!s || !s[0])
		return fz_err_set(err, FZ_EINVAL, "missing_field", name,
				  "%s: 必填，十进制度数，-%g..%g", name, limit, limit);
	/* digits, sign, point and exponent only: no hex, inf, nan or spaces */
	if (strspn(s, "0123456789+-.eE") == strlen(s))
		*out = strtod(s, &end);
	if (!end || *end || !isfinite(*out) || fabs(*out) > limit)
		return fz_err_set(err, FZ_EINVAL, NULL, name,
				  "%s: “%.32s”无效，应为 -%g..%g 之间的十进制度数", name, s, limit,
				  limit);
	return 0;
}

/* {code, name, generated} of a region, or JSON null. */
static cJSON *brief(const struct fz_region_node *n, int generated)
{
	cJSON *o;

	if (!n)
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "code", n->r.code);
	cJSON_AddStringToObject(o, "name", n->r.name);
	cJSON_AddBoolToObject(o, "generated", generated);
	return o;
}

int fz_api_geo_locate(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_geo_place p;
	struct fz_atlas *a;
	enum fz_geo_crs crs;
	double lon, lat;
	cJSON *out;
	int rc;

	rc = query_degrees(req, "lon", 180, &lon, err);
	rc = rc ? rc : query_degrees(req, "lat", 90, &lat, err);
	rc = rc ? rc : fz_geo_crs_parse(fz_req_query(req, "crs"), "crs", &crs, err);
	if (rc)
		return rc;
	if (!(a = atlas_of(req, err)))
		return FZ_EINTERNAL;
	if (crs == FZ_GEO_GCJ02)
		fz_geo_gcj02_to_wgs84(lon, lat, &lon, &lat);
	fz_atlas_locate(a, lon, lat, &p);
	fz_atlas_unref(a);
	out = cJSON_CreateObject();
	cJSON_AddNumberToObject(out, "lon", lon);
	cJSON_AddNumberToObject(out, "lat", lat);
	fz_json_put(out, "city", brief(p.district ? p.district->parent : NULL, 0));
	fz_json_put(out, "district", brief(p.district, 0));
	fz_json_put(out, "township", brief(p.township, p.township_generated));
	fz_json_put(out, "village", brief(p.village, p.village_generated));
	cJSON_AddStringToObject(out, "note", note);
	return fz_resp_json(resp, 200, out);
}

static const struct fz_json_field batch_spec[] = {
	{ "points", FZ_JSON_ARRAY, 1, 0, "[[经度, 纬度], ...]，最多 100000 个点" },
	{ "crs", FZ_JSON_STRING, 0, 8, "wgs84 或 gcj02" },
	{ NULL },
};

/* Point i of the batch as WGS-84, or FZ_EINVAL naming points/i. */
static int batch_point(const cJSON *p, size_t i, enum fz_geo_crs crs, double *xy,
		       struct fz_err *err)
{
	const cJSON *x = cJSON_GetArrayItem(p, 0), *y = cJSON_GetArrayItem(p, 1);
	char field[32];

	snprintf(field, sizeof(field), "points/%zu", i);
	if (!cJSON_IsArray(p) || cJSON_GetArraySize(p) != 2 || !cJSON_IsNumber(x) ||
	    !cJSON_IsNumber(y))
		return fz_err_set(err, FZ_EINVAL, NULL, field, "%s: 应为 [经度, 纬度] 两个数",
				  field);
	if (!in_range(x->valuedouble, y->valuedouble))
		return fz_err_set(
			err, FZ_EINVAL, NULL, field,
			"%s: [%.10g, %.10g] 超出范围，经度应在 -180..180，纬度应在 -90..90", field,
			x->valuedouble, y->valuedouble);
	xy[0] = x->valuedouble;
	xy[1] = y->valuedouble;
	if (crs == FZ_GEO_GCJ02)
		fz_geo_gcj02_to_wgs84(xy[0], xy[1], &xy[0], &xy[1]);
	return 0;
}

/* One batch answer: null, or the codes at each level and which are generated. */
static int place_json(struct fz_buf *b, const struct fz_geo_place *p)
{
	const struct fz_region_node *t = p->township, *v = p->village;

	if (!p->district)
		return fz_buf_adds(b, "null");
	return fz_buf_addf(b,
			   "{\"district\":\"%s\",\"township\":%s%s%s,\"village\":%s%s%s,"
			   "\"generated\":{\"township\":%s,\"village\":%s}}",
			   p->district->r.code, t ? "\"" : "", t ? t->r.code : "null",
			   t ? "\"" : "", v ? "\"" : "", v ? v->r.code : "null", v ? "\"" : "",
			   p->township_generated ? "true" : "false",
			   p->village_generated ? "true" : "false");
}

int fz_api_geo_locate_batch(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	cJSON *body = fz_req_json(req, batch_spec, err);
	const cJSON *points;
	struct fz_atlas *a;
	enum fz_geo_crs crs;
	double *xy;
	struct fz_buf b;
	size_t n, i = 0;
	int rc;

	if (!body)
		return err->code;
	if ((rc = fz_geo_crs_parse(fz_json_str(body, "crs"), "crs", &crs, err)))
		return rc;
	points = cJSON_GetObjectItemCaseSensitive(body, "points");
	n = (size_t)cJSON_GetArraySize(points);
	if (n > MAX_BATCH)
		return fz_err_set(err, FZ_ETOOBIG, NULL, "points",
				  "points: %zu 个点，超过上限 %d，请分批提交", n, MAX_BATCH);
	if (!(xy = fz_arena_alloc(req->arena, (n ? n : 1) * 2 * sizeof(double))))
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "服务繁忙，请稍后重试");
	/* every point is checked before any is located: an answer is whole or absent */
	for (const cJSON *p = points->child; p; p = p->next, i++)
		if ((rc = batch_point(p, i, crs, xy + 2 * i, err)))
			return rc;
	if (!(a = atlas_of(req, err)))
		return FZ_EINTERNAL;
	fz_buf_init(&b, 0);
	rc = fz_buf_adds(&b, "{\"results\":[");
	for (i = 0; !rc && i < n; i++) {
		struct fz_geo_place p;
		fz_atlas_locate(a, xy[2 * i], xy[2 * i + 1], &p);
		rc = i ? fz_buf_adds(&b, ",") : 0;
		rc = rc ? rc : place_json(&b, &p);
	}
	fz_atlas_unref(a);
	rc = rc ? rc : fz_buf_adds(&b, "]}");
	if (rc) {
		fz_buf_release(&b);
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "服务繁忙，请稍后重试");
	}
	fz_resp_buf(resp, 200, "application/json; charset=utf-8", &b);
	return 0;
}

/* ---- the polygons behind the answers ---- */

int fz_api_geo_cells(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	const char *code = req->params[0];
	const struct fz_region_node *n;
	struct fz_atlas *a;
	struct fz_buf b;
	int rc;

	if (!fz_region_code_ok(code))
		return fz_err_set(err, FZ_EINVAL, NULL, "code",
				  "code: “%.20s”无效，应为 6、9 或 12 位区划代码", code);
	if (!(n = fz_region_tree_find(fz_app_of(req)->regions, code)))
		return fz_err_set(err, FZ_ENOTFOUND, NULL, "code", "区划 %s 不存在", code);
	/* like the region tree: inside the caller's scope, or an ancestor of it */
	if (!fz_scope_contains(req->who->scope_path, n->r.path) &&
	    !fz_scope_contains(n->r.path, req->who->scope_path))
		return fz_err_set(err, FZ_EFORBIDDEN, NULL, "code",
				  "code: 区划 %s 超出当前账号的管辖范围（%s）", code,
				  req->who->scope);
	if (!(a = atlas_of(req, err)))
		return FZ_EINTERNAL;
	fz_buf_init(&b, 0);
	rc = fz_atlas_children_geojson(a, code, &b);
	fz_atlas_unref(a);
	if (rc) {
		fz_buf_release(&b);
		return rc == FZ_ENOTFOUND
			       ? fz_err_set(err, rc, NULL, "code", "区划 %s 没有下级边界", code)
			       : fz_err_set(err, FZ_ENOMEM, NULL, NULL, "服务繁忙，请稍后重试");
	}
	fz_resp_buf(resp, 200, "application/geo+json; charset=utf-8", &b);
	return 0;
}

/* ---- uploads ---- */

struct upload {
	struct fz_req *req;
	const struct fz_polygon_set *set;
	const struct fz_region_tree *tree;
	char **features; /* per item: its Feature text as stored */
};

static int save_uploads(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct upload *u = arg;

	for (size_t i = 0; i < u->set->n; i++) {
		const struct fz_polygon *p = &u->set->items[i];
		const struct fz_region_node *n = fz_region_tree_find(u->tree, p->code);
		struct fz_audit_entry e;
		char digest[FZ_SHA256_HEX];
		int rc = fz_store_geo_upload_put(db, p->code, u->features[i], u->req->now,
						 u->req->who ? u->req->who->user_id : 0, err);
		if (rc)
			return rc;
		fz_app_audit_init(u->req, &e, "boundary.upload", "boundary", 0);
		snprintf(e.object_id, sizeof(e.object_id), "%s", p->code);
		fz_app_audit_region(&e, n->r.code, n->r.path);
		fz_audit_digest(u->features[i], digest);
		snprintf(e.after_digest, sizeof(e.after_digest), "%s", digest);
		snprintf(e.summary, sizeof(e.summary), "上传%s“%.80s”（%s）的真实边界，%zu 个点",
			 fz_region_level_name(n->r.level), n->r.name, n->r.code,
			 p->rings ? p->rings[0].n : 0);
		if ((rc = fz_audit_append(db, &e, err)))
			return rc;
	}
	return 0;
}

/* Checks every feature against the current atlas and renders what to store. */
static int check_uploads(struct fz_req *req, struct upload *u, struct fz_err *err)
{
	struct fz_atlas *a = atlas_of(req, err);
	int rc = 0;

	if (!a)
		return FZ_EINTERNAL;
	if (!(u->features = fz_arena_alloc(req->arena, u->set->n * sizeof(char *))))
		rc = fz_err_set(err, FZ_ENOMEM, NULL, NULL, "服务繁忙，请稍后重试");
	for (size_t i = 0; !rc && i < u->set->n; i++) {
		const struct fz_polygon *p = &u->set->items[i];
		char ptr[48];
		struct fz_buf b;
		snprintf(ptr, sizeof(ptr), "/features/%zu", i);
		if ((rc = fz_atlas_check_upload(a, p->code, p, ptr, err)))
			break;
		if ((rc = fz_app_in_scope(req, fz_region_tree_find(u->tree, p->code)->r.path, ptr,
					  err)))
			break;
		fz_buf_init(&b, 0);
		if (fz_atlas_feature_json(&b, fz_region_tree_find(u->tree, p->code), p, 0, 1) ||
		    !(u->features[i] = fz_arena_strdup(req->arena, b.data)))
			rc = fz_err_set(err, FZ_ENOMEM, NULL, NULL, "服务繁忙，请稍后重试");
		fz_buf_release(&b);
	}
	fz_atlas_unref(a);
	return rc;
}

int fz_api_geo_upload(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_atlas_slot *slot = fz_app_of(req)->atlas;
	struct upload u = { .req = req, .tree = fz_app_of(req)->regions };
	struct fz_polygon_set *set = NULL;
	struct fz_atlas *a;
	struct fz_atlas_stats st;
	cJSON *out, *codes;
	int rc;

	if (!slot)
		return fz_err_set(err, FZ_EINTERNAL, NULL, NULL, "区划边界未载入");
	/* strictly: unclosed or self-intersecting rings, sizes and depth are refused */
	if ((rc = fz_polygon_set_parse(req->body ? req->body : "", req->body_len, NULL, 0, &set,
				       err)))
		return rc;
	u.set = set;
	if (!set->n)
		rc = fz_err_set(err, FZ_EINVAL, NULL, "features", "features: 没有要素");
	rc = rc ? rc : check_uploads(req, &u, err);
	if (!rc) {
		pthread_mutex_lock(&slot->build_lock);
		rc = fz_app_write(req, save_uploads, &u, err);
		rc = rc ? rc : fz_atlas_slot_rebuild(slot, err);
		pthread_mutex_unlock(&slot->build_lock);
	}
	if (rc) {
		fz_polygon_set_free(set);
		return rc;
	}
	out = cJSON_CreateObject();
	codes = cJSON_AddArrayToObject(out, "replaced");
	for (size_t i = 0; i < set->n; i++)
		cJSON_AddItemToArray(codes, cJSON_CreateString(set->items[i].code));
	fz_polygon_set_free(set);
	if ((a = atlas_of(req, err))) {
		fz_atlas_stats(a, &st);
		fz_atlas_unref(a);
		cJSON_AddNumberToObject(out, "townships_uploaded", (double)st.townships_uploaded);
		cJSON_AddNumberToObject(out, "villages_uploaded", (double)st.villages_uploaded);
	}
	return fz_resp_json(resp, 200, out);
}

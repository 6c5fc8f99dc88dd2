/*
 * /api/v1/geo/locate: which region a point is in, for anyone signed in.
 * GET answers one point with the district and the city and their names;
 * POST answers up to 100 000 points with their district codes, in order.
 * Coordinates are WGS-84 unless crs=gcj02 (converted first, geo/crs.h).
 * Township and village cells are not generated yet, so those levels are
 * null and the answer's note says so.
 *
 * The index is the immutable locator built at start (geo/locator.h); the
 * batch answer is assembled as text, not as a cJSON tree.
 */
#include "api/app.h"
#include "api/handlers.h"

#include "core/err.h"
#include "geo/crs.h"
#include "geo/locator.h"
#include "registry/region_tree.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BATCH 100000

static const char note[] = "乡镇街道和村社区的边界尚未生成，township 与 village 暂为 null；"
			   "district 与 city 按区县真实边界判定";

static const struct fz_locator *locator_of(const struct fz_req *req, struct fz_err *err)
{
	const struct fz_locator *l = fz_app_of(req)->locator;

	if (!l)
		fz_err_set(err, FZ_EINTERNAL, NULL, NULL, "区划边界未载入，无法定位");
	return l;
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

/* {code, name} of a region, or JSON null. */
static cJSON *brief(const struct fz_region_node *n)
{
	cJSON *o;

	if (!n)
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "code", n->r.code);
	cJSON_AddStringToObject(o, "name", n->r.name);
	return o;
}

int fz_api_geo_locate(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	const struct fz_locator *l = locator_of(req, err);
	const struct fz_region_node *district = NULL;
	enum fz_geo_crs crs;
	double lon, lat;
	const char *code;
	cJSON *out;
	int rc;

	if (!l)
		return FZ_EINTERNAL;
	rc = query_degrees(req, "lon", 180, &lon, err);
	rc = rc ? rc : query_degrees(req, "lat", 90, &lat, err);
	rc = rc ? rc : fz_geo_crs_parse(fz_req_query(req, "crs"), "crs", &crs, err);
	if (rc)
		return rc;
	if (crs == FZ_GEO_GCJ02)
		fz_geo_gcj02_to_wgs84(lon, lat, &lon, &lat);
	if ((code = fz_locator_find(l, lon, lat)))
		district = fz_region_tree_find(fz_app_of(req)->regions, code);
	out = cJSON_CreateObject();
	cJSON_AddNumberToObject(out, "lon", lon);
	cJSON_AddNumberToObject(out, "lat", lat);
	fz_json_put(out, "district", brief(district));
	fz_json_put(out, "city", brief(district ? district->parent : NULL));
	cJSON_AddNullToObject(out, "township");
	cJSON_AddNullToObject(out, "village");
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

int fz_api_geo_locate_batch(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	const struct fz_locator *l = locator_of(req, err);
	cJSON *body = l ? fz_req_json(req, batch_spec, err) : NULL;
	const cJSON *points;
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
	fz_buf_init(&b, 0);
	rc = fz_buf_adds(&b, "{\"results\":[");
	for (i = 0; !rc && i < n; i++) {
		const char *code = fz_locator_find(l, xy[2 * i], xy[2 * i + 1]);
		rc = i ? fz_buf_adds(&b, ",") : 0;
		rc = rc ? rc : code ? fz_json_quote(&b, code) : fz_buf_adds(&b, "null");
	}
	rc = rc ? rc : fz_buf_adds(&b, "]}");
	if (rc) {
		fz_buf_release(&b);
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "服务繁忙，请稍后重试");
	}
	resp->status = 200;
	resp->content_type = "application/json; charset=utf-8";
	resp->body = fz_buf_detach(&b, &resp->len);
	return 0;
}

#include "geo/polygon.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The exact arithmetic below must not have its roundings merged: CMake
 * builds this file with -ffp-contract=off (no fused multiply-add).
 */

const struct fz_polygon_limits fz_polygon_default_limits = {
	.max_bytes = 16u << 20,
	.max_depth = 16,
	.max_features = 10000,
	.max_rings = 10000,
	.max_points = 1000000,
	.max_ring_points = 200000,
};

/* Pairs of edges compared by the self-intersection check, per collection. */
#define MAX_PAIR_TESTS 50000000u

/* ---- exact orientation (Shewchuk's expansions) ---- */

static void two_sum(double a, double b, double *x, double *y)
{
	double bv, av;

	*x = a + b;
	bv = *x - a;
	av = *x - bv;
	*y = (a - av) + (b - bv);
}

static void two_diff(double a, double b, double *x, double *y)
{
	double bv, av;

	*x = a - b;
	bv = a - *x;
	av = *x + bv;
	*y = (a - av) + (bv - b);
}

static void split(double a, double *hi, double *lo)
{
	double c = 134217729.0 * a; /* 2^27 + 1 */
	double big = c - a;

	*hi = c - big;
	*lo = a - *hi;
}

static void two_product(double a, double b, double *x, double *y)
{
	double ah, al, bh, bl, e1, e2, e3;

	*x = a * b;
	split(a, &ah, &al);
	split(b, &bh, &bl);
	e1 = *x - ah * bh;
	e2 = e1 - al * bh;
	e3 = e2 - ah * bl;
	*y = al * bl - e3;
}

/* The sign of the exact sum of n doubles (grow-expansion, then the largest component). */
static int sum_sign(const double *t, int n)
{
	double e[32], q, h;
	int m = 0;

	for (int i = 0; i < n; i++) {
		q = t[i];
		for (int j = 0; j < m; j++) {
			two_sum(q, e[j], &q, &h);
			e[j] = h;
		}
		e[m++] = q;
	}
	while (m-- > 0)
		if (e[m] != 0)
			return e[m] > 0 ? 1 : -1;
	return 0;
}

int fz_polygon_orient_exact(double ax, double ay, double bx, double by, double cx, double cy)
{
	double d[4][2], t[16];
	int k = 0;

	/* (bx - ax)(cy - ay) - (by - ay)(cx - ax), each difference as two exact terms */
	two_diff(bx, ax, &d[0][0], &d[0][1]);
	two_diff(cy, ay, &d[1][0], &d[1][1]);
	two_diff(by, ay, &d[2][0], &d[2][1]);
	two_diff(cx, ax, &d[3][0], &d[3][1]);
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++) {
			two_product(d[0][i], d[1][j], &t[k], &t[k + 1]);
			two_product(-d[2][i], d[3][j], &t[k + 2], &t[k + 3]);
			k += 4;
		}
	return sum_sign(t, 16);
}

int fz_polygon_orient(double ax, double ay, double bx, double by, double cx, double cy)
{
	double l = (bx - ax) * (cy - ay), r = (by - ay) * (cx - ax), det = l - r;
	double bound = 3.3306690738754716e-16 * (fabs(l) + fabs(r));

	if (det > bound)
		return 1;
	if (-det > bound)
		return -1;
	return fz_polygon_orient_exact(ax, ay, bx, by, cx, cy);
}

int fz_polygon_contains(const struct fz_polygon *p, double lon, double lat)
{
	int in = 0;

	lon = fz_polygon_snap(lon);
	lat = fz_polygon_snap(lat);
	for (size_t r = 0; r < p->nrings; r++) {
		const double *v = p->rings[r].xy;
		for (size_t i = 0; i + 1 < p->rings[r].n; i++, v += 2) {
			if (v[1] < v[3])
				in ^= fz_polygon_crosses(v[0], v[1], v[2], v[3], lon, lat);
			else if (v[1] > v[3])
				in ^= fz_polygon_crosses(v[2], v[3], v[0], v[1], lon, lat);
		}
	}
	return in;
}

/* ---- self-intersection check of one ring ---- */

struct edge {
	double x0, x1, y0, y1; /* extent */
	size_t i;	       /* index of its first vertex in the deduplicated ring */
};

/* By western end, then by position in the ring, so that reports are reproducible. */
static int cmp_edge(const void *a, const void *b)
{
	const struct edge *e = a, *f = b;

	if (e->x0 != f->x0)
		return e->x0 < f->x0 ? -1 : 1;
	return (e->i > f->i) - (e->i < f->i);
}

/* c, collinear with a-b, lies within the segment's box. */
static int on_segment(const double *a, const double *b, const double *c)
{
	return fmin(a[0], b[0]) <= c[0] && c[0] <= fmax(a[0], b[0]) && fmin(a[1], b[1]) <= c[1] &&
	       c[1] <= fmax(a[1], b[1]);
}

static int orient3(const double *a, const double *b, const double *c)
{
	return fz_polygon_orient(a[0], a[1], b[0], b[1], c[0], c[1]);
}

/* The closed segments a-b and c-d share a point. */
static int segments_meet(const double *a, const double *b, const double *c, const double *d)
{
	int o1 = orient3(a, b, c), o2 = orient3(a, b, d), o3 = orient3(c, d, a),
	    o4 = orient3(c, d, b);

	if (o1 * o2 < 0 && o3 * o4 < 0)
		return 1;
	return (o1 == 0 && on_segment(a, b, c)) || (o2 == 0 && on_segment(a, b, d)) ||
	       (o3 == 0 && on_segment(c, d, a)) || (o4 == 0 && on_segment(c, d, b));
}

/* Edges s-p and s-q (sharing s) fold back over each other. */
static int folds(const double *s, const double *p, const double *q)
{
	return orient3(s, p, q) == 0 &&
	       (p[0] - s[0]) * (q[0] - s[0]) + (p[1] - s[1]) * (q[1] - s[1]) > 0;
}

/* ---- the parser ---- */

struct set_impl {
	struct fz_polygon_set pub;
	struct fz_ring *rings;
	double *xy;
};

struct parser {
	const struct fz_polygon_limits *lim;
	unsigned flags;
	struct fz_err *err;
	struct set_impl *s;
	size_t nrings, rings_cap, off_cap, xy_cap;
	size_t *ring_off; /* offset of each ring's first position in s->xy */
	size_t pair_tests;
	const char *code; /* the current feature's, for messages */
	/* scratch of the ring check */
	double *v;
	size_t *orig;
	struct edge *edges;
	size_t scratch_cap;
};

static int nomem(struct parser *ps)
{
	return fz_err_set(ps->err, FZ_ENOMEM, NULL, NULL, "内存不足，无法读取 GeoJSON");
}

/* Room for a ring of n positions in the check's three scratch arrays. */
static int scratch(struct parser *ps, size_t n)
{
	size_t cap = ps->scratch_cap ? ps->scratch_cap : 64;
	void *v, *orig, *edges;

	if (n <= ps->scratch_cap)
		return 0;
	while (cap < n)
		cap *= 2;
	if ((v = realloc(ps->v, cap * 2 * sizeof(double))))
		ps->v = v;
	if ((orig = realloc(ps->orig, cap * sizeof(size_t))))
		ps->orig = orig;
	if ((edges = realloc(ps->edges, cap * sizeof(struct edge))))
		ps->edges = edges;
	if (!v || !orig || !edges)
		return FZ_ENOMEM;
	ps->scratch_cap = cap;
	return 0;
}

/*
 * Records a self-intersection: an error in strict mode, counted (and the
 * first one remembered) when tolerated.
 */
static int intersection(struct parser *ps, const char *ptr, size_t vertex, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int intersection(struct parser *ps, const char *ptr, size_t vertex, const char *fmt, ...)
{
	char msg[256], field[96];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(field, sizeof(field), "%s/%zu", ptr, vertex);
	if (ps->flags & FZ_POLYGON_TOLERATE_SELF_INTERSECTIONS) {
		if (ps->s->pub.self_intersections++ == 0)
			snprintf(ps->s->pub.first_self_intersection,
				 sizeof(ps->s->pub.first_self_intersection), "%s: %s", field, msg);
		return 0;
	}
	return fz_err_set(ps->err, FZ_EINVAL, "invalid_geometry", field, "%s: %s", field, msg);
}

#define P(k) (ps->v + 2 * (k))

/* Compares edge e with the edges after it in x order that overlap it in x. */
static int sweep_one(struct parser *ps, const char *ptr, size_t m, size_t at)
{
	const struct edge *e = &ps->edges[at];

	for (size_t k = at + 1; k < m && ps->edges[k].x0 <= e->x1; k++) {
		size_t i = e->i < ps->edges[k].i ? e->i : ps->edges[k].i;
		size_t j = e->i < ps->edges[k].i ? ps->edges[k].i : e->i;
		int rc = 0;

		if (++ps->pair_tests > MAX_PAIR_TESTS)
			return fz_err_set(ps->err, FZ_ETOOBIG, NULL, ptr,
					  "%s: 多边形过于复杂，自相交检查超过 %u 次比较", ptr,
					  MAX_PAIR_TESTS);
		if (ps->edges[k].y0 > e->y1 || ps->edges[k].y1 < e->y0)
			continue;
		if (j == i + 1) {
			if (folds(P(j), P(i), P(j + 1)))
				rc = intersection(ps, ptr, ps->orig[j],
						  "要素 %s：环在第 %zu 个点处折返，与前一条边重叠",
						  ps->code, ps->orig[j]);
		} else if (i == 0 && j == m - 1) {
			if (folds(P(0), P(1), P(m - 1)))
				rc = intersection(ps, ptr, 0,
						  "要素 %s：环在首点处折返，首尾两条边重叠",
						  ps->code);
		} else if (segments_meet(P(i), P(i + 1), P(j), P(j + 1))) {
			rc = intersection(
				ps, ptr, ps->orig[j],
				"要素 %s：环自相交，第 %zu 个点起的边 [%.15g, %.15g]–[%.15g, "
				"%.15g] 与第 %zu 个点起的边 [%.15g, %.15g]–[%.15g, %.15g] 相交",
				ps->code, ps->orig[i], P(i)[0], P(i)[1], P(i + 1)[0], P(i + 1)[1],
				ps->orig[j], P(j)[0], P(j)[1], P(j + 1)[0], P(j + 1)[1]);
		}
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * The ring xy[0..n) without repeated consecutive positions must have 3
 * distinct vertices and must not meet itself. Edges are sorted by their
 * western end and each is compared with those that overlap it in x, so
 * long thin rings of short edges cost about n log n.
 */
static int check_ring(struct parser *ps, const char *ptr, const double *xy, size_t n)
{
	size_t m = 0; /* edges; vertices 0..m, the last equal to the first */
	int rc;

	if (scratch(ps, n))
		return nomem(ps);
	for (size_t k = 0; k < n; k++) {
		if (m && xy[2 * k] == P(m - 1)[0] && xy[2 * k + 1] == P(m - 1)[1])
			continue;
		P(m)[0] = xy[2 * k];
		P(m)[1] = xy[2 * k + 1];
		ps->orig[m++] = k;
	}
	m--; /* the closing vertex is not an edge start */
	if (m < 3)
		return fz_err_set(ps->err, FZ_EINVAL, "invalid_geometry", ptr,
				  "%s: 要素 %s 的环退化，不同的点少于 3 个", ptr, ps->code);
	for (size_t i = 0; i < m; i++) {
		ps->edges[i].x0 = fmin(P(i)[0], P(i + 1)[0]);
		ps->edges[i].x1 = fmax(P(i)[0], P(i + 1)[0]);
		ps->edges[i].y0 = fmin(P(i)[1], P(i + 1)[1]);
		ps->edges[i].y1 = fmax(P(i)[1], P(i + 1)[1]);
		ps->edges[i].i = i;
	}
	qsort(ps->edges, m, sizeof(ps->edges[0]), cmp_edge);
	for (size_t at = 0; at < m; at++)
		if ((rc = sweep_one(ps, ptr, m, at)))
			return rc;
	return 0;
}

#undef P

static int position(struct parser *ps, const cJSON *pos, const char *ptr, size_t k, double *out)
{
	const cJSON *x = cJSON_GetArrayItem(pos, 0), *y = cJSON_GetArrayItem(pos, 1);
	int n = cJSON_IsArray(pos) ? cJSON_GetArraySize(pos) : 0;
	char field[96];

	snprintf(field, sizeof(field), "%s/%zu", ptr, k);
	if (n < 2 || n > 3 || !cJSON_IsNumber(x) || !cJSON_IsNumber(y) ||
	    (n == 3 && !cJSON_IsNumber(cJSON_GetArrayItem(pos, 2))))
		return fz_err_set(ps->err, FZ_EINVAL, "invalid_geometry", field,
				  "%s: 要素 %s 的坐标应为 [经度, 纬度] 两个数", field, ps->code);
	out[0] = fz_polygon_snap(x->valuedouble);
	out[1] = fz_polygon_snap(y->valuedouble);
	if (!isfinite(out[0]) || out[0] < -180 || out[0] > 180)
		return fz_err_set(ps->err, FZ_EINVAL, "invalid_geometry", field,
				  "%s: 要素 %s 的经度 %.15g 超出 -180..180", field, ps->code,
				  out[0]);
	if (!isfinite(out[1]) || out[1] < -90 || out[1] > 90)
		return fz_err_set(ps->err, FZ_EINVAL, "invalid_geometry", field,
				  "%s: 要素 %s 的纬度 %.15g 超出 -90..90", field, ps->code, out[1]);
	return 0;
}

static int parse_ring(struct parser *ps, const cJSON *ring, const char *ptr, int part, int hole,
		      size_t *feature_rings)
{
	struct fz_polygon_set *pub = &ps->s->pub;
	size_t n = cJSON_IsArray(ring) ? (size_t)cJSON_GetArraySize(ring) : 0, k = 0;
	const double *xy;
	double *first;
	int rc;

	if (!cJSON_IsArray(ring))
		return fz_err_set(ps->err, FZ_EINVAL, "invalid_geometry", ptr,
				  "%s: 要素 %s 的环应为坐标数组", ptr, ps->code);
	if (++*feature_rings > ps->lim->max_rings)
		return fz_err_set(ps->err, FZ_ETOOBIG, NULL, ptr, "%s: 要素 %s 的环超过上限 %zu 个",
				  ptr, ps->code, ps->lim->max_rings);
	if (n > ps->lim->max_ring_points)
		return fz_err_set(ps->err, FZ_ETOOBIG, NULL, ptr, "%s: 环有 %zu 个点，超过上限 %zu",
				  ptr, n, ps->lim->max_ring_points);
	if (pub->npoints + n > ps->lim->max_points)
		return fz_err_set(ps->err, FZ_ETOOBIG, NULL, ptr, "%s: 坐标点总数超过上限 %zu", ptr,
				  ps->lim->max_points);
	if (fz_array_grow((void **)&ps->s->rings, &ps->rings_cap, ps->nrings + 1,
			  sizeof(struct fz_ring)) ||
	    fz_array_grow((void **)&ps->ring_off, &ps->off_cap, ps->nrings + 1, sizeof(size_t)) ||
	    /* at least one more: an empty first ring must not leave xy NULL */
	    fz_array_grow((void **)&ps->s->xy, &ps->xy_cap, pub->npoints + n + 1,
			  2 * sizeof(double)))
		return nomem(ps);
	first = ps->s->xy + 2 * pub->npoints;
	for (const cJSON *pos = ring->child; pos; pos = pos->next, k++)
		if ((rc = position(ps, pos, ptr, k, first + 2 * k)))
			return rc;
	if (n < 4)
		return fz_err_set(ps->err, FZ_EINVAL, "invalid_geometry", ptr,
				  "%s: 要素 %s 的环至少需要 4 个点（首尾相同），只有 %zu 个", ptr,
				  ps->code, n);
	xy = first;
	if (xy[0] != xy[2 * n - 2] || xy[1] != xy[2 * n - 1])
		return fz_err_set(
			ps->err, FZ_EINVAL, "invalid_geometry", ptr,
			"%s: 要素 %s 的环未闭合：首点 [%.15g, %.15g]，末点 [%.15g, %.15g]", ptr,
			ps->code, xy[0], xy[1], xy[2 * n - 2], xy[2 * n - 1]);
	if ((rc = check_ring(ps, ptr, xy, n)))
		return rc;
	ps->ring_off[ps->nrings] = pub->npoints;
	ps->s->rings[ps->nrings++] = (struct fz_ring){ NULL, n, part, hole };
	pub->npoints += n;
	return 0;
}

/* The rings of one polygon: coordinates[...] of a Polygon or one part of a MultiPolygon. */
static int parse_rings(struct parser *ps, const cJSON *rings, const char *ptr, int part,
		       size_t *feature_rings)
{
	char sub[96];
	int i = 0, rc;

	if (!cJSON_IsArray(rings) || !rings->child)
		return fz_err_set(ps->err, FZ_EINVAL, "invalid_geometry", ptr,
				  "%s: 要素 %s 的多边形应为至少一个环的数组", ptr, ps->code);
	for (const cJSON *r = rings->child; r; r = r->next, i++) {
		snprintf(sub, sizeof(sub), "%s/%d", ptr, i);
		if ((rc = parse_ring(ps, r, sub, part, i > 0, feature_rings)))
			return rc;
	}
	return 0;
}

static int parse_geometry(struct parser *ps, const cJSON *g, const char *ptr, int *nparts)
{
	const char *type = fz_json_str(g, "type");
	const cJSON *coords = cJSON_GetObjectItemCaseSensitive(g, "coordinates");
	char sub[96];
	size_t rings = 0;
	int i = 0, rc;

	snprintf(sub, sizeof(sub), "%s/type", ptr);
	if (!cJSON_IsObject(g) || !type ||
	    (strcmp(type, "Polygon") != 0 && strcmp(type, "MultiPolygon") != 0))
		return fz_err_set(ps->err, FZ_EINVAL, "invalid_geometry", sub,
				  "%s: 要素 %s 的几何类型应为 Polygon 或 MultiPolygon", sub,
				  ps->code);
	snprintf(sub, sizeof(sub), "%s/coordinates", ptr);
	if (strcmp(type, "Polygon") == 0) {
		*nparts = 1;
		return parse_rings(ps, coords, sub, 0, &rings);
	}
	if (!cJSON_IsArray(coords) || !coords->child)
		return fz_err_set(ps->err, FZ_EINVAL, "invalid_geometry", sub,
				  "%s: 要素 %s 的 MultiPolygon 应为至少一个多边形的数组", sub,
				  ps->code);
	for (const cJSON *p = coords->child; p; p = p->next, i++) {
		snprintf(sub, sizeof(sub), "%s/coordinates/%d", ptr, i);
		if ((rc = parse_rings(ps, p, sub, i, &rings)))
			return rc;
	}
	*nparts = i;
	return 0;
}

/* properties.code (required) and name (optional) into f. */
static int parse_properties(struct parser *ps, const cJSON *feature, const char *ptr,
			    struct fz_polygon *f)
{
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(feature, "properties");
	const char *code = fz_json_str(props, "code"), *name = fz_json_str(props, "name");
	char sub[96];

	snprintf(sub, sizeof(sub), "%s/properties/code", ptr);
	if (!code || !code[0] || strlen(code) >= sizeof(f->code) ||
	    !fz_json_utf8_ok(code, strlen(code)))
		return fz_err_set(ps->err, FZ_EINVAL, "invalid_geometry", sub,
				  "%s: 要素应有字符串属性 code（区划代码，1-31 字节）", sub);
	snprintf(f->code, sizeof(f->code), "%s", code);
	if (name && (strlen(name) >= sizeof(f->name) || !fz_json_utf8_ok(name, strlen(name)))) {
		snprintf(sub, sizeof(sub), "%s/properties/name", ptr);
		return fz_err_set(ps->err, FZ_EINVAL, "invalid_geometry", sub,
				  "%s: 要素 %s 的名称应为不超过 95 字节的文字", sub, f->code);
	}
	snprintf(f->name, sizeof(f->name), "%s", name ? name : "");
	return 0;
}

static int parse_feature(struct parser *ps, const cJSON *feature, const char *ptr,
			 struct fz_polygon *f, size_t *first_ring)
{
	const char *type = fz_json_str(feature, "type");
	char sub[96];
	int rc;

	if (!cJSON_IsObject(feature) || !type || strcmp(type, "Feature") != 0)
		return fz_err_set(ps->err, FZ_EINVAL, "invalid_geometry", ptr,
				  "%s: 应为 GeoJSON Feature 对象", ptr);
	if ((rc = parse_properties(ps, feature, ptr, f)))
		return rc;
	ps->code = f->code;
	*first_ring = ps->nrings;
	snprintf(sub, sizeof(sub), "%s/geometry", ptr);
	rc = parse_geometry(ps, cJSON_GetObjectItemCaseSensitive(feature, "geometry"), sub,
			    &f->nparts);
	f->nrings = ps->nrings - *first_ring;
	return rc;
}

static int cmp_code(const void *a, const void *b)
{
	return strcmp((*(const struct fz_polygon *const *)a)->code,
		      (*(const struct fz_polygon *const *)b)->code);
}

static int unique_codes(struct parser *ps)
{
	struct fz_polygon_set *pub = &ps->s->pub;
	const struct fz_polygon **by = malloc((pub->n ? pub->n : 1) * sizeof(*by));
	int rc = 0;

	if (!by)
		return nomem(ps);
	for (size_t i = 0; i < pub->n; i++)
		by[i] = &pub->items[i];
	qsort(by, pub->n, sizeof(*by), cmp_code);
	for (size_t i = 1; i < pub->n && !rc; i++)
		if (strcmp(by[i - 1]->code, by[i]->code) == 0) {
			char field[96];
			size_t later = by[i] > by[i - 1] ? (size_t)(by[i] - pub->items)
							 : (size_t)(by[i - 1] - pub->items);
			snprintf(field, sizeof(field), "/features/%zu/properties/code", later);
			rc = fz_err_set(ps->err, FZ_EINVAL, "invalid_geometry", field,
					"%s: 区划代码 %s 重复", field, by[i]->code);
		}
	free(by);
	return rc;
}

/* Points each feature at its rings and computes the boxes. */
static void finish(struct set_impl *s, const size_t *first_ring, const size_t *ring_off)
{
	struct fz_polygon_set *pub = &s->pub;

	for (size_t i = 0; i < pub->n; i++) {
		struct fz_polygon *f = &pub->items[i];
		f->rings = s->rings + first_ring[i];
		f->bbox[0] = f->bbox[1] = INFINITY;
		f->bbox[2] = f->bbox[3] = -INFINITY;
		for (size_t r = 0; r < f->nrings; r++) {
			struct fz_ring *ring = &f->rings[r];
			ring->xy = s->xy + 2 * ring_off[first_ring[i] + r];
			for (size_t k = 0; k < ring->n; k++) {
				f->bbox[0] = fmin(f->bbox[0], ring->xy[2 * k]);
				f->bbox[1] = fmin(f->bbox[1], ring->xy[2 * k + 1]);
				f->bbox[2] = fmax(f->bbox[2], ring->xy[2 * k]);
				f->bbox[3] = fmax(f->bbox[3], ring->xy[2 * k + 1]);
			}
		}
		for (int k = 0; k < 4; k++)
			pub->bbox[k] = i == 0  ? f->bbox[k]
				       : k < 2 ? fmin(pub->bbox[k], f->bbox[k])
					       : fmax(pub->bbox[k], f->bbox[k]);
	}
}

static int parse_features(struct parser *ps, const cJSON *root, size_t **first_ring)
{
	const char *type = fz_json_str(root, "type");
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "features");
	struct fz_polygon_set *pub = &ps->s->pub;
	int single = type && strcmp(type, "Feature") == 0;
	size_t n, i = 0;
	char ptr[96];
	int rc;

	if (!cJSON_IsObject(root) || !type || (!single && strcmp(type, "FeatureCollection") != 0))
		return fz_err_set(ps->err, FZ_EINVAL, "invalid_geometry", "/type",
				  "/type: 应为 GeoJSON FeatureCollection 或 Feature");
	if (!single && !cJSON_IsArray(list))
		return fz_err_set(ps->err, FZ_EINVAL, "invalid_geometry", "/features",
				  "/features: FeatureCollection 应有 features 数组");
	n = single ? 1 : (size_t)cJSON_GetArraySize(list);
	if (n > ps->lim->max_features)
		return fz_err_set(ps->err, FZ_ETOOBIG, NULL, "/features",
				  "/features: %zu 个要素，超过上限 %zu", n, ps->lim->max_features);
	pub->items = calloc(n ? n : 1, sizeof(*pub->items));
	*first_ring = calloc(n ? n : 1, sizeof(**first_ring));
	if (!pub->items || !*first_ring)
		return nomem(ps);
	for (const cJSON *f = single ? root : list->child; f && i < n; f = f->next, i++) {
		if (single)
			ptr[0] = '\0';
		else
			snprintf(ptr, sizeof(ptr), "/features/%zu", i);
		if ((rc = parse_feature(ps, f, ptr, &pub->items[i], &(*first_ring)[i])))
			return rc;
		pub->n++;
	}
	return unique_codes(ps);
}

int fz_polygon_set_parse(const char *text, size_t len, const struct fz_polygon_limits *lim,
			 unsigned flags, struct fz_polygon_set **out, struct fz_err *err)
{
	struct parser ps = { .lim = lim ? lim : &fz_polygon_default_limits,
			     .flags = flags,
			     .err = err,
			     .code = "?" };
	size_t *first_ring = NULL;
	cJSON *root;
	int rc;

	*out = NULL;
	if (len > ps.lim->max_bytes)
		return fz_err_set(err, FZ_ETOOBIG, NULL, "", "GeoJSON 有 %zu 字节，超过上限 %zu",
				  len, ps.lim->max_bytes);
	if (!(root = fz_json_parse(text, len, ps.lim->max_depth, err)))
		return err ? err->code : FZ_EINVAL;
	if (!(ps.s = calloc(1, sizeof(*ps.s)))) {
		cJSON_Delete(root);
		return nomem(&ps);
	}
	rc = parse_features(&ps, root, &first_ring);
	cJSON_Delete(root);
	if (!rc)
		finish(ps.s, first_ring, ps.ring_off);
	free(first_ring);
	free(ps.ring_off);
	free(ps.v);
	free(ps.orig);
	free(ps.edges);
	if (rc) {
		fz_polygon_set_free(&ps.s->pub);
		return rc;
	}
	*out = &ps.s->pub;
	return 0;
}

void fz_polygon_set_free(struct fz_polygon_set *pub)
{
	struct set_impl *s = (struct set_impl *)pub;

	if (!s)
		return;
	free(s->pub.items);
	free(s->rings);
	free(s->xy);
	free(s);
}

const struct fz_polygon *fz_polygon_set_find(const struct fz_polygon_set *s, const char *code)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->items[i].code, code) == 0)
			return &s->items[i];
	return NULL;
}

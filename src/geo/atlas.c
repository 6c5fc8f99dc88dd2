#include "geo/atlas.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "core/log.h"
#include "geo/cells.h"
#include "geo/locator.h"
#include "geo/polygon.h"
#include "registry/region_tree.h"
#include "store/geo_store.h"
#include "store/registry_store.h"
#include "store/store.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define UPLOAD_TOLERANCE 0.005 /* degrees a real boundary may stray past its parent's */

/* One level's polygons, their index and the region of each indexed feature. */
struct layer {
	struct fz_cells *cells;
	struct fz_locator *index;	     /* NULL when cells is empty */
	const struct fz_region_node **nodes; /* by index position */
};

struct fz_atlas {
	atomic_int refs;
	const struct fz_region_tree *tree;
	const struct fz_region_node *root;
	struct layer districts, towns_up, towns_gen, vill_up, vill_gen;
	struct fz_atlas_stats stats;
};

static void layer_release(struct layer *l)
{
	fz_cells_free(l->cells);
	fz_locator_free(l->index);
	free(l->nodes);
}

struct fz_atlas *fz_atlas_ref(struct fz_atlas *a)
{
	atomic_fetch_add(&a->refs, 1);
	return a;
}

void fz_atlas_unref(struct fz_atlas *a)
{
	if (!a || atomic_fetch_sub(&a->refs, 1) != 1)
		return;
	layer_release(&a->districts);
	layer_release(&a->towns_up);
	layer_release(&a->towns_gen);
	layer_release(&a->vill_up);
	layer_release(&a->vill_gen);
	free(a);
}

/* ---- lookups by code ---- */

static int cmp_item(const void *key, const void *item)
{
	return strcmp(key, ((const struct fz_polygon *)item)->code);
}

/* Items are added in code order, so a binary search finds one. */
static long item_of(const struct layer *l, const char *code)
{
	const struct fz_polygon_set *s = fz_cells_set(l->cells);
	const struct fz_polygon *p =
		!s->n ? NULL : bsearch(code, s->items, s->n, sizeof(*p), cmp_item);

	return p ? (long)(p - s->items) : -1;
}

static const struct fz_polygon *polygon_of(const struct layer *l, const char *code)
{
	long i = item_of(l, code);

	return i < 0 ? NULL : &fz_cells_set(l->cells)->items[i];
}

/* ---- building ---- */

struct atlas_build {
	struct fz_atlas *a;
	const struct fz_polygon_set *uploads;
	struct fz_err *err;
	const char **codes, **names; /* scratch for one parent's children */
	size_t cap;
};

static int index_layer(struct atlas_build *ab, struct layer *l)
{
	const struct fz_polygon_set *s = fz_cells_set(l->cells);
	struct fz_locator_stats st;
	int rc;

	if (!s->n)
		return 0;
	if ((rc = fz_locator_build(s, 0, &l->index, ab->err)))
		return rc;
	if (!(l->nodes = calloc(s->n, sizeof(*l->nodes))))
		return fz_err_set(ab->err, FZ_ENOMEM, NULL, NULL, "内存不足，无法建立空间索引");
	for (size_t i = 0; i < s->n; i++)
		l->nodes[i] = fz_region_tree_find(ab->a->tree, fz_locator_code(l->index, i));
	fz_locator_stats(l->index, &st);
	ab->a->stats.bytes += st.bytes;
	return 0;
}

static const struct fz_polygon *uploaded(const struct atlas_build *ab, const char *code)
{
	return ab->uploads ? fz_polygon_set_find(ab->uploads, code) : NULL;
}

/*
 * The children of parent: uploaded ones copied into up, the others
 * divided among generated cells of poly in gen.
 */
static int divide(struct atlas_build *ab, const struct fz_region_node *parent,
		  const struct fz_polygon *poly, struct layer *up, struct layer *gen)
{
	size_t n = 0;
	int rc;

	if (fz_array_grow((void **)&ab->codes, &ab->cap, parent->nchildren + 1, sizeof(char *)) ||
	    !(ab->names = realloc(ab->names, ab->cap * sizeof(char *))))
		return fz_err_set(ab->err, FZ_ENOMEM, NULL, NULL, "内存不足，无法生成边界");
	for (size_t i = 0; i < parent->nchildren; i++) {
		const struct fz_region *r = &parent->children[i]->r;
		const struct fz_polygon *real = uploaded(ab, r->code);
		if (real) {
			if (fz_cells_add_copy(up->cells, real, r->code, r->name))
				return fz_err_set(ab->err, FZ_ENOMEM, NULL, NULL, "内存不足");
			continue;
		}
		ab->codes[n] = r->code;
		ab->names[n++] = r->name;
	}
	rc = fz_cells_divide(gen->cells, poly, ab->codes, ab->names, n, FZ_CELLS_SEED, ab->err);
	return rc;
}

static int build(struct atlas_build *ab, const struct fz_polygon_set *districts)
{
	struct fz_atlas *a = ab->a;
	const struct fz_region_node *root = a->root;
	int rc = 0;

	for (size_t i = 0; i < root->nchildren; i++) {
		const struct fz_region *r = &root->children[i]->r;
		const struct fz_polygon *p = fz_polygon_set_find(districts, r->code);
		if (p && fz_cells_add_copy(a->districts.cells, p, r->code, r->name))
			return fz_err_set(ab->err, FZ_ENOMEM, NULL, NULL, "内存不足");
	}
	for (size_t i = 0; i < root->nchildren && !rc; i++) {
		const struct fz_polygon *p = polygon_of(&a->districts, root->children[i]->r.code);
		if (p)
			rc = divide(ab, root->children[i], p, &a->towns_up, &a->towns_gen);
	}
	for (size_t i = 0; i < root->nchildren && !rc; i++) {
		const struct fz_region_node *d = root->children[i];
		for (size_t j = 0; j < d->nchildren && !rc; j++) {
			const struct fz_region_node *t = d->children[j];
			const struct fz_polygon *p = polygon_of(&a->towns_up, t->r.code);
			if (!p)
				p = polygon_of(&a->towns_gen, t->r.code);
			if (p)
				rc = divide(ab, t, p, &a->vill_up, &a->vill_gen);
		}
	}
	rc = rc ? rc : index_layer(ab, &a->districts);
	rc = rc ? rc : index_layer(ab, &a->towns_up);
	rc = rc ? rc : index_layer(ab, &a->towns_gen);
	rc = rc ? rc : index_layer(ab, &a->vill_up);
	return rc ? rc : index_layer(ab, &a->vill_gen);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int fz_atlas_build(const struct fz_region_tree *tree, const char *root,
		   const struct fz_polygon_set *districts, const struct fz_polygon_set *uploads,
		   struct fz_atlas **out, struct fz_err *err)
{
	struct atlas_build ab = { .uploads = uploads, .err = err };
	struct fz_atlas *a = calloc(1, sizeof(*a));
	double t0 = now_ms();
	int rc;

	*out = NULL;
	if (!a)
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足，无法建立空间索引");
	atomic_init(&a->refs, 1);
	a->tree = tree;
	ab.a = a;
	if (!(a->root = fz_region_tree_find(tree, root))) {
		free(a);
		return fz_err_set(err, FZ_EINVAL, NULL, NULL, "区划 %s 不存在", root);
	}
	if (!(a->districts.cells = fz_cells_new()) || !(a->towns_up.cells = fz_cells_new()) ||
	    !(a->towns_gen.cells = fz_cells_new()) || !(a->vill_up.cells = fz_cells_new()) ||
	    !(a->vill_gen.cells = fz_cells_new()))
		rc = fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足，无法建立空间索引");
	else
		rc = build(&ab, districts);
	free(ab.codes);
	free(ab.names);
	if (!rc && !fz_cells_set(a->districts.cells)->n)
		rc = fz_err_set(err, FZ_EINVAL, NULL, NULL, "没有 %s 下级的区划边界", root);
	if (rc) {
		fz_atlas_unref(a);
		return rc;
	}
	a->stats.districts = fz_cells_set(a->districts.cells)->n;
	a->stats.townships_uploaded = fz_cells_set(a->towns_up.cells)->n;
	a->stats.townships_generated = fz_cells_set(a->towns_gen.cells)->n;
	a->stats.villages_uploaded = fz_cells_set(a->vill_up.cells)->n;
	a->stats.villages_generated = fz_cells_set(a->vill_gen.cells)->n;
	a->stats.build_ms = now_ms() - t0;
	*out = a;
	return 0;
}

struct collect_ctx {
	struct fz_buf b;
	int n;
};

static int collect_upload(void *ctx, const char *code, const char *geojson)
{
	struct collect_ctx *c = ctx;

	(void)code;
	return (c->n++ ? fz_buf_adds(&c->b, ",") : 0) || fz_buf_adds(&c->b, geojson);
}

int fz_atlas_load(struct fz_store *store, const struct fz_region_tree *tree, const char *root,
		  struct fz_atlas **out, struct fz_err *err)
{
	struct fz_db *db = fz_store_reader(store);
	struct fz_polygon_set *districts = NULL, *uploads = NULL;
	struct collect_ctx c = { .n = 0 };
	char *text = NULL;
	int rc;

	*out = NULL;
	if (!db)
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "无法读取区划边界");
	fz_buf_init(&c.b, 0);
	rc = fz_store_boundary_get(db, root, &text, err);
	if (!rc && fz_buf_adds(&c.b, "{\"type\":\"FeatureCollection\",\"features\":["))
		rc = FZ_ENOMEM;
	rc = rc ? rc : fz_store_geo_uploads(db, collect_upload, &c, err);
	fz_store_reader_put(store, db);
	if (!rc && fz_buf_adds(&c.b, "]}"))
		rc = fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	if (!rc)
		rc = fz_polygon_set_parse(text, strlen(text), NULL,
					  FZ_POLYGON_TOLERATE_SELF_INTERSECTIONS, &districts, err);
	/* uploads were checked strictly when they came; read them as stored */
	if (!rc && c.n)
		rc = fz_polygon_set_parse(c.b.data, c.b.len, NULL,
					  FZ_POLYGON_TOLERATE_SELF_INTERSECTIONS, &uploads, err);
	free(text);
	fz_buf_release(&c.b);
	if (!rc)
		rc = fz_atlas_build(tree, root, districts, uploads, out, err);
	fz_polygon_set_free(districts);
	fz_polygon_set_free(uploads);
	return rc;
}

/* ---- locating ---- */

static const struct fz_region_node *hit(const struct layer *l, double x, double y)
{
	int i;

	if (!l->index || (i = fz_locator_find_index(l->index, x, y)) < 0)
		return NULL;
	return l->nodes[i];
}

/* The generated child of parent whose centre is nearest (x, y), or NULL. */
static const struct fz_region_node *nearest(const struct fz_atlas *a, const struct layer *gen,
					    const struct fz_region_node *parent, double x, double y)
{
	const struct fz_polygon_set *s = fz_cells_set(gen->cells);
	double kx = cos(y * 0.017453292519943295), best = INFINITY;
	const char *code = NULL;
	size_t len = strlen(parent->r.code), lo = 0, hi = s->n;

	while (lo < hi) { /* the first item whose code is not below the parent's */
		size_t mid = (lo + hi) / 2;
		if (strcmp(s->items[mid].code, parent->r.code) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < s->n && strncmp(s->items[i].code, parent->r.code, len) == 0; i++) {
		const double *c = fz_cells_centre(gen->cells, i);
		double dx = (x - c[0]) * kx, dy = y - c[1], d = dx * dx + dy * dy;
		if (d < best) {
			best = d;
			code = s->items[i].code;
		}
	}
	return code ? fz_region_tree_find(a->tree, code) : NULL;
}

void fz_atlas_locate(const struct fz_atlas *a, double x, double y, struct fz_geo_place *out)
{
	const struct fz_region_node *d, *t = NULL, *v;

	memset(out, 0, sizeof(*out));
	if (!(d = hit(&a->districts, x, y)))
		return;
	out->district = d;
	if ((v = hit(&a->vill_up, x, y)) && v->parent && v->parent->parent == d) {
		out->village = v;
		out->township = v->parent;
		out->township_generated = !polygon_of(&a->towns_up, v->parent->r.code);
		return;
	}
	if (!((t = hit(&a->towns_up, x, y)) && t->parent == d)) {
		out->township_generated = 1;
		if (!((t = hit(&a->towns_gen, x, y)) && t->parent == d))
			t = nearest(a, &a->towns_gen, d, x, y);
	}
	if (!(out->township = t))
		return;
	if (!((v = hit(&a->vill_gen, x, y)) && v->parent == t))
		v = nearest(a, &a->vill_gen, t, x, y);
	out->village = v;
	out->village_generated = v != NULL;
}

const char *fz_atlas_district(const struct fz_atlas *a, double lon, double lat)
{
	return fz_locator_find(a->districts.index, lon, lat);
}

const struct fz_polygon *fz_atlas_polygon(const struct fz_atlas *a, const char *code,
					  int *generated)
{
	const struct layer *real[] = { &a->districts, &a->towns_up, &a->vill_up };
	const struct layer *gen[] = { &a->towns_gen, &a->vill_gen };
	const struct fz_polygon *p;

	for (size_t i = 0; i < 3; i++)
		if ((p = polygon_of(real[i], code))) {
			if (generated)
				*generated = 0;
			return p;
		}
	for (size_t i = 0; i < 2; i++)
		if ((p = polygon_of(gen[i], code))) {
			if (generated)
				*generated = 1;
			return p;
		}
	return NULL;
}

/* ---- GeoJSON ---- */

static int ring_json(struct fz_buf *b, const struct fz_ring *r, int exact)
{
	int rc = fz_buf_adds(b, "[");

	for (size_t i = 0; !rc && i < r->n; i++)
		rc = exact ? fz_buf_addf(b, "%s[%.17g,%.17g]", i ? "," : "", r->xy[2 * i],
					 r->xy[2 * i + 1])
			   : fz_buf_addf(b, "%s[%.6f,%.6f]", i ? "," : "", r->xy[2 * i],
					 r->xy[2 * i + 1]);
	return rc ? rc : fz_buf_adds(b, "]");
}

int fz_atlas_feature_json(struct fz_buf *b, const struct fz_region_node *n,
			  const struct fz_polygon *p, int generated, int exact)
{
	int rc = fz_buf_adds(b, "{\"type\":\"Feature\",\"properties\":{\"code\":");

	rc = rc ? rc : fz_json_quote(b, n->r.code);
	rc = rc ? rc : fz_buf_adds(b, ",\"name\":");
	rc = rc ? rc : fz_json_quote(b, n->r.name);
	rc = rc ? rc
		: fz_buf_addf(b,
			      ",\"level\":\"%s\",\"generated\":%s},\"geometry\":{\"type\":"
			      "\"Polygon\",\"coordinates\":[",
			      n->r.level, generated ? "true" : "false");
	for (size_t i = 0; !rc && i < p->nrings; i++)
		rc = (i ? fz_buf_adds(b, ",") : 0) || ring_json(b, &p->rings[i], exact);
	return rc ? FZ_ENOMEM : fz_buf_adds(b, "]}}");
}

int fz_atlas_children_geojson(const struct fz_atlas *a, const char *code, struct fz_buf *b)
{
	const struct fz_region_node *n = fz_region_tree_find(a->tree, code);
	size_t count = 0;
	int rc;

	if (!n)
		return FZ_ENOTFOUND;
	rc = fz_buf_adds(b, "{\"type\":\"FeatureCollection\",\"features\":[");
	for (size_t i = 0; !rc && i < n->nchildren; i++) {
		int generated = 0;
		const struct fz_polygon *p =
			fz_atlas_polygon(a, n->children[i]->r.code, &generated);
		if (!p)
			continue;
		rc = (count++ ? fz_buf_adds(b, ",") : 0) ||
		     fz_atlas_feature_json(b, n->children[i], p, generated, 0);
	}
	if (!rc && !count)
		return FZ_ENOTFOUND;
	return rc ? FZ_ENOMEM : fz_buf_adds(b, "]}");
}

void fz_atlas_stats(const struct fz_atlas *a, struct fz_atlas_stats *out)
{
	*out = a->stats;
}

const struct fz_polygon_set *fz_atlas_generated_townships(const struct fz_atlas *a)
{
	return fz_cells_set(a->towns_gen.cells);
}

/* ---- checking uploads ---- */

/* Distance in degrees (longitude scaled) from (x, y) to the nearest edge of p. */
static double distance_to(const struct fz_polygon *p, double x, double y)
{
	double kx = cos(y * 0.017453292519943295), best = INFINITY;

	for (size_t r = 0; r < p->nrings; r++)
		for (size_t i = 0; i + 1 < p->rings[r].n; i++) {
			const double *e = p->rings[r].xy + 2 * i;
			double ax = (e[0] - x) * kx, ay = e[1] - y, bx = (e[2] - x) * kx,
			       by = e[3] - y, dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy,
			       t = l2 > 0 ? -(ax * dx + ay * dy) / l2 : 0, px, py;
			t = t < 0 ? 0 : t > 1 ? 1 : t;
			px = ax + t * dx;
			py = ay + t * dy;
			best = fmin(best, px * px + py * py);
		}
	return sqrt(best);
}

int fz_atlas_check_upload(const struct fz_atlas *a, const char *code, const struct fz_polygon *p,
			  const char *ptr, struct fz_err *err)
{
	const struct fz_region_node *n = fz_region_tree_find(a->tree, code), *d;
	const struct fz_polygon *parent;

	if (!n || strncmp(n->r.path, a->root->r.path, strlen(a->root->r.path)) != 0 ||
	    (strcmp(n->r.level, "township") != 0 && strcmp(n->r.level, "village") != 0))
		return fz_err_set(
			err, FZ_ENOTFOUND, NULL, ptr,
			"%s: 区划代码 %s 不是本市的乡镇街道或村社区，只能上传这两级的边界", ptr,
			code);
	d = strcmp(n->r.level, "township") == 0 ? n->parent : n->parent->parent;
	parent = n->parent != d ? polygon_of(&a->towns_up, n->parent->r.code) : NULL;
	if (!parent)
		parent = polygon_of(&a->districts, d->r.code);
	if (!parent)
		return fz_err_set(err, FZ_EINVAL, NULL, ptr, "%s: 上级区划 %s 没有边界", ptr,
				  d->r.code);
	for (size_t r = 0; r < p->nrings; r++)
		for (size_t i = 0; i + 1 < p->rings[r].n; i++) {
			double x = p->rings[r].xy[2 * i], y = p->rings[r].xy[2 * i + 1];
			if (fz_polygon_contains(parent, x, y) ||
			    distance_to(parent, x, y) <= UPLOAD_TOLERANCE)
				continue;
			return fz_err_set(
				err, FZ_EINVAL, "outside_parent", ptr,
				"%s（%s）: 第 %zu 个环的第 %zu 个点 [%.6f, %.6f] 在上级区划 "
				"%s（%s）的边界之外超过 %.3f 度",
				code, n->r.name, r + 1, i + 1, x, y, parent->code, parent->name,
				UPLOAD_TOLERANCE);
		}
	return 0;
}

/* ---- the slot ---- */

void fz_atlas_slot_init(struct fz_atlas_slot *slot, struct fz_store *store,
			const struct fz_region_tree *tree, const char *root)
{
	pthread_mutex_init(&slot->lock, NULL);
	pthread_mutex_init(&slot->build_lock, NULL);
	slot->atlas = NULL;
	slot->store = store;
	slot->tree = tree;
	snprintf(slot->root, sizeof(slot->root), "%s", root);
}

void fz_atlas_slot_release(struct fz_atlas_slot *slot)
{
	fz_atlas_unref(slot->atlas);
	slot->atlas = NULL;
	pthread_mutex_destroy(&slot->lock);
	pthread_mutex_destroy(&slot->build_lock);
}

static struct fz_atlas *current(struct fz_atlas_slot *slot)
{
	struct fz_atlas *a;

	pthread_mutex_lock(&slot->lock);
	a = slot->atlas ? fz_atlas_ref(slot->atlas) : NULL;
	pthread_mutex_unlock(&slot->lock);
	return a;
}

int fz_atlas_slot_rebuild(struct fz_atlas_slot *slot, struct fz_err *err)
{
	struct fz_atlas *a, *old;
	struct fz_atlas_stats st;
	int rc = fz_atlas_load(slot->store, slot->tree, slot->root, &a, err);

	if (rc)
		return rc;
	fz_atlas_stats(a, &st);
	fz_log(FZ_LOG_INFO,
	       "geo: atlas of %s built in %.0f ms: %zu districts, townships %zu generated + %zu "
	       "uploaded, villages %zu generated + %zu uploaded, %zu KiB of indexes",
	       slot->root, st.build_ms, st.districts, st.townships_generated, st.townships_uploaded,
	       st.villages_generated, st.villages_uploaded, st.bytes / 1024);
	pthread_mutex_lock(&slot->lock);
	old = slot->atlas;
	slot->atlas = a;
	pthread_mutex_unlock(&slot->lock);
	fz_atlas_unref(old);
	return 0;
}

struct fz_atlas *fz_atlas_slot_get(struct fz_atlas_slot *slot, struct fz_err *err)
{
	struct fz_atlas *a = current(slot);

	if (a)
		return a;
	pthread_mutex_lock(&slot->build_lock);
	if (!(a = current(slot)) && !fz_atlas_slot_rebuild(slot, err))
		a = current(slot);
	pthread_mutex_unlock(&slot->build_lock);
	return a;
}

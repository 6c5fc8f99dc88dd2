#include "geo/locator.h"

#include "core/buf.h"
#include "core/err.h"
#include "geo/polygon.h"
#include "store/registry_store.h"
#include "store/store.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MIXED	       0x80000000u /* a cell value with this bit indexes mixed[] */
#define CELLS_PER_EDGE 4
#define MIN_CELLS      1024
#define MAX_CELLS      (1u << 22)
#define MAX_SEGMENTS   (1u << 24) /* 512 MiB of edges: refuse rather than thrash */

struct seg { /* an edge stored for a cell's test, ay < by */
	double ax, ay, bx, by;
};

struct cand {		   /* a feature whose boundary crosses a cell */
	uint32_t first, n; /* its edges in segs[] */
	int32_t feature;
	uint32_t base; /* parity of the edges folded away */
};

struct mixed {		   /* a cell that a boundary crosses */
	uint32_t first, n; /* its candidates in cands[], in priority order */
	int32_t fallback;  /* the feature wholly containing the cell, or -1 */
};

struct fz_locator {
	double x0, y0, x1, y1, inv_w, inv_h;
	unsigned nx, ny;
	uint32_t *cells; /* 0: outside; 1 + i: feature i; MIXED | j: mixed[j] */
	struct mixed *mixed;
	struct cand *cands;
	struct seg *segs;
	size_t nmixed, ncands, nsegs, mixed_cap, cands_cap, segs_cap;
	size_t nfeatures;
	char (*codes)[32]; /* in priority order */
	size_t self_intersections;
};

int fz_locator_find_index(const struct fz_locator *l, double x, double y)
{
	const struct mixed *m;
	size_t c, r;
	uint32_t v;

	x = fz_polygon_snap(x);
	y = fz_polygon_snap(y);
	if (!(x >= l->x0 && x <= l->x1 && y >= l->y0 && y <= l->y1))
		return -1;
	c = (size_t)((x - l->x0) * l->inv_w);
	r = (size_t)((y - l->y0) * l->inv_h);
	c = c < l->nx ? c : l->nx - 1;
	r = r < l->ny ? r : l->ny - 1;
	v = l->cells[r * l->nx + c];
	if (!(v & MIXED))
		return (int)v - 1;
	m = &l->mixed[v & ~MIXED];
	for (const struct cand *k = l->cands + m->first, *end = k + m->n; k < end; k++) {
		uint32_t in = k->base;
		for (const struct seg *s = l->segs + k->first, *e = s + k->n; s < e; s++)
			in ^= (uint32_t)fz_polygon_crosses(s->ax, s->ay, s->bx, s->by, x, y);
		if (in)
			return k->feature;
	}
	return m->fallback;
}

const char *fz_locator_find(const struct fz_locator *l, double lon, double lat)
{
	int i = fz_locator_find_index(l, lon, lat);

	return i < 0 ? NULL : l->codes[i];
}

const char *fz_locator_code(const struct fz_locator *l, size_t i)
{
	return i < l->nfeatures ? l->codes[i] : NULL;
}

void fz_locator_stats(const struct fz_locator *l, struct fz_locator_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->features = l->nfeatures;
	out->nx = l->nx;
	out->ny = l->ny;
	out->mixed_cells = l->nmixed;
	out->candidates = l->ncands;
	out->segments = l->nsegs;
	out->bytes = sizeof(*l) + (size_t)l->nx * l->ny * sizeof(uint32_t) +
		     l->nmixed * sizeof(struct mixed) + l->ncands * sizeof(struct cand) +
		     l->nsegs * sizeof(struct seg) + l->nfeatures * sizeof(l->codes[0]);
	out->self_intersections = l->self_intersections;
	out->bbox[0] = l->x0;
	out->bbox[1] = l->y0;
	out->bbox[2] = l->x1;
	out->bbox[3] = l->y1;
}

void fz_locator_free(struct fz_locator *l)
{
	if (!l)
		return;
	free(l->cells);
	free(l->mixed);
	free(l->cands);
	free(l->segs);
	free(l->codes);
	free(l);
}

/* ---- building ---- */

struct bedge { /* every edge, ay <= by; horizontal ones only mark cells */
	double ax, ay, bx, by;
	uint32_t f; /* feature, in priority order */
};

struct rowcand {
	uint32_t col;
	struct cand c;
};

struct builder {
	struct fz_locator *l;
	struct fz_err *err;
	struct bedge *edges;
	size_t nedges, edges_cap;
	uint32_t *row_start, *row_edges; /* the edges meeting each row, in priority order */
	double w, h, mx, my;		 /* cell size and the margins around a cell */
	/* scratch of one row */
	double cy0, cy1, ys0, ys1;
	double *xs;
	struct rowcand *rc;
	size_t nrc, rc_cap;
	struct cand *sorted; /* the row's candidates by column */
	size_t sorted_cap;
	int32_t *fallback;   /* per column */
	unsigned char *mark; /* per column, for the feature at hand */
	uint32_t *col_end;   /* nx + 1 */
};

static int cmp_feature(const void *a, const void *b)
{
	return strcmp((*(const struct fz_polygon *const *)a)->code,
		      (*(const struct fz_polygon *const *)b)->code);
}

/* The features of set in code order. Caller frees. */
static const struct fz_polygon **priority(const struct fz_polygon_set *set)
{
	const struct fz_polygon **order = malloc(set->n * sizeof(*order));

	if (!order)
		return NULL;
	for (size_t i = 0; i < set->n; i++)
		order[i] = &set->items[i];
	qsort(order, set->n, sizeof(*order), cmp_feature);
	return order;
}

static int collect_edges(struct builder *b, const struct fz_polygon *p, uint32_t f)
{
	for (size_t r = 0; r < p->nrings; r++) {
		const double *v = p->rings[r].xy;
		for (size_t i = 0; i + 1 < p->rings[r].n; i++, v += 2) {
			struct bedge *e;
			if (v[0] == v[2] && v[1] == v[3])
				continue;
			if (fz_array_grow((void **)&b->edges, &b->edges_cap, b->nedges + 1,
					  sizeof(*e)))
				return FZ_ENOMEM;
			e = &b->edges[b->nedges++];
			if (v[1] <= v[3])
				*e = (struct bedge){ v[0], v[1], v[2], v[3], f };
			else
				*e = (struct bedge){ v[2], v[3], v[0], v[1], f };
		}
	}
	return 0;
}

static void grid_size(struct builder *b, const struct fz_polygon_set *set, size_t cells)
{
	struct fz_locator *l = b->l;
	double W, H, s;

	l->x0 = set->bbox[0];
	l->y0 = set->bbox[1];
	l->x1 = set->bbox[2];
	l->y1 = set->bbox[3];
	W = fmax(l->x1 - l->x0, 1e-9);
	H = fmax(l->y1 - l->y0, 1e-9);
	if (!cells)
		cells = b->nedges * CELLS_PER_EDGE;
	cells = cells < MIN_CELLS ? MIN_CELLS : cells > MAX_CELLS ? MAX_CELLS : cells;
	s = sqrt(W * H / (double)cells);
	l->nx = (unsigned)fmin(fmax(ceil(W / s), 1), 4096);
	l->ny = (unsigned)fmin(fmax(ceil(H / s), 1), 4096);
	b->w = W / l->nx;
	b->h = H / l->ny;
	l->inv_w = l->nx / W;
	l->inv_h = l->ny / H;
	/* wider than any rounding of a coordinate (~4e-14 at 180 degrees) */
	b->mx = fmax(b->w * 1e-6, 1e-12);
	b->my = fmax(b->h * 1e-6, 1e-12);
}

static unsigned clamp_index(double v, unsigned n)
{
	return v < 0 ? 0 : v >= n ? n - 1 : (unsigned)v;
}

/* CSR lists of the edges meeting each row (with its margins). */
static int bucket_rows(struct builder *b)
{
	struct fz_locator *l = b->l;
	size_t total = 0;

	b->row_start = calloc(l->ny + 1, sizeof(*b->row_start));
	if (!b->row_start)
		return FZ_ENOMEM;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < b->nedges; i++) {
			const struct bedge *e = &b->edges[i];
			unsigned r0 = clamp_index((e->ay - 2 * b->my - l->y0) * l->inv_h, l->ny);
			unsigned r1 = clamp_index((e->by + 2 * b->my - l->y0) * l->inv_h, l->ny);
			for (unsigned r = r0; r <= r1; r++)
				if (pass == 0)
					b->row_start[r + 1]++;
				else
					b->row_edges[b->row_start[r]++] = (uint32_t)i;
		}
		if (pass == 0) {
			for (unsigned r = 0; r < l->ny; r++)
				b->row_start[r + 1] += b->row_start[r];
			total = b->row_start[l->ny];
			if (total > UINT32_MAX ||
			    !(b->row_edges = malloc((total ? total : 1) * sizeof(uint32_t))))
				return FZ_ENOMEM;
		}
	}
	/* the second pass advanced each start to the next row's */
	memmove(b->row_start + 1, b->row_start, l->ny * sizeof(*b->row_start));
	b->row_start[0] = 0;
	return 0;
}

static double x_at(const struct bedge *e, double y)
{
	return e->ax + (y - e->ay) * (e->bx - e->ax) / (e->by - e->ay);
}

/* Marks the columns whose cell (with margins) the edge may meet within the row. */
static void mark_columns(struct builder *b, const struct bedge *e)
{
	struct fz_locator *l = b->l;
	double xa, xb;

	if (e->ay == e->by) {
		xa = fmin(e->ax, e->bx);
		xb = fmax(e->ax, e->bx);
	} else {
		double lo = fmax(e->ay, b->ys0), hi = fmin(e->by, b->ys1);
		if (lo > hi)
			return;
		xa = x_at(e, lo);
		xb = x_at(e, hi);
		if (xa > xb) {
			double t = xa;
			xa = xb;
			xb = t;
		}
	}
	for (unsigned c = clamp_index((xa - 2 * b->mx - l->x0) * l->inv_w, l->nx),
		      c1 = clamp_index((xb + 2 * b->mx - l->x0) * l->inv_w, l->nx);
	     c <= c1; c++)
		b->mark[c] = 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * The test of feature f in column c: the edges of the row an eastward ray
 * from the cell may cross, except those certain to be crossed (spanning
 * the row wholly east of the cell), whose parity becomes the base.
 */
static int add_candidate(struct builder *b, unsigned c, uint32_t f, const uint32_t *E, size_t n)
{
	struct fz_locator *l = b->l;
	double cx0 = l->x0 + c * b->w, cx1 = cx0 + b->w;
	struct cand k = { (uint32_t)l->nsegs, 0, (int32_t)f, 0 };

	for (size_t i = 0; i < n; i++) {
		const struct bedge *e = &b->edges[E[i]];
		if (e->ay == e->by || fmax(e->ax, e->bx) < cx0 - b->mx)
			continue;
		if (e->ay <= b->ys0 && e->by > b->ys1 && fmin(e->ax, e->bx) > cx1 + b->mx) {
			k.base ^= 1;
			continue;
		}
		if (l->nsegs >= MAX_SEGMENTS)
			return fz_err_set(b->err, FZ_ETOOBIG, NULL, NULL,
					  "区划边界过于复杂，空间索引超过 %u 条边", MAX_SEGMENTS);
		if (fz_array_grow((void **)&l->segs, &l->segs_cap, l->nsegs + 1,
				  sizeof(struct seg)))
			return FZ_ENOMEM;
		l->segs[l->nsegs++] = (struct seg){ e->ax, e->ay, e->bx, e->by };
		k.n++;
	}
	if (fz_array_grow((void **)&b->rc, &b->rc_cap, b->nrc + 1, sizeof(*b->rc)))
		return FZ_ENOMEM;
	b->rc[b->nrc++] = (struct rowcand){ c, k };
	return 0;
}

/* Feature f in the current row, given its edges E there. */
static int row_feature(struct builder *b, uint32_t f, const uint32_t *E, size_t n)
{
	struct fz_locator *l = b->l;
	double cyc = (b->cy0 + b->cy1) / 2;
	size_t nxs = 0, k = 0;
	int rc;

	memset(b->mark, 0, l->nx);
	for (size_t i = 0; i < n; i++) {
		const struct bedge *e = &b->edges[E[i]];
		mark_columns(b, e);
		if (e->ay != e->by && e->ay <= cyc && cyc < e->by)
			b->xs[nxs++] = x_at(e, cyc);
	}
	qsort(b->xs, nxs, sizeof(double), cmp_double);
	for (unsigned c = 0; c < l->nx; c++) {
		double cxc = l->x0 + (c + 0.5) * b->w;
		while (k < nxs && b->xs[k] <= cxc)
			k++;
		if (b->fallback[c] >= 0)
			continue; /* a feature before f holds the whole cell */
		if (b->mark[c]) {
			if ((rc = add_candidate(b, c, f, E, n)))
				return rc;
		} else if ((nxs - k) & 1) {
			/* no edge of f near the cell: its centre tells for all of it */
			b->fallback[c] = (int32_t)f;
		}
	}
	return 0;
}

/* Turns the row's candidates (in priority order) into its cells. */
static int finish_row(struct builder *b, unsigned r)
{
	struct fz_locator *l = b->l;
	uint32_t *cells = l->cells + (size_t)r * l->nx, *end = b->col_end;

	/* a stable counting sort by column keeps each column's candidates in priority order */
	if (fz_array_grow((void **)&b->sorted, &b->sorted_cap, b->nrc, sizeof(*b->sorted)))
		return FZ_ENOMEM;
	memset(end, 0, (l->nx + 1) * sizeof(uint32_t));
	for (size_t i = 0; i < b->nrc; i++)
		end[b->rc[i].col + 1]++;
	for (unsigned c = 0; c < l->nx; c++)
		end[c + 1] += end[c];
	for (size_t i = 0; i < b->nrc; i++)
		b->sorted[end[b->rc[i].col]++] = b->rc[i].c;
	for (unsigned c = 0; c < l->nx; c++) {
		uint32_t first = c ? end[c - 1] : 0, n = end[c] - first;
		if (!n) {
			cells[c] = (uint32_t)(b->fallback[c] + 1);
			continue;
		}
		if (fz_array_grow((void **)&l->mixed, &l->mixed_cap, l->nmixed + 1,
				  sizeof(struct mixed)) ||
		    fz_array_grow((void **)&l->cands, &l->cands_cap, l->ncands + n,
				  sizeof(struct cand)))
			return FZ_ENOMEM;
		l->mixed[l->nmixed] = (struct mixed){ (uint32_t)l->ncands, n, b->fallback[c] };
		memcpy(l->cands + l->ncands, b->sorted + first, n * sizeof(struct cand));
		l->ncands += n;
		cells[c] = MIXED | (uint32_t)l->nmixed++;
	}
	return 0;
}

static int build_row(struct builder *b, unsigned r)
{
	struct fz_locator *l = b->l;
	uint32_t i = b->row_start[r], end = b->row_start[r + 1];
	int rc;

	b->cy0 = l->y0 + r * b->h;
	b->cy1 = b->cy0 + b->h;
	b->ys0 = b->cy0 - b->my;
	b->ys1 = b->cy1 + b->my;
	b->nrc = 0;
	for (unsigned c = 0; c < l->nx; c++)
		b->fallback[c] = -1;
	while (i < end) {
		uint32_t f = b->edges[b->row_edges[i]].f, j = i;
		while (j < end && b->edges[b->row_edges[j]].f == f)
			j++;
		if ((rc = row_feature(b, f, b->row_edges + i, j - i)))
			return rc;
		i = j;
	}
	return finish_row(b, r);
}

static int build(struct builder *b, const struct fz_polygon_set *set, size_t cells)
{
	struct fz_locator *l = b->l;
	const struct fz_polygon **order = priority(set);
	size_t most = 0;
	int rc = 0;

	if (!order)
		return FZ_ENOMEM;
	l->nfeatures = set->n;
	if (!(l->codes = calloc(set->n, sizeof(l->codes[0])))) {
		free(order);
		return FZ_ENOMEM;
	}
	for (size_t i = 0; i < set->n && !rc; i++) {
		memcpy(l->codes[i], order[i]->code, sizeof(l->codes[i]));
		rc = collect_edges(b, order[i], (uint32_t)i);
	}
	free(order);
	if (rc)
		return rc;
	grid_size(b, set, cells);
	if ((rc = bucket_rows(b)))
		return rc;
	for (unsigned r = 0; r < l->ny; r++)
		if (b->row_start[r + 1] - b->row_start[r] > most)
			most = b->row_start[r + 1] - b->row_start[r];
	l->cells = malloc((size_t)l->nx * l->ny * sizeof(uint32_t));
	b->xs = malloc((most ? most : 1) * sizeof(double));
	b->fallback = malloc(l->nx * sizeof(int32_t));
	b->mark = malloc(l->nx);
	b->col_end = malloc((l->nx + 1) * sizeof(uint32_t));
	if (!l->cells || !b->xs || !b->fallback || !b->mark || !b->col_end)
		return FZ_ENOMEM;
	for (unsigned r = 0; r < l->ny && !rc; r++)
		rc = build_row(b, r);
	return rc;
}

int fz_locator_build(const struct fz_polygon_set *set, size_t cells, struct fz_locator **out,
		     struct fz_err *err)
{
	struct builder b = { .err = err };
	int rc;

	*out = NULL;
	if (!set->n)
		return fz_err_set(err, FZ_EINVAL, NULL, NULL, "没有区划边界，无法建立空间索引");
	if (!(b.l = calloc(1, sizeof(*b.l))))
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足，无法建立空间索引");
	b.l->self_intersections = set->self_intersections;
	rc = build(&b, set, cells);
	free(b.edges);
	free(b.row_start);
	free(b.row_edges);
	free(b.xs);
	free(b.rc);
	free(b.fallback);
	free(b.mark);
	free(b.col_end);
	free(b.sorted);
	if (rc) {
		fz_locator_free(b.l);
		return rc == FZ_ENOMEM
			       ? fz_err_set(err, rc, NULL, NULL, "内存不足，无法建立空间索引")
			       : rc;
	}
	*out = b.l;
	return 0;
}

int fz_locator_load(struct fz_store *store, const char *region, struct fz_locator **out,
		    struct fz_err *err)
{
	struct fz_db *db = fz_store_reader(store);
	struct fz_polygon_set *set = NULL;
	char *text = NULL;
	int rc;

	*out = NULL;
	if (!db)
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "无法读取区划边界");
	rc = fz_store_boundary_get(db, region, &text, err);
	fz_store_reader_put(store, db);
	if (!rc)
		rc = fz_polygon_set_parse(text, strlen(text), NULL,
					  FZ_POLYGON_TOLERATE_SELF_INTERSECTIONS, &set, err);
	free(text);
	if (!rc)
		rc = fz_locator_build(set, 0, out, err);
	fz_polygon_set_free(set);
	return rc;
}

#include "geo/cells.h"

#include "core/buf.h"
#include "core/err.h"
#include "geo/polygon.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CANDIDATES 12	/* best-candidate sampling: the farthest of this many */
#define TRIES	   4000 /* random points tried per candidate before giving up */

struct fz_cells {
	struct fz_polygon_set set; /* items: rings and their xy malloc'd per polygon */
	size_t cap;
	double *centres; /* 2 per item, NAN for copies */
	double **blocks; /* per item: the one allocation of its positions */
};

struct src_ring { /* a closed ring to copy */
	const double *xy;
	size_t n;
};

struct fz_cells *fz_cells_new(void)
{
	return calloc(1, sizeof(struct fz_cells));
}

void fz_cells_free(struct fz_cells *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->set.n; i++) {
		free(c->blocks[i]);
		free(c->set.items[i].rings);
	}
	free(c->set.items);
	free(c->centres);
	free(c->blocks);
	free(c);
}

const struct fz_polygon_set *fz_cells_set(const struct fz_cells *c)
{
	return &c->set;
}

const double *fz_cells_centre(const struct fz_cells *c, size_t i)
{
	return i < c->set.n && !isnan(c->centres[2 * i]) ? c->centres + 2 * i : NULL;
}

/* ---- adding polygons ---- */

/* A ring under construction: open (the closing position is added at the end). */
struct path {
	double *xy;
	size_t n, cap;
};

static int path_push(struct path *p, double x, double y)
{
	if (p->n && p->xy[2 * p->n - 2] == x && p->xy[2 * p->n - 1] == y)
		return 0;
	if (fz_array_grow((void **)&p->xy, &p->cap, 2 * p->n + 2, sizeof(double)))
		return FZ_ENOMEM;
	p->xy[2 * p->n] = x;
	p->xy[2 * p->n + 1] = y;
	p->n++;
	return 0;
}

static void extend_bbox(double *bb, const double *xy, size_t n, int first)
{
	for (size_t i = 0; i < n; i++, xy += 2) {
		if (first && i == 0) {
			bb[0] = bb[2] = xy[0];
			bb[1] = bb[3] = xy[1];
			continue;
		}
		bb[0] = fmin(bb[0], xy[0]);
		bb[1] = fmin(bb[1], xy[1]);
		bb[2] = fmax(bb[2], xy[0]);
		bb[3] = fmax(bb[3], xy[1]);
	}
}

/*
 * Appends a polygon of nr closed rings (rings[i] of lens[i] positions each,
 * already closed) as code/name with centre (NULL: none).
 */
static int add_polygon(struct fz_cells *c, const char *code, const char *name,
		       const struct src_ring *rings, size_t nr, const double *centre)
{
	struct fz_polygon *p;
	size_t total = 0, at = 0;
	double *xy;

	if (fz_array_grow((void **)&c->set.items, &c->cap, c->set.n + 1, sizeof(*p)))
		return FZ_ENOMEM;
	{ /* centres grow with items */
		double *nc = realloc(c->centres, 2 * c->cap * sizeof(double));
		if (!nc)
			return FZ_ENOMEM;
		c->centres = nc;
		double **nb = realloc(c->blocks, c->cap * sizeof(double *));
		if (!nb)
			return FZ_ENOMEM;
		c->blocks = nb;
	}
	for (size_t i = 0; i < nr; i++)
		total += rings[i].n;
	p = &c->set.items[c->set.n];
	memset(p, 0, sizeof(*p));
	if (!(p->rings = calloc(nr, sizeof(*p->rings))) ||
	    !(xy = malloc(2 * total * sizeof(double)))) {
		free(p->rings);
		return FZ_ENOMEM;
	}
	for (size_t i = 0; i < nr; i++) {
		memcpy(xy + 2 * at, rings[i].xy, 2 * rings[i].n * sizeof(double));
		p->rings[i] = (struct fz_ring){ xy + 2 * at, rings[i].n, (int)i, 0 };
		extend_bbox(p->bbox, xy + 2 * at, rings[i].n, i == 0);
		at += rings[i].n;
	}
	p->nrings = nr;
	p->nparts = (int)nr;
	snprintf(p->code, sizeof(p->code), "%s", code);
	snprintf(p->name, sizeof(p->name), "%s", name ? name : "");
	c->blocks[c->set.n] = xy;
	c->centres[2 * c->set.n] = centre ? centre[0] : NAN;
	c->centres[2 * c->set.n + 1] = centre ? centre[1] : NAN;
	extend_bbox(c->set.bbox, p->bbox, 2, c->set.n == 0);
	c->set.n++;
	c->set.npoints += total;
	return 0;
}

int fz_cells_add_copy(struct fz_cells *c, const struct fz_polygon *p, const char *code,
		      const char *name)
{
	struct src_ring *rings = calloc(p->nrings ? p->nrings : 1, sizeof(*rings));
	int rc;

	if (!rings)
		return FZ_ENOMEM;
	for (size_t i = 0; i < p->nrings; i++)
		rings[i] = (struct src_ring){ p->rings[i].xy, p->rings[i].n };
	rc = add_polygon(c, code, name, rings, p->nrings, NULL);
	free(rings);
	return rc;
}

/* ---- sampling centres ---- */

struct rng {
	uint64_t s;
};

static uint64_t next(struct rng *r) /* splitmix64 */
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double uniform(struct rng *r)
{
	return (double)(next(r) >> 11) / 9007199254740992.0;
}

static uint64_t hash_code(const char *s, uint64_t seed)
{
	uint64_t h = 0xcbf29ce484222325ull ^ seed;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

struct divider {
	const struct fz_polygon *parent;
	double kx; /* metres per degree of longitude over those of latitude */
	double *centres;
	size_t n;
	struct path *rings, *next; /* per ring of the parent: clipped so far, scratch */
	struct src_ring *kept;	   /* the non-empty clipped rings of a cell */
};

static double dist2(const struct divider *d, const double *a, const double *b)
{
	double dx = (a[0] - b[0]) * d->kx, dy = a[1] - b[1];

	return dx * dx + dy * dy;
}

/* A random point inside the parent into xy; 0 when none was found. */
static int sample(const struct divider *d, struct rng *r, double *xy)
{
	const double *bb = d->parent->bbox;

	for (int t = 0; t < TRIES; t++) {
		xy[0] = bb[0] + (bb[2] - bb[0]) * uniform(r);
		xy[1] = bb[1] + (bb[3] - bb[1]) * uniform(r);
		if (fz_polygon_contains(d->parent, xy[0], xy[1]))
			return 1;
	}
	return 0;
}

static void place_centres(struct divider *d, struct rng *r)
{
	const double *bb = d->parent->bbox;

	for (size_t k = 0; k < d->n; k++) {
		double best = -1, cand[2], *out = d->centres + 2 * k;
		out[0] = (bb[0] + bb[2]) / 2; /* a sliver too thin to sample */
		out[1] = (bb[1] + bb[3]) / 2;
		for (int c = 0; c < CANDIDATES; c++) {
			double near = INFINITY;
			if (!sample(d, r, cand))
				break;
			for (size_t j = 0; j < k; j++)
				near = fmin(near, dist2(d, cand, d->centres + 2 * j));
			if (near > best) {
				best = near;
				out[0] = cand[0];
				out[1] = cand[1];
			}
			if (k == 0)
				break;
		}
	}
}

/* ---- clipping ---- */

/* Keeps the part of ring in where a*x + b*y <= c (Sutherland-Hodgman). */
static int clip(const struct path *in, struct path *out, double a, double b, double c)
{
	out->n = 0;
	if (in->n < 3)
		return 0;
	for (size_t i = 0; i < in->n; i++) {
		const double *p = in->xy + 2 * ((i + in->n - 1) % in->n), *q = in->xy + 2 * i;
		double fp = a * p[0] + b * p[1] - c, fq = a * q[0] + b * q[1] - c;
		int rc = 0;
		if ((fp <= 0) != (fq <= 0)) {
			double t = fp / (fp - fq);
			rc = path_push(out, p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]));
		}
		if (!rc && fq <= 0)
			rc = path_push(out, q[0], q[1]);
		if (rc)
			return rc;
	}
	/* the wrap-around may repeat the first position */
	if (out->n > 1 && out->xy[0] == out->xy[2 * out->n - 2] &&
	    out->xy[1] == out->xy[2 * out->n - 1])
		out->n--;
	return 0;
}

/* The parent clipped to centre i's Voronoi cell, added as codes[i]. */
static int cell(struct divider *d, struct fz_cells *out, size_t i, const char *code,
		const char *name)
{
	const double *ci = d->centres + 2 * i;
	size_t nr = d->parent->nrings, kept = 0;
	int rc = 0;

	for (size_t r = 0; r < nr; r++) { /* open copies of the parent's rings */
		d->rings[r].n = 0;
		for (size_t k = 0; !rc && k + 1 < d->parent->rings[r].n; k++)
			rc = path_push(&d->rings[r], d->parent->rings[r].xy[2 * k],
				       d->parent->rings[r].xy[2 * k + 1]);
	}
	for (size_t j = 0; !rc && j < d->n; j++) {
		const double *cj = d->centres + 2 * j;
		double k2 = d->kx * d->kx, a, b, c;
		if (j == i || (cj[0] == ci[0] && cj[1] == ci[1]))
			continue;
		/* |x - ci|^2 <= |x - cj|^2 in the scaled metric */
		a = 2 * k2 * (cj[0] - ci[0]);
		b = 2 * (cj[1] - ci[1]);
		c = k2 * (cj[0] * cj[0] - ci[0] * ci[0]) + (cj[1] * cj[1] - ci[1] * ci[1]);
		for (size_t r = 0; !rc && r < nr; r++) {
			struct path t;
			if (!(rc = clip(&d->rings[r], &d->next[r], a, b, c))) {
				t = d->rings[r];
				d->rings[r] = d->next[r];
				d->next[r] = t;
			}
		}
	}
	for (size_t r = 0; !rc && r < nr; r++) { /* close the rings that remain */
		if (d->rings[r].n < 3)
			continue;
		if (fz_array_grow((void **)&d->rings[r].xy, &d->rings[r].cap, 2 * d->rings[r].n + 2,
				  sizeof(double)))
			return FZ_ENOMEM;
		d->rings[r].xy[2 * d->rings[r].n] = d->rings[r].xy[0];
		d->rings[r].xy[2 * d->rings[r].n + 1] = d->rings[r].xy[1];
		d->kept[kept++] = (struct src_ring){ d->rings[r].xy, d->rings[r].n + 1 };
	}
	if (rc || !kept)
		return rc;
	return add_polygon(out, code, name, d->kept, kept, ci);
}

int fz_cells_divide(struct fz_cells *c, const struct fz_polygon *parent, const char *const *codes,
		    const char *const *names, size_t n, uint64_t seed, struct fz_err *err)
{
	struct divider d = { .parent = parent, .n = n };
	struct rng r = { hash_code(parent->code, seed) };
	size_t nr = parent->nrings;
	int rc = FZ_ENOMEM;

	if (!n || !nr)
		return 0;
	d.kx = cos((parent->bbox[1] + parent->bbox[3]) / 2 * 0.017453292519943295);
	d.centres = malloc(2 * n * sizeof(double));
	d.rings = calloc(nr, sizeof(*d.rings));
	d.next = calloc(nr, sizeof(*d.next));
	d.kept = calloc(nr, sizeof(*d.kept));
	if (d.centres && d.rings && d.next && d.kept) {
		place_centres(&d, &r);
		rc = 0;
		for (size_t i = 0; i < n && !rc; i++)
			rc = cell(&d, c, i, codes[i], names ? names[i] : NULL);
	}
	for (size_t i = 0; d.rings && d.next && i < nr; i++) {
		free(d.rings[i].xy);
		free(d.next[i].xy);
	}
	free(d.rings);
	free(d.next);
	free(d.kept);
	free(d.centres);
	return rc ? fz_err_set(err, rc, NULL, NULL, "内存不足，无法生成 %s 的下级边界",
			       parent->code)
		  : 0;
}

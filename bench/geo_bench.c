/*
 * Geo benchmark (make bench): routes POINTS points (default 10 000 000),
 * drawn from a fixed seed uniformly inside the bounding box of the Jinhua
 * districts, to their district, once with fazhi's locator and once with
 * GEOS prepared geometries of the same polygons (GEOSPreparedContains_r,
 * the districts tried in the locator's priority order, first hit wins),
 * both on one thread. Checks that every answer is identical and prints
 * points per second and the ratio.
 *
 * GEOS 3.11 (Debian 12) has no GEOSPreparedContainsXY_r, so each query
 * creates and destroys a GEOS point, as an application of the C API must;
 * the cost of that alone is measured and printed too.
 *
 * Usage: bench_geo BOUNDARIES.geojson [POINTS]
 */
#include "core/err.h"
#include "geo/locator.h"
#include "geo/polygon.h"

#include <geos_c.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SEED 20260302u

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static double uniform(uint64_t *s)
{
	return (double)(splitmix64(s) >> 11) / 9007199254740992.0; /* [0, 1) */
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
	    !(text = malloc((size_t)n + 1)) || fread(text, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "bench_geo: cannot read %s\n", path);
		exit(2);
	}
	fclose(f);
	*len = (size_t)n;
	return text;
}

static GEOSGeometry *ring(GEOSContextHandle_t h, const struct fz_ring *r)
{
	GEOSCoordSequence *seq = GEOSCoordSeq_create_r(h, (unsigned)r->n, 2);

	for (size_t k = 0; k < r->n; k++)
		GEOSCoordSeq_setXY_r(h, seq, (unsigned)k, r->xy[2 * k], r->xy[2 * k + 1]);
	return GEOSGeom_createLinearRing_r(h, seq);
}

/* A feature as a GEOS Polygon or MultiPolygon. */
static GEOSGeometry *geometry(GEOSContextHandle_t h, const struct fz_polygon *p)
{
	GEOSGeometry **parts = calloc((size_t)p->nparts, sizeof(*parts)), *g;

	for (int part = 0; part < p->nparts; part++) {
		GEOSGeometry *shell = NULL, **holes = calloc(p->nrings, sizeof(*holes));
		unsigned nholes = 0;
		for (size_t r = 0; r < p->nrings; r++) {
			if (p->rings[r].part != part)
				continue;
			if (p->rings[r].hole)
				holes[nholes++] = ring(h, &p->rings[r]);
			else
				shell = ring(h, &p->rings[r]);
		}
		parts[part] = GEOSGeom_createPolygon_r(h, shell, holes, nholes);
		free(holes);
	}
	g = p->nparts == 1
		    ? parts[0]
		    : GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts, (unsigned)p->nparts);
	free(parts);
	return g;
}

int main(int argc, char **argv)
{
	size_t len, n = argc > 2 ? strtoul(argv[2], NULL, 10) : 10000000, mismatches = 0,
		    outside = 0;
	char *text = argc > 1 ? slurp(argv[1], &len) : NULL;
	struct fz_polygon_set *set;
	struct fz_locator *loc;
	struct fz_locator_stats st;
	struct fz_err err;
	GEOSContextHandle_t h = GEOS_init_r();
	const GEOSPreparedGeometry **prep;
	GEOSGeometry **geoms;
	double *xy, t0, t_build, t_fz, t_geos, t_points;
	signed char *a, *b;
	uint64_t seed = SEED;
	volatile double sink = 0;

	if (!text || !n) {
		fprintf(stderr, "usage: bench_geo BOUNDARIES.geojson [POINTS]\n");
		return 2;
	}
	fz_err_init(&err);
	t0 = now_s();
	if (fz_polygon_set_parse(text, len, NULL, FZ_POLYGON_TOLERATE_SELF_INTERSECTIONS, &set,
				 &err) ||
	    fz_locator_build(set, 0, &loc, &err)) {
		fprintf(stderr, "bench_geo: %s %s\n", err.field, err.msg);
		return 1;
	}
	t_build = now_s() - t0;
	fz_locator_stats(loc, &st);

	prep = calloc(st.features, sizeof(*prep));
	geoms = calloc(st.features, sizeof(*geoms));
	for (size_t i = 0; i < st.features; i++) {
		geoms[i] = geometry(h, fz_polygon_set_find(set, fz_locator_code(loc, i)));
		prep[i] = GEOSPrepare_r(h, geoms[i]);
	}

	xy = malloc(2 * n * sizeof(double));
	a = malloc(n);
	b = malloc(n);
	if (!xy || !a || !b || !prep || !geoms)
		return 1;
	for (size_t i = 0; i < n; i++) {
		xy[2 * i] = st.bbox[0] + uniform(&seed) * (st.bbox[2] - st.bbox[0]);
		xy[2 * i + 1] = st.bbox[1] + uniform(&seed) * (st.bbox[3] - st.bbox[1]);
	}

	t0 = now_s();
	for (size_t i = 0; i < n; i++)
		a[i] = (signed char)fz_locator_find_index(loc, xy[2 * i], xy[2 * i + 1]);
	t_fz = now_s() - t0;

	t0 = now_s();
	for (size_t i = 0; i < n; i++) {
		GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, xy[2 * i], xy[2 * i + 1]);
		b[i] = -1;
		for (size_t k = 0; k < st.features; k++)
			if (GEOSPreparedContains_r(h, prep[k], pt) == 1) {
				b[i] = (signed char)k;
				break;
			}
		GEOSGeom_destroy_r(h, pt);
	}
	t_geos = now_s() - t0;

	t0 = now_s();
	for (size_t i = 0; i < n; i++) {
		GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, xy[2 * i], xy[2 * i + 1]);
		sink += (double)(uintptr_t)pt;
		GEOSGeom_destroy_r(h, pt);
	}
	t_points = now_s() - t0;

	for (size_t i = 0; i < n; i++) {
		outside += a[i] < 0;
		if (a[i] != b[i] && mismatches++ < 10)
			printf("MISMATCH point %zu [%.17g, %.17g]: fazhi %s, GEOS %s\n", i,
			       xy[2 * i], xy[2 * i + 1],
			       a[i] < 0 ? "none" : fz_locator_code(loc, a[i]),
			       b[i] < 0 ? "none" : fz_locator_code(loc, b[i]));
	}

	printf("bench: point -> district, %zu points (seed %u, uniform in [%.4f, %.4f] x [%.4f, "
	       "%.4f]), 1 thread\n",
	       n, SEED, st.bbox[0], st.bbox[2], st.bbox[1], st.bbox[3]);
	printf("polygons: %zu districts, %zu points, %zu self-intersections in the package's "
	       "rings\n",
	       st.features, set->npoints, st.self_intersections);
	printf("fazhi index: grid %ux%u, %zu boundary cells, %zu stored edges, %.1f MiB, built in "
	       "%.0f ms (with parsing)\n",
	       st.nx, st.ny, st.mixed_cells, st.segments, st.bytes / 1048576.0, t_build * 1e3);
	printf("%-44s %14.0f points/s\n", "fazhi locator", n / t_fz);
	printf("%-44s %14.0f points/s\n", "GEOS " GEOS_VERSION " prepared (PreparedContains)",
	       n / t_geos);
	printf("%-44s %14.0f points/s (%.0f%% of GEOS's time)\n",
	       "  of which GEOS point create+destroy", n / t_points, 100 * t_points / t_geos);
	printf("ratio fazhi/GEOS: %.1f\n", t_geos / t_fz);
	printf("answers: %zu of %zu identical (%zu inside a district, %zu outside)\n",
	       n - mismatches, n, n - outside, outside);

	for (size_t i = 0; i < st.features; i++) {
		GEOSPreparedGeom_destroy_r(h, prep[i]);
		GEOSGeom_destroy_r(h, geoms[i]);
	}
	GEOS_finish_r(h);
	free(prep);
	free(geoms);
	free(xy);
	free(a);
	free(b);
	free(text);
	fz_locator_free(loc);
	fz_polygon_set_free(set);
	(void)sink;
	return mismatches ? 1 : 0;
}

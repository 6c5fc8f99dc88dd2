/*
 * Geo benchmark (make bench), one thread throughout.
 *
 * 1. Point -> district and point -> generated township: POINTS points
 *    (default 10 000 000), drawn from a fixed seed uniformly inside the
 *    bounding box of the Jinhua districts, located with fazhi's locator and
 *    with GEOS prepared geometries of the same polygons
 *    (GEOSPreparedContains_r, features tried in the locator's priority
 *    order, first hit wins). Every answer must be identical; points per
 *    second and the ratio are printed. The townships are the generated
 *    cells of the atlas (geo/atlas.h) built from the real region tree.
 * 2. With --dump DIR, writes the polygons (WKT, code) and the points and
 *    fazhi's answers as CSV for scripts/bench to load into PostGIS.
 * 3. Geofences: SUBJECTS monitored people (default 100 000), each with the
 *    polygon of their district (inside), a home circle under curfew
 *    22:00-06:00 and a prohibited circle, pinging every 30 s for an hour of
 *    local evening, replayed as fast as possible: pings per second.
 *
 * GEOS 3.11 (Debian 12) has no GEOSPreparedContainsXY_r, so each query
 * creates and destroys a GEOS point, as an application of the C API must;
 * the cost of that alone is measured and printed too.
 *
 * Usage: bench_geo BOUNDARIES.geojson REGIONS.tsv [POINTS] [--dump DIR]
 */
#include "core/err.h"
#include "geo/atlas.h"
#include "geo/geofence.h"
#include "geo/locator.h"
#include "geo/polygon.h"
#include "registry/region.h"
#include "registry/region_tree.h"
#include "store/store.h"

#include <geos_c.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

struct run {
	const char *what; /* "district", "generated township" */
	const struct fz_polygon_set *set;
	const double *xy;
	size_t n;
	const char *dump; /* directory or NULL */
	const char *tag;  /* file name part */
};

static void dump_polygons(const struct run *r, const struct fz_locator *loc, size_t features)
{
	char path[1200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s-polygons.csv", r->dump, r->tag);
	if (!(f = fopen(path, "w")))
		exit(2);
	for (size_t i = 0; i < features; i++) {
		const struct fz_polygon *p = fz_polygon_set_find(r->set, fz_locator_code(loc, i));
		/* one MultiPolygon, each ring its own part: PostGIS reads it as drawn */
		fprintf(f, "%s\t%zu\tMULTIPOLYGON(", p->code, i);
		for (size_t k = 0; k < p->nrings; k++) {
			fprintf(f, "%s((", k ? "," : "");
			for (size_t j = 0; j < p->rings[k].n; j++)
				fprintf(f, "%s%.17g %.17g", j ? "," : "", p->rings[k].xy[2 * j],
					p->rings[k].xy[2 * j + 1]);
			fprintf(f, "))");
		}
		fprintf(f, ")\n");
	}
	fclose(f);
}

/* fazhi's locator against GEOS prepared geometries on r's points. 0 when identical. */
static int compare(const struct run *r, const char *extra)
{
	GEOSContextHandle_t h = GEOS_init_r();
	const GEOSPreparedGeometry **prep;
	GEOSGeometry **geoms;
	struct fz_locator *loc;
	struct fz_locator_stats st;
	struct fz_err err;
	double t0, t_build, t_fz, t_geos, t_points;
	size_t mismatches = 0, outside = 0, n = r->n;
	const double *xy = r->xy;
	volatile double sink = 0;
	int16_t *wide_a, *wide_b;

	fz_err_init(&err);
	t0 = now_s();
	if (fz_locator_build(r->set, 0, &loc, &err)) {
		fprintf(stderr, "bench_geo: %s\n", err.msg);
		exit(1);
	}
	t_build = now_s() - t0;
	fz_locator_stats(loc, &st);
	prep = calloc(st.features, sizeof(*prep));
	geoms = calloc(st.features, sizeof(*geoms));
	for (size_t i = 0; i < st.features; i++) {
		geoms[i] = geometry(h, fz_polygon_set_find(r->set, fz_locator_code(loc, i)));
		prep[i] = GEOSPrepare_r(h, geoms[i]);
	}
	wide_a = malloc(n * sizeof(int16_t));
	wide_b = malloc(n * sizeof(int16_t));
	if (!wide_a || !wide_b || !prep || !geoms)
		exit(1);

	t0 = now_s();
	for (size_t i = 0; i < n; i++)
		wide_a[i] = (int16_t)fz_locator_find_index(loc, xy[2 * i], xy[2 * i + 1]);
	t_fz = now_s() - t0;

	t0 = now_s();
	for (size_t i = 0; i < n; i++) {
		GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, xy[2 * i], xy[2 * i + 1]);
		wide_b[i] = -1;
		for (size_t k = 0; k < st.features; k++)
			if (GEOSPreparedContains_r(h, prep[k], pt) == 1) {
				wide_b[i] = (int16_t)k;
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
		outside += wide_a[i] < 0;
		if (wide_a[i] != wide_b[i] && mismatches++ < 10)
			printf("MISMATCH point %zu [%.17g, %.17g]: fazhi %s, GEOS %s\n", i,
			       xy[2 * i], xy[2 * i + 1],
			       wide_a[i] < 0 ? "none" : fz_locator_code(loc, (size_t)wide_a[i]),
			       wide_b[i] < 0 ? "none" : fz_locator_code(loc, (size_t)wide_b[i]));
	}
	printf("\nbench: point -> %s, %zu points (seed %u, uniform in the districts' bounding "
	       "box), 1 thread\n",
	       r->what, n, SEED);
	printf("polygons: %zu features, %zu points%s\n", st.features, r->set->npoints, extra);
	printf("fazhi index: grid %ux%u, %zu boundary cells, %zu stored edges, %.1f MiB, built in "
	       "%.0f ms\n",
	       st.nx, st.ny, st.mixed_cells, st.segments, st.bytes / 1048576.0, t_build * 1e3);
	printf("%-44s %14.0f points/s\n", "fazhi locator", n / t_fz);
	printf("%-44s %14.0f points/s\n", "GEOS " GEOS_VERSION " prepared (PreparedContains)",
	       n / t_geos);
	printf("%-44s %14.0f points/s (%.0f%% of GEOS's time)\n",
	       "  of which GEOS point create+destroy", n / t_points, 100 * t_points / t_geos);
	printf("ratio fazhi/GEOS: %.1f\n", t_geos / t_fz);
	printf("answers: %zu of %zu identical (%zu inside, %zu outside)\n", n - mismatches, n,
	       n - outside, outside);
	if (r->dump) {
		dump_polygons(r, loc, st.features);
		{
			char path[1200];
			FILE *f;
			snprintf(path, sizeof(path), "%s/%s-answers.csv", r->dump, r->tag);
			if (!(f = fopen(path, "w")))
				exit(2);
			for (size_t i = 0; i < n; i++)
				fprintf(f, "%zu\t%d\n", i, wide_a[i]);
			fclose(f);
		}
	}
	for (size_t i = 0; i < st.features; i++) {
		GEOSPreparedGeom_destroy_r(h, prep[i]);
		GEOSGeom_destroy_r(h, geoms[i]);
	}
	GEOS_finish_r(h);
	free(prep);
	free(geoms);
	free(wide_a);
	free(wide_b);
	fz_locator_free(loc);
	(void)sink;
	return mismatches ? 1 : 0;
}

/* ---- geofences ---- */

struct count {
	size_t events, violations;
};

static void count_event(void *ctx, const struct fz_fence_event *e)
{
	struct count *c = ctx;

	c->events++;
	c->violations += (size_t)e->violation;
}

static void bench_fences(const struct fz_polygon_set *districts, size_t subjects)
{
	struct fz_geofence_config cfg = { 15 * 60000, 8 * 3600 };
	struct fz_geofence *g;
	struct fz_err err;
	struct count c = { 0, 0 };
	double *pos = malloc(2 * subjects * sizeof(double)), t0, t;
	int *county = malloc(districts->n * sizeof(int));
	uint64_t seed = SEED + 1;
	/* 2026-03-02 21:30 Asia/Shanghai: the hour crosses the curfew at 22:00 */
	int64_t start = 1772380800000LL + 21 * 3600000LL + 30 * 60000LL, at;
	size_t pings = 0, stale = 0, rounds = 120;

	fz_err_init(&err);
	if (!pos || !county || fz_geofence_new(&cfg, &g, &err))
		exit(1);
	for (size_t i = 0; i < districts->n; i++) {
		struct fz_fence_def d = { districts->items[i].code,
					  FZ_FENCE_INSIDE,
					  0,
					  0,
					  0,
					  &districts->items[i],
					  0,
					  0,
					  60,
					  50 };
		if (fz_geofence_add_fence(g, &d, &county[i], &err))
			exit(1);
	}
	t0 = now_s();
	for (size_t s = 0; s < subjects; s++) {
		const struct fz_polygon *p = &districts->items[s % districts->n];
		char id[64];
		int subject, home, bar;
		do {
			pos[2 * s] = p->bbox[0] + uniform(&seed) * (p->bbox[2] - p->bbox[0]);
			pos[2 * s + 1] = p->bbox[1] + uniform(&seed) * (p->bbox[3] - p->bbox[1]);
		} while (!fz_geofence_contains(g, county[s % districts->n], pos[2 * s],
					       pos[2 * s + 1]));
		snprintf(id, sizeof(id), "home-%zu", s);
		struct fz_fence_def h = { id,	      FZ_FENCE_INSIDE,
					  pos[2 * s], pos[2 * s + 1],
					  300,	      NULL,
					  22 * 60,    6 * 60,
					  300,	      30 };
		if (fz_geofence_add_fence(g, &h, &home, &err))
			exit(1);
		snprintf(id, sizeof(id), "bar-%zu", s);
		struct fz_fence_def b = { id,
					  FZ_FENCE_OUTSIDE,
					  pos[2 * s] + 0.01,
					  pos[2 * s + 1],
					  100,
					  NULL,
					  0,
					  0,
					  60,
					  20 };
		if (fz_geofence_add_fence(g, &b, &bar, &err) ||
		    fz_geofence_add_subject(g, start, &subject, &err) ||
		    fz_geofence_attach(g, subject, county[s % districts->n], &err) ||
		    fz_geofence_attach(g, subject, home, &err) ||
		    fz_geofence_attach(g, subject, bar, &err))
			exit(1);
	}
	t = now_s() - t0;
	printf("\nbench: geofences, %zu people (district polygon inside, home circle under curfew "
	       "22:00-06:00, prohibited circle), set up in %.0f ms\n",
	       subjects, t * 1e3);
	t0 = now_s();
	for (size_t r = 0; r < rounds; r++) {
		at = start + (int64_t)r * 30000;
		for (size_t s = 0; s < subjects; s++) {
			/* a random walk of about 40 m per ping; every 50th person strays further */
			double step = s % 50 == 0 ? 0.002 : 0.0004;
			pos[2 * s] += (uniform(&seed) - 0.5) * step;
			pos[2 * s + 1] += (uniform(&seed) - 0.5) * step;
			stale += fz_geofence_ping(g, (int)s, at + (int64_t)(s % 30000), pos[2 * s],
						  pos[2 * s + 1], 10, count_event, &c) != 0;
			pings++;
		}
	}
	t = now_s() - t0;
	printf("%-44s %14.0f pings/s (%zu pings, 3 fences each, %zu events, %zu violations)\n",
	       "fazhi geofence", pings / t, pings, c.events, c.violations);
	if (stale)
		printf("unexpected: %zu pings refused\n", stale);
	fz_geofence_free(g);
	free(pos);
	free(county);
}

/* The atlas of the real region tree, through a throwaway store. */
static struct fz_atlas *atlas_of(const char *boundaries, const char *regions,
				 struct fz_region_tree **tree)
{
	char db[] = "/tmp/bench-geo-XXXXXX";
	struct fz_store *store = NULL;
	struct fz_atlas *a = NULL;
	struct fz_err err;
	int fd = mkstemp(db);

	fz_err_init(&err);
	if (fd < 0)
		exit(2);
	close(fd);
	unlink(db);
	if (fz_store_open(db, 1, &store, &err) || fz_region_load_tsv(store, regions, NULL, &err) ||
	    fz_region_load_boundaries(store, "330700", boundaries, &err) ||
	    fz_region_tree_load(store, tree, &err) ||
	    fz_atlas_load(store, *tree, "330700", &a, &err)) {
		fprintf(stderr, "bench_geo: %s\n", err.msg);
		exit(1);
	}
	fz_store_free(store);
	unlink(db);
	return a;
}

int main(int argc, char **argv)
{
	size_t len, n = 10000000, subjects = 100000;
	const char *dump = NULL, *files[2] = { NULL, NULL };
	struct fz_polygon_set *set;
	struct fz_region_tree *tree = NULL;
	struct fz_atlas *atlas;
	struct fz_atlas_stats ast;
	struct fz_err err;
	double *xy, t0;
	uint64_t seed = SEED;
	char extra[160], *text;
	int bad = 0, nfiles = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dump") == 0 && i + 1 < argc)
			dump = argv[++i];
		else if (nfiles < 2)
			files[nfiles++] = argv[i];
		else
			n = strtoul(argv[i], NULL, 10);
	}
	if (getenv("BENCH_FENCE_SUBJECTS"))
		subjects = strtoul(getenv("BENCH_FENCE_SUBJECTS"), NULL, 10);
	if (nfiles < 2 || !n) {
		fprintf(stderr,
			"usage: bench_geo BOUNDARIES.geojson REGIONS.tsv [POINTS] [--dump DIR]\n");
		return 2;
	}
	text = slurp(files[0], &len);
	fz_err_init(&err);
	if (fz_polygon_set_parse(text, len, NULL, FZ_POLYGON_TOLERATE_SELF_INTERSECTIONS, &set,
				 &err)) {
		fprintf(stderr, "bench_geo: %s %s\n", err.field, err.msg);
		return 1;
	}
	xy = malloc(2 * n * sizeof(double));
	if (!xy)
		return 1;
	for (size_t i = 0; i < n; i++) {
		xy[2 * i] = set->bbox[0] + uniform(&seed) * (set->bbox[2] - set->bbox[0]);
		xy[2 * i + 1] = set->bbox[1] + uniform(&seed) * (set->bbox[3] - set->bbox[1]);
	}
	if (dump) {
		char path[1200];
		FILE *f;
		snprintf(path, sizeof(path), "%s/points.csv", dump);
		if (!(f = fopen(path, "w")))
			return 2;
		for (size_t i = 0; i < n; i++)
			fprintf(f, "%zu\t%.17g\t%.17g\n", i, xy[2 * i], xy[2 * i + 1]);
		fclose(f);
	}
	snprintf(extra, sizeof(extra), ", %zu self-intersections in the package's rings",
		 set->self_intersections);
	bad |= compare(&(struct run){ "district", set, xy, n, dump, "districts" }, extra);

	t0 = now_s();
	atlas = atlas_of(files[0], files[1], &tree);
	fz_atlas_stats(atlas, &ast);
	snprintf(extra, sizeof(extra),
		 "; generated with %zu villages, whole atlas built in %.0f ms",
		 ast.villages_generated, (now_s() - t0) * 1e3);
	bad |= compare(&(struct run){ "generated township", fz_atlas_generated_townships(atlas), xy,
				      n, dump, "townships" },
		       extra);
	{ /* the whole chain, as the API answers */
		struct fz_geo_place p;
		size_t found = 0;
		t0 = now_s();
		for (size_t i = 0; i < n; i++) {
			fz_atlas_locate(atlas, xy[2 * i], xy[2 * i + 1], &p);
			found += p.village != NULL;
		}
		printf("%-44s %14.0f points/s (%zu with a village)\n",
		       "fazhi atlas: district + township + village", n / (now_s() - t0), found);
	}
	bench_fences(set, subjects);
	fz_atlas_unref(atlas);
	fz_region_tree_free(tree);
	free(xy);
	free(text);
	fz_polygon_set_free(set);
	return bad;
}

/*
 * Unit tests of geo/locator: the grid index answers exactly what the
 * even-odd test over every edge answers (fz_polygon_contains), on made-up
 * squares with holes and edges, on the real Jinhua districts at random
 * points and at every vertex of their boundaries, for any grid size; known
 * places; overlaps; loading from the store.
 */
#include "fixture.h"

#include "geo/locator.h"
#include "registry/region.h"
#include "store/store.h"

#include <math.h>
#include <stdint.h>

#define POLY(code, coords)                                                                         \
	"{\"type\":\"Feature\",\"properties\":{\"code\":\"" code "\"},\"geometry\":{\"type\":"     \
	"\"Polygon\",\"coordinates\":" coords "}}"

static uint64_t rng = 0x2026030200000001u;

static double uniform(void) /* xorshift64*, [0, 1) */
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (double)((rng * 0x2545f4914f6cdd1du) >> 11) / 9007199254740992.0;
}

static struct fz_locator *build(const struct fz_polygon_set *s, size_t cells)
{
	struct fz_locator *l = NULL;
	struct fz_err err;

	fz_err_init(&err);
	if (fz_locator_build(s, cells, &l, &err))
		fail_msg("build: %s", err.msg);
	return l;
}

/* The answer by testing every feature with every edge, in the locator's priority order. */
static int brute(const struct fz_polygon_set *s, const struct fz_locator *l, double x, double y)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct fz_polygon *p = fz_polygon_set_find(s, fz_locator_code(l, i));
		if (x >= p->bbox[0] && x <= p->bbox[2] && y >= p->bbox[1] && y <= p->bbox[3] &&
		    fz_polygon_contains(p, x, y))
			return (int)i;
	}
	return -1;
}

/* Locator and brute force agree at (x, y); prints the point when not. */
static int agree(const struct fz_polygon_set *s, const struct fz_locator *l, double x, double y)
{
	int a = fz_locator_find_index(l, x, y), b = brute(s, l, x, y);

	if (a != b)
		print_error("[%.17g, %.17g]: grid %d, every edge %d\n", x, y, a, b);
	return a == b;
}

static void squares_with_holes_and_edges(void **state)
{
	static const char *const fs[] = {
		POLY("330702", "[[[0,0],[4,0],[4,4],[0,4],[0,0]],[[1,1],[1,3],[3,3],[3,1],[1,1]]]"),
		POLY("330703", "[[[4,0],[8,0],[8,4],[4,4],[4,0]]]"),
		POLY("330723",
		     "[[[2,2],[2.5,2],[2.5,2.5],[2,2.5],[2,2]]]"), /* an island in the hole */
	};
	struct fz_polygon_set *s = parse_ok(collection(fs, 3), 0);
	size_t cells[] = { 1, 64, 0, 100000 };

	(void)state;
	for (size_t c = 0; c < sizeof(cells) / sizeof(cells[0]); c++) {
		struct fz_locator *l = build(s, cells[c]);
		int bad = 0;
		assert_string_equal(fz_locator_find(l, 0.5, 0.5), "330702");
		assert_null(fz_locator_find(l, 2, 1.5));		     /* in the hole */
		assert_string_equal(fz_locator_find(l, 2.2, 2.2), "330723"); /* the island */
		assert_string_equal(fz_locator_find(l, 6, 2), "330703");
		assert_null(fz_locator_find(l, 9, 2));
		assert_null(fz_locator_find(l, -0.001, 2));
		/* the shared edge x = 4 belongs to the feature east of it */
		assert_string_equal(fz_locator_find(l, 4, 2), "330703");
		assert_string_equal(fz_locator_find(l, 0, 0), "330702");
		assert_null(fz_locator_find(l, 8, 2));
		assert_null(fz_locator_find(l, 6, 4));
		assert_null(fz_locator_find(l, NAN, 1));
		assert_null(fz_locator_find(l, 1, INFINITY));
		/* on a lattice of 1/8 that hits every vertex and edge, and at random */
		for (int i = -8; i <= 72; i++)
			for (int j = -8; j <= 40; j++)
				bad += !agree(s, l, i / 8.0, j / 8.0);
		for (int i = 0; i < 20000; i++)
			bad += !agree(s, l, -1 + 10 * uniform(), -1 + 6 * uniform());
		assert_int_equal(bad, 0);
		fz_locator_free(l);
	}
	fz_polygon_set_free(s);
}

/* Where features overlap, the smallest code wins whatever the document order. */
static void overlaps_go_to_the_smallest_code(void **state)
{
	static const char *const fs[] = {
		POLY("330784", "[[[0,0],[3,0],[3,3],[0,3],[0,0]]]"),
		POLY("330702", "[[[2,2],[5,2],[5,5],[2,5],[2,2]]]"),
	};
	struct fz_polygon_set *s = parse_ok(collection(fs, 2), 0);
	struct fz_locator *l = build(s, 0);
	struct fz_locator_stats st;

	(void)state;
	fz_locator_stats(l, &st);
	assert_int_equal(st.features, 2);
	assert_string_equal(fz_locator_code(l, 0), "330702");
	assert_string_equal(fz_locator_code(l, 1), "330784");
	assert_null(fz_locator_code(l, 2));
	assert_string_equal(fz_locator_find(l, 2.5, 2.5), "330702");
	assert_string_equal(fz_locator_find(l, 1, 1), "330784");
	assert_string_equal(fz_locator_find(l, 4, 4), "330702");
	fz_locator_free(l);
	fz_polygon_set_free(s);
}

static void an_empty_set_is_refused(void **state)
{
	struct fz_polygon_set *s = parse_ok("{\"type\":\"FeatureCollection\",\"features\":[]}", 0);
	struct fz_locator *l = NULL;
	struct fz_err err;

	(void)state;
	fz_err_init(&err);
	assert_int_equal(fz_locator_build(s, 0, &l, &err), FZ_EINVAL);
	assert_null(l);
	assert_non_null(strstr(err.msg, "没有区划边界"));
	fz_polygon_set_free(s);
}

static struct fz_polygon_set *jinhua(void)
{
	size_t len;
	char *text = jinhua_boundaries(&len);
	struct fz_polygon_set *s = NULL;
	struct fz_err err;

	fz_err_init(&err);
	if (fz_polygon_set_parse(text, len, NULL, FZ_POLYGON_TOLERATE_SELF_INTERSECTIONS, &s, &err))
		fail_msg("jinhua: %s", err.msg);
	free(text);
	return s;
}

/*
 * Ray casting over every edge is too slow for 100 000 points on rings of
 * 5 000 edges in a sanitised build, so the reference for the real
 * districts only skips the edges that cannot meet the ray: each feature's
 * edges are filed under the horizontal bands their y extent touches, and a
 * point tests every edge of its band with the same crossing predicate.
 * It is itself checked against fz_polygon_contains() first.
 */
#define BANDS 512

struct band_ref {
	const struct fz_polygon_set *s;
	const struct fz_locator *l;
	double y0, inv_h;
	double *e[16][BANDS]; /* per feature in priority order, 4 doubles an edge, ay < by */
	size_t n[16][BANDS];
};

static size_t band_of(const struct band_ref *r, double y)
{
	double b = (y - r->y0) * r->inv_h;

	return b < 0 ? 0 : b >= BANDS ? BANDS - 1 : (size_t)b;
}

static void band_add(struct band_ref *r, size_t f, const double *a, const double *b)
{
	for (size_t k = band_of(r, a[1]); k <= band_of(r, b[1]); k++) {
		double *e = realloc(r->e[f][k], (r->n[f][k] + 1) * 4 * sizeof(double));
		assert_non_null(e);
		memcpy(e + 4 * r->n[f][k]++, (const double[]){ a[0], a[1], b[0], b[1] },
		       4 * sizeof(double));
		r->e[f][k] = e;
	}
}

static struct band_ref *band_build(const struct fz_polygon_set *s, const struct fz_locator *l)
{
	struct band_ref *r = calloc(1, sizeof(*r));

	assert_true(s->n <= 16);
	r->s = s;
	r->l = l;
	r->y0 = s->bbox[1];
	r->inv_h = BANDS / (s->bbox[3] - s->bbox[1]);
	for (size_t f = 0; f < s->n; f++) {
		const struct fz_polygon *p = fz_polygon_set_find(s, fz_locator_code(l, f));
		for (size_t i = 0; i < p->nrings; i++)
			for (size_t k = 0; k + 1 < p->rings[i].n; k++) {
				const double *v = p->rings[i].xy + 2 * k;
				if (v[1] < v[3])
					band_add(r, f, v, v + 2);
				else if (v[1] > v[3])
					band_add(r, f, v + 2, v);
			}
	}
	return r;
}

static int band_find(const struct band_ref *r, double x, double y)
{
	size_t k = band_of(r, y);

	for (size_t f = 0; f < r->s->n; f++) {
		int in = 0;
		for (size_t i = 0; i < r->n[f][k]; i++) {
			const double *e = r->e[f][k] + 4 * i;
			in ^= fz_polygon_crosses(e[0], e[1], e[2], e[3], x, y);
		}
		if (in)
			return (int)f;
	}
	return -1;
}

static void band_free(struct band_ref *r)
{
	for (size_t f = 0; f < 16; f++)
		for (size_t k = 0; k < BANDS; k++)
			free(r->e[f][k]);
	free(r);
}

/* Locator and the band reference agree at (x, y); prints the point when not. */
static int agree_band(const struct band_ref *r, double x, double y)
{
	int a = fz_locator_find_index(r->l, x, y), b = band_find(r, x, y);

	if (a != b)
		print_error("[%.17g, %.17g]: grid %d, every edge %d\n", x, y, a, b);
	return a == b;
}

static void random_point(const struct fz_locator_stats *st, double *x, double *y)
{
	*x = st->bbox[0] + (st->bbox[2] - st->bbox[0]) * uniform();
	*y = st->bbox[1] + (st->bbox[3] - st->bbox[1]) * uniform();
}

/* 100 000 random points over the real districts' box: the grid agrees with every edge. */
static void grid_agrees_with_brute_force_on_jinhua(void **state)
{
	struct fz_polygon_set *s = jinhua();
	struct fz_locator *l = build(s, 0);
	struct band_ref *ref = band_build(s, l);
	struct fz_locator_stats st;
	int bad = 0, inside = 0;
	double x, y;

	(void)state;
	fz_locator_stats(l, &st);
	assert_int_equal(st.features, 9);
	assert_true(st.mixed_cells > 0 && st.mixed_cells < (size_t)st.nx * st.ny / 4);
	for (int i = 0; i < 2000; i++) { /* the reference against every edge */
		random_point(&st, &x, &y);
		bad += !agree(s, l, x, y);
		assert_int_equal(band_find(ref, x, y), brute(s, l, x, y));
	}
	for (int i = 0; i < 100000; i++) {
		random_point(&st, &x, &y);
		bad += !agree_band(ref, x, y);
		inside += fz_locator_find_index(l, x, y) >= 0;
	}
	assert_int_equal(bad, 0);
	/* Jinhua fills a little over half of its bounding box */
	assert_true(inside > 45000 && inside < 65000);
	band_free(ref);
	fz_locator_free(l);
	fz_polygon_set_free(s);
}

/*
 * Points exactly on the boundaries, where conventions show: every vertex of
 * every district and the midpoint of every edge, under three grid sizes.
 */
static void grid_agrees_on_every_vertex_of_jinhua(void **state)
{
	struct fz_polygon_set *s = jinhua();
	size_t cells[] = { 1024, 0, 1u << 20 };

	(void)state;
	for (size_t c = 0; c < sizeof(cells) / sizeof(cells[0]); c++) {
		struct fz_locator *l = build(s, cells[c]);
		struct band_ref *ref = band_build(s, l);
		int bad = 0;
		for (size_t f = 0; f < s->n; f++)
			for (size_t r = 0; r < s->items[f].nrings; r++) {
				const struct fz_ring *ring = &s->items[f].rings[r];
				for (size_t k = 0; k + 1 < ring->n; k++) {
					const double *v = ring->xy + 2 * k;
					bad += !agree_band(ref, v[0], v[1]);
					bad += !agree_band(ref, (v[0] + v[2]) / 2,
							   (v[1] + v[3]) / 2);
				}
			}
		assert_int_equal(bad, 0);
		band_free(ref);
		fz_locator_free(l);
	}
	fz_polygon_set_free(s);
}

static void real_places(void **state)
{
	struct fz_polygon_set *s = jinhua();
	struct fz_locator *l = build(s, 0);

	(void)state;
	assert_string_equal(fz_locator_find(l, 120.075, 29.306), "330782"); /* 义乌市 centre */
	assert_string_equal(fz_locator_find(l, 119.65, 29.08), "330702"); /* 婺城区, old town */
	assert_string_equal(fz_locator_find(l, 120.23, 29.29), "330783"); /* 东阳市 */
	assert_string_equal(fz_locator_find(l, 119.46, 29.21), "330781"); /* 兰溪市 */
	assert_null(fz_locator_find(l, 120.15, 30.28));			  /* 杭州 */
	assert_null(fz_locator_find(l, 121.47, 31.23));			  /* 上海 */
	fz_locator_free(l);
	fz_polygon_set_free(s);
}

static void loads_from_the_store(void **state)
{
	struct fz_store *store = ts_store();
	char *path = ts_tmpfile("b.geojson");
	const char *f = POLY("330702", "[[[119,29],[120,29],[120,30],[119,30],[119,29]]]");
	FILE *out = fopen(path, "w");
	struct fz_locator *l = NULL;
	struct fz_locator_stats st;
	struct fz_err err;

	(void)state;
	fz_err_init(&err);
	assert_int_equal(fz_locator_load(store, "330700", &l, &err), FZ_ENOTFOUND);
	assert_null(l);
	fputs(collection(&f, 1), out);
	fclose(out);
	fz_err_init(&err);
	assert_int_equal(fz_region_load_boundaries(store, "330700", path, &err), 0);
	assert_int_equal(fz_locator_load(store, "330700", &l, &err), 0);
	fz_locator_stats(l, &st);
	assert_int_equal(st.features, 1);
	assert_int_equal(st.self_intersections, 0);
	assert_string_equal(fz_locator_find(l, 119.5, 29.5), "330702");
	assert_null(fz_locator_find(l, 120.5, 29.5));
	fz_locator_free(l);
	fz_store_free(store);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(squares_with_holes_and_edges),
		cmocka_unit_test(overlaps_go_to_the_smallest_code),
		cmocka_unit_test(an_empty_set_is_refused),
		cmocka_unit_test(grid_agrees_with_brute_force_on_jinhua),
		cmocka_unit_test(grid_agrees_on_every_vertex_of_jinhua),
		cmocka_unit_test(real_places),
		cmocka_unit_test(loads_from_the_store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

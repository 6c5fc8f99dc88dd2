/*
 * Unit tests of geo/polygon: the GeoJSON reader (what it accepts, what it
 * refuses and how the error names the place), the even-odd test with its
 * edge convention, and the exact orientation predicate.
 */
#include "fixture.h"

#define POLY(code, coords)                                                                         \
	"{\"type\":\"Feature\",\"properties\":{\"code\":\"" code "\"},\"geometry\":{\"type\":"     \
	"\"Polygon\",\"coordinates\":" coords "}}"
#define MULTI(code, coords)                                                                        \
	"{\"type\":\"Feature\",\"properties\":{\"code\":\"" code "\"},\"geometry\":{\"type\":"     \
	"\"MultiPolygon\",\"coordinates\":" coords "}}"

#define SQUARE	    "[[0,0],[4,0],[4,4],[0,4],[0,0]]"
#define SQUARE_HOLE "[[1,1],[1,3],[3,3],[3,1],[1,1]]"

/* Parses one feature and returns the error (code, field, message) of refusing it. */
static int refuse(const char *feature, unsigned flags, const struct fz_polygon_limits *lim,
		  struct fz_err *err)
{
	const char *text = collection(&feature, 1);
	struct fz_polygon_set *s = NULL;
	int rc;

	fz_err_init(err);
	rc = fz_polygon_set_parse(text, strlen(text), lim, flags, &s, err);
	fz_polygon_set_free(s);
	if (rc == 0)
		fail_msg("accepted: %s", feature);
	assert_null(s);
	return rc;
}

static void square_with_hole(void **state)
{
	const char *f = POLY("330702", "[" SQUARE "," SQUARE_HOLE "]");
	struct fz_polygon_set *s = parse_ok(collection(&f, 1), 0);
	const struct fz_polygon *p = fz_polygon_set_find(s, "330702");

	(void)state;
	assert_int_equal(s->n, 1);
	assert_int_equal(s->npoints, 10);
	assert_non_null(p);
	assert_int_equal(p->nrings, 2);
	assert_int_equal(p->rings[0].hole, 0);
	assert_int_equal(p->rings[1].hole, 1);
	assert_true(p->bbox[0] == 0 && p->bbox[1] == 0 && p->bbox[2] == 4 && p->bbox[3] == 4);
	assert_true(fz_polygon_contains(p, 0.5, 0.5));
	assert_true(fz_polygon_contains(p, 3.5, 2));
	assert_false(fz_polygon_contains(p, 2, 2));   /* in the hole */
	assert_false(fz_polygon_contains(p, 5, 2));   /* east */
	assert_false(fz_polygon_contains(p, -1, -1)); /* south-west */
	assert_null(fz_polygon_set_find(s, "330703"));
	fz_polygon_set_free(s);
}

/*
 * The documented convention: a point on an edge or a vertex is located as
 * if it lay an infinitesimal step east, then north.
 */
static void points_on_edges_and_vertices(void **state)
{
	const char *f = POLY("A", "[" SQUARE "," SQUARE_HOLE "]");
	struct fz_polygon_set *s = parse_ok(collection(&f, 1), 0);
	const struct fz_polygon *p = &s->items[0];

	(void)state;
	assert_true(fz_polygon_contains(p, 0, 2));  /* west edge: the square is east */
	assert_false(fz_polygon_contains(p, 4, 2)); /* east edge: outside is east */
	assert_true(fz_polygon_contains(p, 2, 0));  /* south edge: the square is north */
	assert_false(fz_polygon_contains(p, 2, 4)); /* north edge: outside is north */
	assert_true(fz_polygon_contains(p, 0, 0));  /* south-west corner only */
	assert_false(fz_polygon_contains(p, 4, 0));
	assert_false(fz_polygon_contains(p, 4, 4));
	assert_false(fz_polygon_contains(p, 0, 4));
	/* the hole's edges: its west edge leads into the hole, its east edge out of it */
	assert_false(fz_polygon_contains(p, 1, 2));
	assert_true(fz_polygon_contains(p, 3, 2));
	assert_false(fz_polygon_contains(p, 2, 1)); /* the hole is north */
	assert_true(fz_polygon_contains(p, 2, 3));
	fz_polygon_set_free(s);
}

/* Neighbours sharing edges: every point of a shared edge belongs to exactly one. */
static void shared_edges_belong_to_one_feature(void **state)
{
	static const char *const fs[] = {
		POLY("W", "[[[0,0],[2,0],[2,2],[0,2],[0,0]]]"),
		POLY("E", "[[[2,0],[4,0],[4,2],[2,2],[2,0]]]"),
		POLY("N", "[[[0,2],[4,2],[4,4],[0,4],[0,2]]]"),
		POLY("T", "[[[4,0],[6,3],[4,4],[4,0]]]"), /* slanted edges */
	};
	struct fz_polygon_set *s = parse_ok(collection(fs, 4), 0);
	const struct fz_polygon *w = &s->items[0], *e = &s->items[1], *n = &s->items[2];
	const struct fz_polygon *t = &s->items[3];

	(void)state;
	for (int i = 0; i <= 16; i++) {
		double y = i / 8.0, x = i / 4.0;
		if (y < 2) {
			assert_false(fz_polygon_contains(w, 2, y));
			assert_true(fz_polygon_contains(e, 2, y)); /* east of the edge */
		}
		if (x < 4) {
			assert_int_equal(
				fz_polygon_contains(w, x, 2) + fz_polygon_contains(e, x, 2), 0);
			assert_true(fz_polygon_contains(n, x, 2)); /* north of the edge */
		}
	}
	/* on the slanted edge (4,0)-(6,3): 3x - 2y = 12; east of it is outside */
	assert_false(fz_polygon_contains(t, 5, 1.5));
	assert_true(fz_polygon_contains(t, 5 - 1e-12, 1.5));
	assert_false(fz_polygon_contains(t, 5 + 1e-12, 1.5));
	/* on the west edge x = 4 of T, which is also the east edge of E */
	assert_true(fz_polygon_contains(t, 4, 1));
	assert_false(fz_polygon_contains(e, 4, 1));
	fz_polygon_set_free(s);
}

/*
 * Near-collinear points where naive double arithmetic gets the side of a
 * line wrong (Kettner et al., "Classroom examples of robustness problems"):
 * the line y = x through (12, 12) and (24, 24), points within a few ulps
 * of it near (0.5, 0.5).
 */
static void orientation_is_exact(void **state)
{
	const double u = 0x1p-53; /* the ulp of 0.5 */
	int naive_wrong = 0;

	(void)state;
	for (int k = 0; k < 64; k++)
		for (int m = 0; m < 64; m++) {
			double cx = 0.5 + k * u, cy = 0.5 + m * u;
			int want = (m > k) - (m < k);
			double naive = (24.0 - 12.0) * (cy - 12.0) - (24.0 - 12.0) * (cx - 12.0);
			assert_int_equal(fz_polygon_orient(12, 12, 24, 24, cx, cy), want);
			assert_int_equal(fz_polygon_orient_exact(12, 12, 24, 24, cx, cy), want);
			naive_wrong += ((naive > 0) - (naive < 0)) != want;
		}
	assert_true(naive_wrong > 0); /* the case is a hard one */
	assert_int_equal(fz_polygon_orient(0, 0, 1, 1, 0.5, 0.5), 0);
	assert_int_equal(fz_polygon_orient(0, 0, 1, 0, 0.5, 1e-300), 1);
}

static void multipolygon_parts(void **state)
{
	const char *f =
		MULTI("M", "[[" SQUARE "," SQUARE_HOLE "],[[[10,10],[12,10],[11,12],[10,10]]]]");
	struct fz_polygon_set *s = parse_ok(collection(&f, 1), 0);
	const struct fz_polygon *p = &s->items[0];

	(void)state;
	assert_int_equal(p->nparts, 2);
	assert_int_equal(p->nrings, 3);
	assert_int_equal(p->rings[2].part, 1);
	assert_int_equal(p->rings[2].hole, 0);
	assert_true(fz_polygon_contains(p, 0.5, 0.5));
	assert_false(fz_polygon_contains(p, 2, 2));
	assert_true(fz_polygon_contains(p, 11, 11));
	assert_false(fz_polygon_contains(p, 7, 7));
	assert_true(p->bbox[2] == 12 && p->bbox[3] == 12);
	assert_true(s->bbox[0] == 0 && s->bbox[3] == 12);
	fz_polygon_set_free(s);
}

static void single_feature_repeated_points_and_altitude(void **state)
{
	const char *text =
		"{\"type\":\"Feature\",\"properties\":{\"code\":\"330782\",\"name\":\"义乌市\"},"
		"\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[0,0,5],[0,0],[2,0],"
		"[2,0],[2,2],[0,2],[0,2],[0,0]]]}}";
	struct fz_polygon_set *s = parse_ok(text, 0);

	(void)state;
	assert_int_equal(s->n, 1);
	assert_string_equal(s->items[0].code, "330782");
	assert_string_equal(s->items[0].name, "义乌市");
	assert_true(fz_polygon_contains(&s->items[0], 1, 1));
	fz_polygon_set_free(s);
}

static void unclosed_and_short_rings_are_refused(void **state)
{
	struct fz_err err;

	(void)state;
	assert_int_equal(refuse(POLY("330702", "[[[0,0],[4,0],[4,4],[0,4],[0,1]]]"), 0, NULL, &err),
			 FZ_EINVAL);
	assert_string_equal(err.field, "/features/0/geometry/coordinates/0");
	assert_non_null(strstr(err.msg, "330702"));
	assert_non_null(strstr(err.msg, "未闭合"));
	assert_non_null(strstr(err.msg, "[0, 1]"));
	assert_int_equal(refuse(POLY("A", "[" SQUARE ",[[1,1],[2,1],[1,1]]]"), 0, NULL, &err),
			 FZ_EINVAL);
	assert_string_equal(err.field, "/features/0/geometry/coordinates/1");
	assert_non_null(strstr(err.msg, "至少需要 4 个点"));
	assert_int_equal(refuse(POLY("A", "[[[1,1],[1,1],[1,1],[1,1]]]"), 0, NULL, &err),
			 FZ_EINVAL);
	assert_non_null(strstr(err.msg, "退化"));
	assert_int_equal(refuse(POLY("A", "[]"), 0, NULL, &err), FZ_EINVAL);
	assert_string_equal(err.field, "/features/0/geometry/coordinates");
}

static void self_intersections_are_refused(void **state)
{
	static const char *const bad[] = {
		/* a bow-tie: edges 0-1 and 2-3 cross at (2, 2) */
		POLY("330703", "[[[0,0],[4,4],[4,0],[0,4],[0,0]]]"),
		/* a figure eight touching itself at (2, 2) */
		POLY("330703", "[[[0,0],[2,2],[4,0],[4,4],[2,2],[0,4],[0,0]]]"),
		/* a spike: the ring goes out to (6, 2) and back on itself */
		POLY("330703", "[[[0,0],[4,0],[4,2],[6,2],[4,2],[4,4],[0,4],[0,0]]]"),
		/* a vertex on another edge */
		POLY("330703", "[[[0,0],[4,0],[4,4],[2,0],[0,4],[0,0]]]"),
		/* a ring that folds back on its first edge */
		POLY("330703", "[[[0,0],[4,0],[2,0],[0,0]]]"),
	};
	static const char *const fields[] = {
		"/features/0/geometry/coordinates/0/2", "/features/0/geometry/coordinates/0/4",
		"/features/0/geometry/coordinates/0/3", "/features/0/geometry/coordinates/0/3",
		"/features/0/geometry/coordinates/0/0",
	};
	struct fz_polygon_set *s;
	struct fz_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(refuse(bad[i], 0, NULL, &err), FZ_EINVAL);
		assert_string_equal(err.machine, "invalid_geometry");
		assert_string_equal(err.field, fields[i]);
		assert_non_null(strstr(err.msg, "330703"));
		/* tolerated on request, and counted */
		s = parse_ok(collection(&bad[i], 1), FZ_POLYGON_TOLERATE_SELF_INTERSECTIONS);
		assert_true(s->self_intersections >= 1);
		assert_non_null(strstr(s->first_self_intersection, fields[i]));
		fz_polygon_set_free(s);
	}
	refuse(bad[0], 0, NULL, &err);
	assert_non_null(strstr(err.msg, "自相交"));
	assert_non_null(strstr(err.msg, "[0, 0]–[4, 4]"));
	refuse(bad[4], 0, NULL, &err);
	assert_non_null(strstr(err.msg, "折返"));
	/* the bow-tie by the even-odd rule: both lobes inside, the crossing's surroundings too */
	s = parse_ok(collection(&bad[0], 1), FZ_POLYGON_TOLERATE_SELF_INTERSECTIONS);
	assert_true(fz_polygon_contains(&s->items[0], 3.5, 2));
	assert_true(fz_polygon_contains(&s->items[0], 0.5, 2));
	assert_false(fz_polygon_contains(&s->items[0], 2, 3.5));
	fz_polygon_set_free(s);
}

static void bad_coordinates_are_named(void **state)
{
	struct fz_err err;

	(void)state;
	refuse(POLY("330782", "[[[0,0],[4,0],[181,4],[0,4],[0,0]]]"), 0, NULL, &err);
	assert_string_equal(err.field, "/features/0/geometry/coordinates/0/2");
	assert_non_null(strstr(err.msg, "经度 181"));
	refuse(POLY("330782", "[[[0,0],[4,-90.5],[4,4],[0,4],[0,0]]]"), 0, NULL, &err);
	assert_string_equal(err.field, "/features/0/geometry/coordinates/0/1");
	assert_non_null(strstr(err.msg, "纬度"));
	refuse(POLY("330782", "[[[0,0],[4,0],[\"4\",4],[0,4],[0,0]]]"), 0, NULL, &err);
	assert_string_equal(err.field, "/features/0/geometry/coordinates/0/2");
	refuse(POLY("330782", "[[[0,0],[4,0],[4],[0,4],[0,0]]]"), 0, NULL, &err);
	assert_string_equal(err.field, "/features/0/geometry/coordinates/0/2");
	refuse(POLY("330782", "[[[0,0],[4,0],[4,4,1,1],[0,4],[0,0]]]"), 0, NULL, &err);
	assert_string_equal(err.field, "/features/0/geometry/coordinates/0/2");
	refuse(POLY("330782", "[[[0,0],[4,0],[1e999,4],[0,4],[0,0]]]"), 0, NULL, &err);
	assert_string_equal(err.field, "/features/0/geometry/coordinates/0/2");
}

static void bad_structure_is_named(void **state)
{
	static const char *const two[] = { POLY("A", "[" SQUARE "]"), POLY("A", "[" SQUARE "]") };
	const char *text;
	struct fz_polygon_set *s = NULL;
	struct fz_err err;

	(void)state;
	refuse("{\"type\":\"Feature\",\"properties\":{},\"geometry\":null}", 0, NULL, &err);
	assert_string_equal(err.field, "/features/0/properties/code");
	refuse("{\"type\":\"Feature\",\"properties\":{\"code\":\"A\"},\"geometry\":{\"type\":\"Point\","
	       "\"coordinates\":[1,2]}}",
	       0, NULL, &err);
	assert_string_equal(err.field, "/features/0/geometry/type");
	assert_non_null(strstr(err.msg, "Polygon 或 MultiPolygon"));
	refuse("{\"type\":\"Thing\"}", 0, NULL, &err);
	assert_string_equal(err.field, "/features/0");
	text = collection(two, 2);
	fz_err_init(&err);
	assert_int_equal(fz_polygon_set_parse(text, strlen(text), NULL, 0, &s, &err), FZ_EINVAL);
	assert_string_equal(err.field, "/features/1/properties/code");
	assert_non_null(strstr(err.msg, "重复"));
	fz_err_init(&err);
	assert_int_equal(fz_polygon_set_parse("[1,2]", 5, NULL, 0, &s, &err), FZ_EINVAL);
	assert_string_equal(err.field, "/type");
	fz_err_init(&err);
	assert_int_equal(fz_polygon_set_parse("{\"type\":", 8, NULL, 0, &s, &err), FZ_EINVAL);
	assert_string_equal(err.machine, "malformed_json");
	assert_null(s);
}

static void limits(void **state)
{
	struct fz_polygon_limits lim = fz_polygon_default_limits;
	const char *sq = POLY("A", "[" SQUARE "," SQUARE_HOLE "]");
	const char *text = collection(&sq, 1);
	struct fz_polygon_set *s = NULL;
	struct fz_err err;

	(void)state;
	lim.max_bytes = strlen(text) - 1;
	fz_err_init(&err);
	assert_int_equal(fz_polygon_set_parse(text, strlen(text), &lim, 0, &s, &err), FZ_ETOOBIG);
	assert_non_null(strstr(err.msg, "字节"));
	lim = fz_polygon_default_limits;
	lim.max_rings = 1;
	assert_int_equal(refuse(sq, 0, &lim, &err), FZ_ETOOBIG);
	assert_string_equal(err.field, "/features/0/geometry/coordinates/1");
	lim = fz_polygon_default_limits;
	lim.max_points = 9;
	assert_int_equal(refuse(sq, 0, &lim, &err), FZ_ETOOBIG);
	assert_string_equal(err.field, "/features/0/geometry/coordinates/1");
	lim = fz_polygon_default_limits;
	lim.max_ring_points = 4;
	assert_int_equal(refuse(sq, 0, &lim, &err), FZ_ETOOBIG);
	assert_string_equal(err.field, "/features/0/geometry/coordinates/0");
	lim = fz_polygon_default_limits;
	lim.max_features = 0;
	assert_int_equal(refuse(sq, 0, &lim, &err), FZ_ETOOBIG);
	assert_string_equal(err.field, "/features");
	/* nesting: a position is 7 levels down a collection; properties may not go deeper */
	lim = fz_polygon_default_limits;
	lim.max_depth = 7;
	assert_int_equal(fz_polygon_set_parse(text, strlen(text), &lim, 0, &s, &err), 0);
	fz_polygon_set_free(s);
	lim.max_depth = 6;
	fz_err_init(&err);
	assert_int_equal(fz_polygon_set_parse(text, strlen(text), &lim, 0, &s, &err), FZ_ETOOBIG);
	assert_non_null(strstr(err.msg, "嵌套"));
	assert_null(s);
}

/*
 * The package's district boundaries are quantised to 1/1024 degree and
 * self-touch thousands of times: strict reading refuses them naming the
 * place; the tolerant reading (the one fazhi uses for them) counts them.
 */
static void jinhua_districts(void **state)
{
	size_t len;
	char *text = jinhua_boundaries(&len);
	struct fz_polygon_set *s = NULL;
	struct fz_err err;

	(void)state;
	fz_err_init(&err);
	assert_int_equal(fz_polygon_set_parse(text, len, NULL, 0, &s, &err), FZ_EINVAL);
	assert_string_equal(err.machine, "invalid_geometry");
	assert_int_equal(strncmp(err.field, "/features/0/geometry/coordinates/0/", 35), 0);
	assert_non_null(strstr(err.msg, "自相交"));
	fz_err_init(&err);
	assert_int_equal(fz_polygon_set_parse(text, len, NULL,
					      FZ_POLYGON_TOLERATE_SELF_INTERSECTIONS, &s, &err),
			 0);
	assert_int_equal(s->n, 9);
	assert_true(s->npoints > 40000);
	assert_true(s->self_intersections > 1000);
	assert_string_equal(fz_polygon_set_find(s, "330782")->name, "义乌市");
	assert_true(s->bbox[0] > 119 && s->bbox[2] < 121 && s->bbox[1] > 28.5 && s->bbox[3] < 30);
	fz_polygon_set_free(s);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(square_with_hole),
		cmocka_unit_test(points_on_edges_and_vertices),
		cmocka_unit_test(shared_edges_belong_to_one_feature),
		cmocka_unit_test(orientation_is_exact),
		cmocka_unit_test(multipolygon_parts),
		cmocka_unit_test(single_feature_repeated_points_and_altitude),
		cmocka_unit_test(unclosed_and_short_rings_are_refused),
		cmocka_unit_test(self_intersections_are_refused),
		cmocka_unit_test(bad_coordinates_are_named),
		cmocka_unit_test(bad_structure_is_named),
		cmocka_unit_test(limits),
		cmocka_unit_test(jinhua_districts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

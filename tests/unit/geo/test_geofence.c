/*
 * Unit tests of geo/geofence: tracks that jitter at an edge raise nothing
 * (margin in metres, dwell in seconds), a real exit raises exit and out of
 * area once; a curfew window in Asia/Shanghai time; lost contact on the
 * injected clock; out-of-order and replayed pings change nothing; outside
 * (prohibited) fences; polygon fences; approved leave; bad definitions.
 */
#include "fixture.h"

#include "geo/geofence.h"

#include <math.h>

#define MIN_MS	60000LL
#define HOUR_MS (60 * MIN_MS)
/* 2026-03-02 00:00 in Asia/Shanghai is 2026-03-01 16:00 UTC */
#define LOCAL_MIDNIGHT 1772380800000LL

static const double HOME[2] = { 119.65, 29.08 };

struct log {
	struct fz_fence_event e[64];
	int n;
};

static void record(void *ctx, const struct fz_fence_event *e)
{
	struct log *l = ctx;

	if (l->n < 64)
		l->e[l->n++] = *e;
}

/* The point d metres east of HOME. */
static double east(double d)
{
	return HOME[0] + d / (111320.0 * cos(HOME[1] * 0.017453292519943295));
}

static struct fz_geofence *engine(int64_t lost_ms)
{
	struct fz_geofence_config cfg = { lost_ms, 8 * 3600 };
	struct fz_geofence *g = NULL;
	struct fz_err err;

	fz_err_init(&err);
	assert_int_equal(fz_geofence_new(&cfg, &g, &err), 0);
	return g;
}

static int circle(struct fz_geofence *g, const char *id, enum fz_fence_kind kind, double r,
		  int dwell_s, double margin_m, int w0, int w1)
{
	struct fz_fence_def d = { id, kind, HOME[0], HOME[1], r, NULL, w0, w1, dwell_s, margin_m };
	struct fz_err err;
	int i = -1;

	fz_err_init(&err);
	if (fz_geofence_add_fence(g, &d, &i, &err))
		fail_msg("fence: %s", err.msg);
	return i;
}

static int subject(struct fz_geofence *g, int64_t since, int fence)
{
	struct fz_err err;
	int s = -1;

	fz_err_init(&err);
	assert_int_equal(fz_geofence_add_subject(g, since, &s, &err), 0);
	assert_int_equal(fz_geofence_attach(g, s, fence, &err), 0);
	return s;
}

static void jitter_at_an_edge_raises_nothing(void **state)
{
	struct fz_geofence *g = engine(0);
	int f = circle(g, "county", FZ_FENCE_INSIDE, 1000, 60, 30, 0, 0);
	int s = subject(g, LOCAL_MIDNIGHT, f);
	struct log l = { .n = 0 };
	int64_t t = LOCAL_MIDNIGHT;

	(void)state;
	/* ten minutes at the edge, +-25 m every 10 s: inside the 30 m margin */
	for (int i = 0; i < 60; i++, t += 10000)
		assert_int_equal(fz_geofence_ping(g, s, t, east(1000 + (i % 2 ? 25 : -25)), HOME[1],
						  0, record, &l),
				 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(fz_geofence_side(g, s, f), 1);
	/* beyond the margin but back within the dwell (50 s out, then in): still nothing */
	for (int i = 0; i < 5; i++, t += 10000)
		fz_geofence_ping(g, s, t, east(1100), HOME[1], 0, record, &l);
	fz_geofence_ping(g, s, t, east(900), HOME[1], 0, record, &l);
	t += 10000;
	assert_int_equal(l.n, 0);
	/* a real exit: 2 minutes 100 m out raises exit and out of area once, after 60 s */
	for (int i = 0; i < 12; i++, t += 10000)
		fz_geofence_ping(g, s, t, east(1100), HOME[1], 0, record, &l);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.e[0].kind, FZ_FENCE_EXIT);
	assert_int_equal(l.e[0].violation, 0);
	assert_int_equal(l.e[1].kind, FZ_FENCE_OUT_OF_AREA);
	assert_int_equal(l.e[1].violation, 1);
	assert_int_equal(l.e[1].fence, f);
	assert_true(l.e[1].at - l.e[1].since >= 60000);
	/* GPS accuracy of 200 m makes a point 150 m back inside count as jitter */
	fz_geofence_ping(g, s, t, east(850), HOME[1], 200, record, &l);
	t += 70000;
	fz_geofence_ping(g, s, t, east(850), HOME[1], 200, record, &l);
	assert_int_equal(l.n, 2);
	/* coming back for good raises enter */
	for (int i = 0; i < 8; i++, t += 10000)
		fz_geofence_ping(g, s, t, east(500), HOME[1], 0, record, &l);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.e[2].kind, FZ_FENCE_ENTER);
	fz_geofence_free(g);
}

static void jitter_across_the_edge_is_debounced_by_dwell(void **state)
{
	struct fz_geofence *g = engine(0);
	int f = circle(g, "c", FZ_FENCE_INSIDE, 1000, 45, 0, 0, 0);
	int s = subject(g, LOCAL_MIDNIGHT, f);
	struct log l = { .n = 0 };

	(void)state;
	/* no margin: every other ping is 50 m outside, for an hour */
	for (int i = 0; i < 360; i++)
		fz_geofence_ping(g, s, LOCAL_MIDNIGHT + i * 10000LL, east(i % 2 ? 1050 : 950),
				 HOME[1], 0, record, &l);
	assert_int_equal(l.n, 0);
	fz_geofence_free(g);
}

static void curfew_starts_at_22_local(void **state)
{
	struct fz_geofence *g = engine(0);
	int f = circle(g, "home", FZ_FENCE_INSIDE, 200, 300, 20, 22 * 60, 6 * 60);
	int s = subject(g, LOCAL_MIDNIGHT, f);
	struct log l = { .n = 0 };
	int64_t t;

	(void)state;
	/* out in town from 20:00 to 22:40 local, a ping every 5 minutes */
	for (t = LOCAL_MIDNIGHT + 20 * HOUR_MS; t < LOCAL_MIDNIGHT + 22 * HOUR_MS; t += 5 * MIN_MS)
		fz_geofence_ping(g, s, t, east(3000), HOME[1], 0, record, &l);
	assert_int_equal(l.n, 0); /* no curfew yet */
	for (; t <= LOCAL_MIDNIGHT + 22 * HOUR_MS + 40 * MIN_MS; t += 5 * MIN_MS)
		fz_geofence_ping(g, s, t, east(3000), HOME[1], 0, record, &l);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.e[0].kind, FZ_FENCE_OUT_OF_AREA);
	/* the dwell counts from 22:00, not from when the person left home */
	assert_int_equal(l.e[0].at, LOCAL_MIDNIGHT + 22 * HOUR_MS + 5 * MIN_MS);
	/* home at 23:00: enter; the episode is over */
	for (t = LOCAL_MIDNIGHT + 23 * HOUR_MS; t < LOCAL_MIDNIGHT + 23 * HOUR_MS + 10 * MIN_MS;
	     t += 5 * MIN_MS)
		fz_geofence_ping(g, s, t, HOME[0], HOME[1], 0, record, &l);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.e[1].kind, FZ_FENCE_ENTER);
	/* leaving at 06:30 the next morning is allowed */
	for (t = LOCAL_MIDNIGHT + 30 * HOUR_MS + 30 * MIN_MS; t < LOCAL_MIDNIGHT + 32 * HOUR_MS;
	     t += 5 * MIN_MS)
		fz_geofence_ping(g, s, t, east(3000), HOME[1], 0, record, &l);
	assert_int_equal(l.n, 2);
	fz_geofence_free(g);
}

static void silence_raises_lost_contact_once(void **state)
{
	struct fz_geofence *g = engine(15 * MIN_MS);
	int f = circle(g, "c", FZ_FENCE_INSIDE, 1000, 0, 0, 0, 0);
	int s = subject(g, LOCAL_MIDNIGHT, f), never = subject(g, LOCAL_MIDNIGHT, f);
	struct log l = { .n = 0 };
	int64_t t = LOCAL_MIDNIGHT + HOUR_MS;

	(void)state;
	fz_geofence_tick(g, LOCAL_MIDNIGHT + 14 * MIN_MS, record, &l);
	assert_int_equal(l.n, 0);
	fz_geofence_ping(g, s, LOCAL_MIDNIGHT + 10 * MIN_MS, HOME[0], HOME[1], 0, record, &l);
	fz_geofence_tick(g, LOCAL_MIDNIGHT + 15 * MIN_MS, record, &l);
	assert_int_equal(l.n, 1); /* the one that never pinged, since it was monitored */
	assert_int_equal(l.e[0].subject, never);
	assert_int_equal(l.e[0].kind, FZ_FENCE_LOST_CONTACT);
	fz_geofence_tick(g, LOCAL_MIDNIGHT + 24 * MIN_MS, record, &l);
	assert_int_equal(l.n, 1);
	fz_geofence_tick(g, LOCAL_MIDNIGHT + 25 * MIN_MS, record, &l);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.e[1].subject, s);
	assert_int_equal(l.e[1].since, LOCAL_MIDNIGHT + 10 * MIN_MS);
	fz_geofence_tick(g, t, record, &l);
	assert_int_equal(l.n, 2); /* once until the next ping */
	fz_geofence_ping(g, s, t, HOME[0], HOME[1], 0, record, &l);
	fz_geofence_tick(g, t + 15 * MIN_MS, record, &l);
	assert_int_equal(l.n, 3);
	fz_geofence_free(g);
}

static void old_and_replayed_pings_change_nothing(void **state)
{
	struct fz_geofence *g = engine(0);
	int f = circle(g, "c", FZ_FENCE_INSIDE, 1000, 0, 0, 0, 0);
	int s = subject(g, LOCAL_MIDNIGHT, f);
	struct log l = { .n = 0 };
	int64_t t = LOCAL_MIDNIGHT + HOUR_MS;

	(void)state;
	assert_int_equal(fz_geofence_ping(g, s, t, HOME[0], HOME[1], 0, record, &l), 0);
	/* an old ping from far away, and a replay of the last one: ignored */
	assert_int_equal(fz_geofence_ping(g, s, t - 1000, east(5000), HOME[1], 0, record, &l),
			 FZ_GEOFENCE_STALE);
	assert_int_equal(fz_geofence_ping(g, s, t, east(5000), HOME[1], 0, record, &l),
			 FZ_GEOFENCE_STALE);
	assert_int_equal(l.n, 0);
	assert_int_equal(fz_geofence_side(g, s, f), 1);
	assert_int_equal(fz_geofence_last_ping(g, s), t);
	/* bad coordinates and unknown subjects: refused, nothing changes */
	assert_int_equal(fz_geofence_ping(g, s, t + 1, NAN, HOME[1], 0, record, &l), FZ_EINVAL);
	assert_int_equal(fz_geofence_ping(g, s, t + 1, 181, HOME[1], 0, record, &l), FZ_EINVAL);
	assert_int_equal(fz_geofence_ping(g, 99, t + 1, HOME[0], HOME[1], 0, record, &l),
			 FZ_EINVAL);
	assert_int_equal(fz_geofence_last_ping(g, s), t);
	/* a newer one is evaluated */
	assert_int_equal(fz_geofence_ping(g, s, t + 1, east(5000), HOME[1], 0, record, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(fz_geofence_side(g, s, f), 0);
	fz_geofence_free(g);
}

static void entering_a_prohibited_place(void **state)
{
	struct fz_geofence *g = engine(0);
	int f = circle(g, "bar", FZ_FENCE_OUTSIDE, 100, 30, 10, 0, 0);
	int s = subject(g, LOCAL_MIDNIGHT, f);
	struct log l = { .n = 0 };
	int64_t t = LOCAL_MIDNIGHT;

	(void)state;
	for (int i = 0; i < 5; i++, t += 10000)
		fz_geofence_ping(g, s, t, east(500), HOME[1], 0, record, &l);
	assert_int_equal(l.n, 0);
	for (int i = 0; i < 5; i++, t += 10000)
		fz_geofence_ping(g, s, t, east(20), HOME[1], 0, record, &l);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.e[0].kind, FZ_FENCE_ENTER);
	assert_int_equal(l.e[1].kind, FZ_FENCE_OUT_OF_AREA);
	for (int i = 0; i < 5; i++, t += 10000)
		fz_geofence_ping(g, s, t, east(500), HOME[1], 0, record, &l);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.e[2].kind, FZ_FENCE_EXIT);
	fz_geofence_free(g);
}

#define SQUARE(x0, y0, x1, y1)                                                                     \
	"{\"type\":\"Feature\",\"properties\":{\"code\":\"330702\"},\"geometry\":{\"type\":"       \
	"\"Polygon\",\"coordinates\":[[[" #x0 "," #y0 "],[" #x1 "," #y0 "],[" #x1 "," #y1          \
	"],[" #x0 "," #y1 "],[" #x0 "," #y0 "]]]}}"

static void polygon_fences_and_leave(void **state)
{
	struct fz_polygon_set *county = parse_ok(SQUARE(119.5, 29.0, 119.8, 29.2), 0);
	struct fz_fence_def d = { "county", FZ_FENCE_INSIDE, 0, 0, 0, &county->items[0], 0, 0, 60,
				  50 };
	struct fz_geofence *g = engine(0);
	struct log l = { .n = 0 };
	struct fz_err err;
	int f = -1, hz, s;
	int64_t t = LOCAL_MIDNIGHT;

	(void)state;
	fz_err_init(&err);
	assert_int_equal(fz_geofence_add_fence(g, &d, &f, &err), 0);
	s = subject(g, LOCAL_MIDNIGHT, f);
	assert_true(fz_geofence_contains(g, f, 119.65, 29.1));
	assert_false(fz_geofence_contains(g, f, 119.9, 29.1));
	/* 30 m past the east edge (inside the 50 m margin): jitter */
	for (int i = 0; i < 20; i++, t += 10000)
		fz_geofence_ping(g, s, t, i % 2 ? 119.8003 : 119.7997, 29.1, 0, record, &l);
	assert_int_equal(l.n, 0);
	/* leave to Hangzhou for the afternoon: out there raises nothing */
	hz = circle(g, "hangzhou", FZ_FENCE_INSIDE, 20000, 0, 0, 0, 0);
	fz_geofence_free(g); /* the destination must be away from HOME: build afresh */
	g = engine(0);
	assert_int_equal(fz_geofence_add_fence(g, &d, &f, &err), 0);
	{
		struct fz_fence_def h = {
			"hangzhou", FZ_FENCE_INSIDE, 120.155, 30.274, 20000, NULL, 0, 0, 0, 0
		};
		assert_int_equal(fz_geofence_add_fence(g, &h, &hz, &err), 0);
	}
	s = subject(g, LOCAL_MIDNIGHT, f);
	t = LOCAL_MIDNIGHT + 12 * HOUR_MS;
	assert_int_equal(fz_geofence_leave(g, s, t, t + 4 * HOUR_MS, hz, &err), 0);
	for (int i = 0; i < 30; i++, t += 5 * MIN_MS)
		fz_geofence_ping(g, s, t, 120.16, 30.27, 0, record, &l);
	assert_int_equal(l.n, 0);
	/* a detour outside the destination during the leave is out of area */
	for (int i = 0; i < 5; i++, t += 1 * MIN_MS)
		fz_geofence_ping(g, s, t, 121.5, 31.2, 0, record, &l);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.e[1].kind, FZ_FENCE_OUT_OF_AREA);
	/* bad leave */
	fz_err_init(&err);
	assert_int_equal(fz_geofence_leave(g, s, t, t, hz, &err), FZ_EINVAL);
	assert_string_equal(err.field, "to");
	fz_geofence_free(g);
	fz_polygon_set_free(county);
}

static void bad_definitions_are_refused_naming_the_field(void **state)
{
	struct fz_geofence *g = engine(0);
	struct {
		struct fz_fence_def d;
		const char *field;
	} bad[] = {
		{ { "a", FZ_FENCE_INSIDE, HOME[0], HOME[1], 0, NULL, 0, 0, 0, 0 }, "radius_m" },
		{ { "a", FZ_FENCE_INSIDE, HOME[0], HOME[1], NAN, NULL, 0, 0, 0, 0 }, "radius_m" },
		{ { "a", FZ_FENCE_INSIDE, 200, HOME[1], 10, NULL, 0, 0, 0, 0 }, "center" },
		{ { "a", FZ_FENCE_INSIDE, HOME[0], HOME[1], 10, NULL, 1440, 0, 0, 0 }, "window" },
		{ { "a", FZ_FENCE_INSIDE, HOME[0], HOME[1], 10, NULL, 0, 0, -1, 0 }, "dwell_s" },
		{ { "a", FZ_FENCE_INSIDE, HOME[0], HOME[1], 10, NULL, 0, 0, 0, 1e9 }, "margin_m" },
		{ { "", FZ_FENCE_INSIDE, HOME[0], HOME[1], 10, NULL, 0, 0, 0, 0 }, "id" },
		{ { "a", (enum fz_fence_kind)7, HOME[0], HOME[1], 10, NULL, 0, 0, 0, 0 }, "kind" },
	};
	struct fz_err err;
	int i, s;

	(void)state;
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		fz_err_init(&err);
		assert_int_equal(fz_geofence_add_fence(g, &bad[k].d, &i, &err), FZ_EINVAL);
		assert_string_equal(err.field, bad[k].field);
	}
	i = circle(g, "a", FZ_FENCE_INSIDE, 10, 0, 0, 0, 0);
	fz_err_init(&err);
	assert_int_equal(
		fz_geofence_add_fence(g,
				      &(struct fz_fence_def){ "a", FZ_FENCE_INSIDE, HOME[0],
							      HOME[1], 10, NULL, 0, 0, 0, 0 },
				      &i, &err),
		FZ_ECONFLICT);
	s = subject(g, 0, 0);
	for (int k = 1; k < FZ_GEOFENCE_MAX_ATTACH; k++)
		assert_int_equal(fz_geofence_attach(g, s, 0, &err), 0);
	assert_int_equal(fz_geofence_attach(g, s, 0, &err), FZ_ETOOBIG);
	assert_int_equal(fz_geofence_attach(g, s, 5, &err), FZ_EINVAL);
	fz_geofence_free(g);
}

static void definitions_read_from_json(void **state)
{
	static const struct {
		const char *json;
		int rc;
		const char *field;
	} cases[] = {
		{ "{\"id\":\"home\",\"kind\":\"inside\",\"circle\":{\"center\":[119.65,29.08],"
		  "\"radius_m\":200},\"window\":\"22:00-06:00\",\"dwell_s\":300,\"margin_m\":20}",
		  0, NULL },
		{ "{\"id\":\"county\",\"kind\":\"inside\",\"polygon\":{\"type\":\"Polygon\","
		  "\"coordinates\":[[[119,29],[120,29],[120,30],[119,30],[119,29]]]}}",
		  0, NULL },
		{ "{\"id\":\"x\",\"kind\":\"inside\",\"polygon\":{\"type\":\"Polygon\","
		  "\"coordinates\":[[[119,29],[120,30],[120,29],[119,30],[119,29]]]}}",
		  FZ_EINVAL, "polygon/coordinates/0" },
		{ "{\"id\":\"x\",\"kind\":\"inside\",\"polygon\":{\"type\":\"Polygon\","
		  "\"coordinates\":[[[119,29],[120,29],[120,30],[119,30]]]}}",
		  FZ_EINVAL, NULL },
		{ "{\"id\":\"x\",\"kind\":\"near\",\"circle\":{\"center\":[1,2],\"radius_m\":5}}",
		  FZ_EINVAL, "kind" },
		{ "{\"id\":\"x\",\"kind\":\"inside\"}", FZ_EINVAL, "circle" },
		{ "{\"id\":\"x\",\"kind\":\"inside\",\"circle\":{\"center\":[1],\"radius_m\":5}}",
		  FZ_EINVAL, "circle/center" },
		{ "{\"id\":\"x\",\"kind\":\"inside\",\"circle\":{\"center\":[1,2],\"radius_m\":0}}",
		  FZ_EINVAL, "radius_m" },
		{ "{\"id\":\"x\",\"kind\":\"inside\",\"circle\":{\"center\":[1,2],\"radius_m\":5},"
		  "\"window\":\"25:00-06:00\"}",
		  FZ_EINVAL, "window" },
		{ "{\"id\":\"x\",\"kind\":\"inside\",\"circle\":{\"center\":[1,2],\"radius_m\":5},"
		  "\"dwell_s\":-3}",
		  FZ_EINVAL, "dwell_s" },
		/* an empty first ring (found by fuzzing: it left the positions unallocated) */
		{ "{\"id\":\"x\",\"kind\":\"inside\",\"polygon\":{\"type\":\"Polygon\","
		  "\"coordinates\":[[]]}}",
		  FZ_EINVAL, "polygon/coordinates/0" },
		{ "[1,2]", FZ_EINVAL, NULL },
		{ "{\"id\":", FZ_EINVAL, NULL },
	};
	struct fz_geofence *g = engine(0);

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fz_fence_def d;
		struct fz_fence_json *own = NULL;
		struct fz_err err;
		int rc, f;
		fz_err_init(&err);
		rc = fz_fence_json_parse(cases[i].json, strlen(cases[i].json), &d, &own, &err);
		if (rc != cases[i].rc)
			fail_msg("case %zu: %d (%s)", i, rc, err.msg);
		if (cases[i].field && strncmp(err.field, cases[i].field, strlen(cases[i].field)))
			fail_msg("case %zu: field %s, expected %s", i, err.field, cases[i].field);
		if (!rc) {
			fz_err_init(&err);
			assert_int_equal(fz_geofence_add_fence(g, &d, &f, &err), 0);
		}
		fz_fence_json_free(own);
	}
	assert_int_equal(fz_geofence_find_fence(g, "county"), 1);
	assert_true(fz_geofence_contains(g, 1, 119.5, 29.5));
	assert_true(fz_geofence_contains(g, 0, 119.65, 29.0805));
	fz_geofence_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(jitter_at_an_edge_raises_nothing),
		cmocka_unit_test(jitter_across_the_edge_is_debounced_by_dwell),
		cmocka_unit_test(curfew_starts_at_22_local),
		cmocka_unit_test(silence_raises_lost_contact_once),
		cmocka_unit_test(old_and_replayed_pings_change_nothing),
		cmocka_unit_test(entering_a_prohibited_place),
		cmocka_unit_test(polygon_fences_and_leave),
		cmocka_unit_test(bad_definitions_are_refused_naming_the_field),
		cmocka_unit_test(definitions_read_from_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

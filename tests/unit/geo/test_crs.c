/* Unit tests of geo/crs: GCJ-02 <-> WGS-84 and the crs parameter. */
#include "support.h"

#include "core/err.h"
#include "geo/crs.h"

#include <math.h>
#include <string.h>

/*
 * The forward formula against the figures every implementation publishes
 * (e.g. wandergis/coordTransform: wgs84togcj02(116.404, 39.915)).
 */
static void forward_matches_the_public_formula(void **state)
{
	double lon, lat;

	(void)state;
	fz_geo_wgs84_to_gcj02(116.404, 39.915, &lon, &lat);
	assert_true(fabs(lon - 116.41024449916938) < 1e-11);
	assert_true(fabs(lat - 39.91640428150164) < 1e-11);
	/* in Jinhua the offset is some 450 m east and 280 m south */
	fz_geo_wgs84_to_gcj02(119.65, 29.08, &lon, &lat);
	assert_true(lon - 119.65 > 0.004 && lon - 119.65 < 0.006);
	assert_true(lat - 29.08 < -0.002 && lat - 29.08 > -0.004);
}

/* The inverse undoes the forward formula to 1e-9 degree (0.1 mm) over the whole city. */
static void inverse_round_trips(void **state)
{
	double worst = 0;

	(void)state;
	for (double x = 119.2; x <= 120.8; x += 0.01)
		for (double y = 28.5; y <= 29.7; y += 0.01) {
			double gx, gy, wx, wy;
			fz_geo_wgs84_to_gcj02(x, y, &gx, &gy);
			fz_geo_gcj02_to_wgs84(gx, gy, &wx, &wy);
			worst = fmax(worst, fmax(fabs(wx - x), fabs(wy - y)));
		}
	assert_true(worst < 1e-9);
}

static void no_offset_outside_china(void **state)
{
	double lon, lat;

	(void)state;
	fz_geo_wgs84_to_gcj02(2.35, 48.85, &lon, &lat); /* Paris */
	assert_true(lon == 2.35 && lat == 48.85);
	fz_geo_gcj02_to_wgs84(-74.0, 40.7, &lon, &lat);
	assert_true(lon == -74.0 && lat == 40.7);
}

static void crs_names(void **state)
{
	enum fz_geo_crs c = FZ_GEO_GCJ02;
	struct fz_err err;

	(void)state;
	fz_err_init(&err);
	assert_int_equal(fz_geo_crs_parse(NULL, "crs", &c, &err), 0);
	assert_int_equal(c, FZ_GEO_WGS84);
	assert_int_equal(fz_geo_crs_parse("gcj02", "crs", &c, &err), 0);
	assert_int_equal(c, FZ_GEO_GCJ02);
	assert_int_equal(fz_geo_crs_parse("wgs84", "crs", &c, &err), 0);
	assert_int_equal(c, FZ_GEO_WGS84);
	assert_int_equal(fz_geo_crs_parse("bd09", "crs", &c, &err), FZ_EINVAL);
	assert_string_equal(err.field, "crs");
	assert_non_null(strstr(err.msg, "bd09"));
	assert_non_null(strstr(err.msg, "wgs84 或 gcj02"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(forward_matches_the_public_formula),
		cmocka_unit_test(inverse_round_trips),
		cmocka_unit_test(no_offset_outside_china),
		cmocka_unit_test(crs_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

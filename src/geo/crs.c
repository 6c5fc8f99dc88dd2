#include "geo/crs.h"

#include "core/err.h"

#include <math.h>
#include <string.h>

/* Krasovsky 1940, the ellipsoid the GCJ-02 formula uses */
#define A  6378245.0
#define EE 0.00669342162296594323

int fz_geo_crs_parse(const char *s, const char *field, enum fz_geo_crs *out, struct fz_err *err)
{
	if (!s || !s[0] || strcmp(s, "wgs84") == 0)
		*out = FZ_GEO_WGS84;
	else if (strcmp(s, "gcj02") == 0)
		*out = FZ_GEO_GCJ02;
	else
		return fz_err_set(err, FZ_EINVAL, NULL, field,
				  "%s: “%.20s”无效，应为 wgs84 或 gcj02", field, s);
	return 0;
}

static int outside_china(double lon, double lat)
{
	return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

static double shift_lat(double x, double y)
{
	double r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(fabs(x));

	r += (20.0 * sin(6.0 * x * M_PI) + 20.0 * sin(2.0 * x * M_PI)) * 2.0 / 3.0;
	r += (20.0 * sin(y * M_PI) + 40.0 * sin(y / 3.0 * M_PI)) * 2.0 / 3.0;
	r += (160.0 * sin(y / 12.0 * M_PI) + 320.0 * sin(y * M_PI / 30.0)) * 2.0 / 3.0;
	return r;
}

static double shift_lon(double x, double y)
{
	double r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(fabs(x));

	r += (20.0 * sin(6.0 * x * M_PI) + 20.0 * sin(2.0 * x * M_PI)) * 2.0 / 3.0;
	r += (20.0 * sin(x * M_PI) + 40.0 * sin(x / 3.0 * M_PI)) * 2.0 / 3.0;
	r += (150.0 * sin(x / 12.0 * M_PI) + 300.0 * sin(x / 30.0 * M_PI)) * 2.0 / 3.0;
	return r;
}

void fz_geo_wgs84_to_gcj02(double lon, double lat, double *glon, double *glat)
{
	double dlat, dlon, rad, magic, sq;

	if (outside_china(lon, lat)) {
		*glon = lon;
		*glat = lat;
		return;
	}
	dlat = shift_lat(lon - 105.0, lat - 35.0);
	dlon = shift_lon(lon - 105.0, lat - 35.0);
	rad = lat / 180.0 * M_PI;
	magic = sin(rad);
	magic = 1 - EE * magic * magic;
	sq = sqrt(magic);
	dlat = (dlat * 180.0) / ((A * (1 - EE)) / (magic * sq) * M_PI);
	dlon = (dlon * 180.0) / (A / sq * cos(rad) * M_PI);
	*glon = lon + dlon;
	*glat = lat + dlat;
}

void fz_geo_gcj02_to_wgs84(double glon, double glat, double *lon, double *lat)
{
	double x = glon, y = glat, fx, fy;

	for (int i = 0; i < 20; i++) {
		fz_geo_wgs84_to_gcj02(x, y, &fx, &fy);
		if (fabs(fx - glon) < 1e-10 && fabs(fy - glat) < 1e-10)
			break;
		x += glon - fx;
		y += glat - fy;
	}
	*lon = x;
	*lat = y;
}

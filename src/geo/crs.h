/*
 * crs: the coordinate systems fazhi accepts. Positions are stored and
 * located in WGS-84 (what GPS gives); most Chinese web maps (AutoNavi/Gaode,
 * Tencent) give GCJ-02, WGS-84 shifted by the public "Mars" offset formula
 * (a few hundred metres in Jinhua), so a source or a request may say
 * crs=gcj02 and fazhi converts. The offset is zero outside China's rough
 * bounding box (72.004..137.8347 E, 0.8293..55.8271 N), as in every common
 * implementation. Pure functions; any thread.
 */
#ifndef FZ_GEO_CRS_H
#define FZ_GEO_CRS_H

struct fz_err;

enum fz_geo_crs {
	FZ_GEO_WGS84 = 0,
	FZ_GEO_GCJ02,
};

/*
 * "wgs84" or "gcj02" (NULL or "" means wgs84) into *out. 0, or FZ_EINVAL
 * naming field.
 */
int fz_geo_crs_parse(const char *s, const char *field, enum fz_geo_crs *out /* OUT */,
		     struct fz_err *err);

/* The forward formula: WGS-84 -> GCJ-02. */
void fz_geo_wgs84_to_gcj02(double lon, double lat, double *glon /* OUT */, double *glat /* OUT */);

/*
 * GCJ-02 -> WGS-84: the inverse of the formula above by fixed-point
 * iteration (the offset varies slowly, so each step gains about three
 * orders of magnitude), until the forward image is within 1e-10 degree
 * (about 0.01 mm) of the input, at most 20 steps.
 */
void fz_geo_gcj02_to_wgs84(double glon, double glat, double *lon /* OUT */, double *lat /* OUT */);

#endif

/*
 * polygon: the reader of region polygons in GeoJSON (RFC 7946), and the
 * even-odd point-in-polygon test that defines what "inside" means in fazhi.
 *
 * Input is a FeatureCollection (or one Feature) whose features have a
 * Polygon or MultiPolygon geometry of rings of [lon, lat] WGS-84 positions
 * (a third member, the altitude, is ignored) and a string property `code`,
 * unique in the collection (`name` is kept when present). Every size is
 * limited (struct fz_polygon_limits: bytes, JSON nesting, features, rings,
 * points, points per ring; at most 50 000 000 edge pairs compared by the
 * self-intersection check), and every ring is checked: positions are
 * numbers within -180..180 / -90..90, a ring has at least 4 positions and
 * ends where it starts, and it does not cross or touch itself (two edges
 * that meet anywhere except at the vertex they share, or that fold back on
 * each other). Repeated consecutive positions are allowed and skipped.
 * Errors name the feature by its code and the position by its JSON pointer
 * (/features/3/geometry/coordinates/0/17). Ring orientation is not checked.
 *
 * Inside is the even-odd rule over all rings of a feature: outer rings,
 * holes and the parts of a MultiPolygon alike (so a hole cuts out what it
 * covers; parts are expected not to overlap, which is not checked). A point
 * exactly on an edge or a vertex is decided as if it lay an infinitesimal
 * step east, then north (p + (e, e^2)): a point on an edge shared by two
 * features belongs to exactly one of them, the one east of the edge (north
 * of a horizontal edge). The predicate is exact: a filtered floating-point
 * orientation with an exact expansion fallback (Shewchuk), so every
 * caller (the locator, the tests' brute force) gets the same answers.
 * Exactness needs the products of coordinate differences to stay normal
 * numbers, so coordinates (of polygons and of points alike) smaller in
 * magnitude than 1e-100 degree are taken as 0 (fz_polygon_snap()).
 *
 * A parsed set is immutable and may be read by any thread; the parser owns
 * nothing global.
 */
#ifndef FZ_GEO_POLYGON_H
#define FZ_GEO_POLYGON_H

#include <stddef.h>

struct fz_err;

struct fz_polygon_limits {
	size_t max_bytes;	/* GeoJSON text */
	int max_depth;		/* JSON nesting */
	size_t max_features;	/* in the collection */
	size_t max_rings;	/* per feature, all parts together */
	size_t max_points;	/* in the whole collection */
	size_t max_ring_points; /* per ring; bounds the self-intersection check */
};

/* 16 MiB, depth 16, 10 000 features, 10 000 rings, 1 000 000 points, 200 000 per ring. */
extern const struct fz_polygon_limits fz_polygon_default_limits;

/* Flags of fz_polygon_set_parse(). */
enum {
	/*
	 * Count self-intersections instead of refusing them (the count and the
	 * first one go into the set). For trusted data whose rings are already
	 * known to self-touch, such as the npm package's district boundaries,
	 * quantised to 1/1024 degree (docs/internals/geo.md); the even-odd rule
	 * still gives every point one answer.
	 */
	FZ_POLYGON_TOLERATE_SELF_INTERSECTIONS = 1,
};

struct fz_ring {
	const double *xy; /* 2n doubles, lon then lat; the last position equals the first */
	size_t n;
	int part; /* index of its polygon in a MultiPolygon, 0 for a Polygon */
	int hole; /* 1 for an inner ring of its polygon */
};

struct fz_polygon { /* one feature */
	char code[32];
	char name[96];	       /* "" when the feature has none */
	struct fz_ring *rings; /* in document order */
	size_t nrings;
	int nparts;
	double bbox[4]; /* min lon, min lat, max lon, max lat */
};

struct fz_polygon_set {
	struct fz_polygon *items; /* in document order */
	size_t n;
	size_t npoints;
	double bbox[4]; /* of every feature; all zero when n == 0 */
	/* with FZ_POLYGON_TOLERATE_SELF_INTERSECTIONS: how many were found, and the first */
	size_t self_intersections;
	char first_self_intersection[384];
};

/*
 * Parses len bytes of GeoJSON (need not be NUL-terminated). lim NULL means
 * the defaults. Returns 0 with *out set (caller frees with
 * fz_polygon_set_free()), FZ_EINVAL for bad input, FZ_ETOOBIG past a limit
 * or FZ_ENOMEM, with err naming the JSON pointer.
 */
int fz_polygon_set_parse(const char *text, size_t len, const struct fz_polygon_limits *lim,
			 unsigned flags, struct fz_polygon_set **out /* OUT */, struct fz_err *err);
void fz_polygon_set_free(struct fz_polygon_set *s);

/* The feature whose code is code, NULL if none. Borrowed from the set. */
const struct fz_polygon *fz_polygon_set_find(const struct fz_polygon_set *s, const char *code);

/*
 * 1 when (lon, lat) (snapped) is inside p by the even-odd rule and the edge
 * convention above, testing every edge (the reference the locator is
 * checked against). Cannot fail.
 */
int fz_polygon_contains(const struct fz_polygon *p, double lon, double lat);

/*
 * The sign of the orientation of c relative to the line a -> b: +1 when c
 * is to the left, -1 to the right, 0 on the line. Exact for any finite
 * doubles whose differences and products neither overflow nor underflow.
 */
int fz_polygon_orient(double ax, double ay, double bx, double by, double cx, double cy);
/* The exact fallback of fz_polygon_crosses(); call that instead. */
int fz_polygon_orient_exact(double ax, double ay, double bx, double by, double cx, double cy);

/* v, or 0 when |v| < 1e-100: see the paragraph on exactness above. */
static inline double fz_polygon_snap(double v)
{
	return v > -1e-100 && v < 1e-100 ? 0 : v;
}

/*
 * Whether the ray from (x, y) towards east crosses the edge from (ax, ay)
 * up to (bx, by), which must have ay < by: ay <= y < by and (x, y)
 * strictly left of the edge. The even-odd count of these over every edge
 * is the inside test; inline, so that the locator's loop stays tight.
 */
static inline int fz_polygon_crosses(double ax, double ay, double bx, double by, double x, double y)
{
	double l, r, det, bound;

	if (!(ay <= y && y < by))
		return 0;
	l = (bx - ax) * (y - ay);
	r = (x - ax) * (by - ay);
	det = l - r;
	/* Shewchuk's ccwerrboundA: beyond it the sign of det is certain */
	bound = 3.3306690738754716e-16 * ((l < 0 ? -l : l) + (r < 0 ? -r : r));
	if (det > bound)
		return 1;
	if (-det > bound)
		return 0;
	return fz_polygon_orient_exact(ax, ay, bx, by, x, y) > 0;
}

#endif

/*
 * locator: point -> region, the spatial index of a set of region polygons
 * (today the 9 district boundaries of Jinhua, from the store).
 *
 * A uniform grid over the polygons' bounding box, its cells roughly
 * square, about 4 per edge by default (which keeps Jinhua's grid in a few
 * MB of cache). A cell that no boundary crosses answers at once: outside
 * everything, or wholly inside one feature. A cell that boundaries cross
 * lists, in priority order, the candidate features, and for each the edges
 * an eastward ray from a point of the cell can meet, except those that span
 * the cell's row wholly east of it: every such ray crosses them, so their
 * parity is folded into one bit when the index is built. The answer is
 * therefore exactly fz_polygon_contains() (even-odd, with its edge
 * convention) over every edge; tests check the two agree.
 *
 * Where features overlap (independently drawn neighbours may), the
 * feature with the smallest code wins. Points are WGS-84
 * [lon, lat]; convert GCJ-02 first (geo/crs.h).
 *
 * Built once by one thread, then immutable: any number of threads may call
 * fz_locator_find() without locks. A reload would build a new locator and
 * swap the pointer.
 */
#ifndef FZ_GEO_LOCATOR_H
#define FZ_GEO_LOCATOR_H

#include <stddef.h>

struct fz_err;
struct fz_polygon_set;
struct fz_store;

struct fz_locator;

struct fz_locator_stats {
	size_t features;
	unsigned nx, ny;	   /* grid */
	size_t mixed_cells;	   /* cells a boundary crosses */
	size_t candidates;	   /* (cell, feature) pairs that need a test */
	size_t segments;	   /* edges stored for those tests */
	size_t bytes;		   /* memory of the index */
	size_t self_intersections; /* tolerated in the source polygons (fz_locator_load) */
	double bbox[4];		   /* min lon, min lat, max lon, max lat */
};

/*
 * Builds the index of every feature of set (which may be freed afterwards).
 * cells is the number of grid cells to aim for, 0 for the default. Returns
 * 0 with *out set (caller frees with fz_locator_free()) or FZ_EINVAL (no
 * features) / FZ_ENOMEM with err set.
 */
int fz_locator_build(const struct fz_polygon_set *set, size_t cells,
		     struct fz_locator **out /* OUT */, struct fz_err *err);

/*
 * Reads the stored boundaries of the children of region (GeoJSON, property
 * code) and builds their index. The stored boundaries come from the npm
 * package, whose quantised rings touch themselves: they are read with
 * FZ_POLYGON_TOLERATE_SELF_INTERSECTIONS and the count is in the stats.
 * Errors as fz_store_boundary_get(), fz_polygon_set_parse() and
 * fz_locator_build(). Caller frees with fz_locator_free().
 */
int fz_locator_load(struct fz_store *store, const char *region, struct fz_locator **out /* OUT */,
		    struct fz_err *err);

void fz_locator_free(struct fz_locator *l);

/*
 * The feature containing (lon, lat): its index in priority (code) order,
 * or -1 when none does or the numbers are not finite. Cannot fail.
 */
int fz_locator_find_index(const struct fz_locator *l, double lon, double lat);

/* The code of the feature containing (lon, lat), NULL outside. Borrowed for l's life. */
const char *fz_locator_find(const struct fz_locator *l, double lon, double lat);

/* The code of the i-th feature in priority order (0 <= i < stats.features). */
const char *fz_locator_code(const struct fz_locator *l, size_t i);

void fz_locator_stats(const struct fz_locator *l, struct fz_locator_stats *out /* OUT */);

#endif

/*
 * atlas: every boundary fazhi locates with, as one immutable snapshot: the
 * real district boundaries of Jinhua (from the store, the npm package),
 * generated township and village/community cells (geo/cells.h) and the
 * real boundaries an administrator uploaded, which replace generated ones.
 *
 * Generated cells are made when the atlas is built (at start and after
 * every upload), deterministically from a fixed seed, and never stored:
 * the same region tree and uploads give the same cells. A township's
 * villages are generated inside its current polygon (uploaded or
 * generated); a district's generated townships are the Voronoi cells of the
 * townships not uploaded, over the whole district.
 *
 * Locating (fz_atlas_locate): district by the district index; then, where
 * an uploaded village contains the point (and lies in that district), that
 * village and its township; otherwise an uploaded township containing it,
 * else the generated township cell; then the township's village (generated
 * cells). Where float rounding leaves a point of a district in no generated
 * cell (a gap thinner than 1e-12 degree), the nearest generated centre among
 * the parent's children answers, so every point of a district has a
 * township, and every point of a township with villages has a village.
 * Uploaded polygons win over generated ones where they overlap.
 *
 * Publishing: the atlas is reference-counted; struct fz_atlas_slot holds
 * the current one and swaps it under a mutex. Readers take a reference
 * (fz_atlas_slot_get), use it without locks and drop it (fz_atlas_unref);
 * the last reference frees it.
 */
#ifndef FZ_GEO_ATLAS_H
#define FZ_GEO_ATLAS_H

#include <pthread.h>
#include <stddef.h>

struct fz_buf;
struct fz_err;
struct fz_polygon;
struct fz_polygon_set;
struct fz_region_node;
struct fz_region_tree;
struct fz_store;

struct fz_atlas;

struct fz_geo_place {
	const struct fz_region_node *district, *township, *village; /* NULL: none */
	int township_generated, village_generated;		    /* 1: by a generated cell */
};

struct fz_atlas_stats {
	size_t districts, townships_generated, townships_uploaded, villages_generated,
		villages_uploaded;
	size_t bytes; /* of the indexes */
	double build_ms;
};

/*
 * Builds an atlas for the children of root (330700) in tree: districts is
 * the parsed district collection (borrowed, may be freed after), uploads the
 * uploaded township and village boundaries (may be NULL). Regions of the
 * tree without a polygon are skipped. The tree must outlive the atlas.
 * 0, or FZ_ENOMEM / FZ_EINVAL with err set. Caller drops with fz_atlas_unref().
 */
int fz_atlas_build(const struct fz_region_tree *tree, const char *root,
		   const struct fz_polygon_set *districts, const struct fz_polygon_set *uploads,
		   struct fz_atlas **out /* OUT */, struct fz_err *err);

/* Reads districts and uploads from the store, then fz_atlas_build(). */
int fz_atlas_load(struct fz_store *store, const struct fz_region_tree *tree, const char *root,
		  struct fz_atlas **out /* OUT */, struct fz_err *err);

struct fz_atlas *fz_atlas_ref(struct fz_atlas *a);
void fz_atlas_unref(struct fz_atlas *a);

/* The regions of (lon, lat) at every level; all NULL outside. Cannot fail. */
void fz_atlas_locate(const struct fz_atlas *a, double lon, double lat,
		     struct fz_geo_place *out /* OUT */);

/* The district only, as fast as the district index allows (-1 outside). */
const char *fz_atlas_district(const struct fz_atlas *a, double lon, double lat);

/*
 * The current polygon of region code (district, township or village), with
 * *generated set; NULL when there is none. Borrowed for the atlas's life.
 */
const struct fz_polygon *fz_atlas_polygon(const struct fz_atlas *a, const char *code,
					  int *generated /* OUT, may be NULL */);

/*
 * Appends to b a GeoJSON FeatureCollection of the polygons of code's
 * children (properties code, name, level, generated), positions rounded
 * to 1e-6 degree. FZ_ENOTFOUND when code has no children with polygons,
 * FZ_ENOMEM.
 */
int fz_atlas_children_geojson(const struct fz_atlas *a, const char *code, struct fz_buf *b);

/*
 * Appends p as a GeoJSON Feature of region n (properties code, name, level,
 * generated), one Polygon with every ring. Positions at 1e-6 degree, or
 * exact (shortest round-trip) when exact. 0 or FZ_ENOMEM.
 */
int fz_atlas_feature_json(struct fz_buf *b, const struct fz_region_node *n,
			  const struct fz_polygon *p, int generated, int exact);

void fz_atlas_stats(const struct fz_atlas *a, struct fz_atlas_stats *out /* OUT */);

/* The index of the generated townships (for the benchmark), borrowed. */
const struct fz_polygon_set *fz_atlas_generated_townships(const struct fz_atlas *a);

/*
 * Checks that the uploaded polygon p (strictly parsed) may replace the
 * boundary of region code: code is a township or village of the tree under
 * root, and every vertex of p lies inside its parent (the district for a
 * township; for a village its township when that is uploaded, else the
 * district, since generated cells are not real) or within 0.005 degree
 * (about 500 m) of the parent's boundary, which real boundaries drawn by
 * different surveys miss by. FZ_EINVAL naming the feature and the first
 * vertex outside, FZ_ENOTFOUND for an unknown code.
 */
int fz_atlas_check_upload(const struct fz_atlas *a, const char *code, const struct fz_polygon *p,
			  const char *ptr, struct fz_err *err);

struct fz_atlas_slot {
	pthread_mutex_t lock; /* guards atlas */
	struct fz_atlas *atlas;
	/* Held while building: the first reader builds (about 0.5 s), an upload
	 * holds it across its store write and the rebuild, so uploads reach
	 * memory in the order they reached the store. */
	pthread_mutex_t build_lock;
	struct fz_store *store;
	const struct fz_region_tree *tree;
	char root[16];
};

/*
 * An empty slot over store and tree (both must outlive it); the atlas of
 * root's children is built on first use. Cannot fail.
 */
void fz_atlas_slot_init(struct fz_atlas_slot *slot, struct fz_store *store,
			const struct fz_region_tree *tree, const char *root);
void fz_atlas_slot_release(struct fz_atlas_slot *slot);
/*
 * The current atlas with a new reference (fz_atlas_unref when done),
 * building it from the store on first use; NULL with err set when that
 * fails. Any thread.
 */
struct fz_atlas *fz_atlas_slot_get(struct fz_atlas_slot *slot, struct fz_err *err);
/*
 * Rebuilds from the store and publishes the result; readers holding the old
 * atlas keep it until they drop it. The caller holds build_lock. 0 or the
 * build's error (nothing changed).
 */
int fz_atlas_slot_rebuild(struct fz_atlas_slot *slot, struct fz_err *err);

#endif

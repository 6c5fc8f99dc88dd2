/*
 * cells: generated boundaries. No package ships the boundaries of Jinhua's
 * townships (乡镇街道) or villages and communities (村社区), so fazhi makes
 * plausible ones: inside a parent polygon (a district, or a township's
 * cell or real boundary), one centre per child region, spread by
 * best-candidate sampling from a pseudo-random sequence seeded by the
 * parent's code (so the same tree gives the same cells on every machine
 * and every start), and each child's cell is the parent polygon clipped to
 * the centre's Voronoi cell (Sutherland-Hodgman, one bisector half-plane
 * at a time). Distances are measured with longitude scaled by the cosine of
 * the parent's middle latitude, so cells are round on the ground.
 *
 * Clipping a non-convex parent by a half-plane may leave zero-width
 * "bridges" along the clip line (pairs of coincident edges of opposite
 * direction); the even-odd rule counts each such pair twice, so every
 * point's answer is that of the true intersection. The cells are for
 * locating and drawing, not for area sums.
 *
 * A struct fz_cells is a growable set of polygons built in memory, read as
 * a struct fz_polygon_set (feed it to fz_locator_build()). One thread
 * builds it; once built it is immutable and any thread may read it.
 */
#ifndef FZ_GEO_CELLS_H
#define FZ_GEO_CELLS_H

#include <stddef.h>
#include <stdint.h>

struct fz_err;
struct fz_polygon;
struct fz_polygon_set;

struct fz_cells;

/* An empty set, NULL on no memory. Caller frees with fz_cells_free(). */
struct fz_cells *fz_cells_new(void);
void fz_cells_free(struct fz_cells *c);

/* The set as polygons; borrowed, valid until the next add or the free. */
const struct fz_polygon_set *fz_cells_set(const struct fz_cells *c);

/* The centre generated for item i (NULL for copied polygons). Borrowed. */
const double *fz_cells_centre(const struct fz_cells *c, size_t i);

/* Adds a copy of p's rings under code and name. 0 or FZ_ENOMEM. */
int fz_cells_add_copy(struct fz_cells *c, const struct fz_polygon *p, const char *code,
		      const char *name);

/*
 * Divides parent among n children: places n centres inside it (seeded by
 * seed and parent->code) and adds, for each child i with a non-empty cell,
 * a polygon coded codes[i] named names[i] (names may be NULL). Items are
 * added in the order given. 0 or FZ_ENOMEM with err set.
 */
int fz_cells_divide(struct fz_cells *c, const struct fz_polygon *parent, const char *const *codes,
		    const char *const *names, size_t n, uint64_t seed, struct fz_err *err);

/* The default seed of fazhi's generated boundaries (fixed: answers never move). */
#define FZ_CELLS_SEED 0x6a696e6875613230ull /* "jinhua20" */

#endif

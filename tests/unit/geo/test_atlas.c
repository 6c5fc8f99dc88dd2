/*
 * Unit tests of geo/atlas and geo/cells over the real region tree and
 * district boundaries: every township and village gets a generated cell
 * inside its parent, the same cells on every build, locating answers a
 * consistent chain (village in township in district) that agrees with the
 * cells' polygons, and uploaded real boundaries replace generated ones
 * (or are refused outside their parent, naming the vertex).
 */
#include "fixture.h"

#include "core/buf.h"
#include "geo/atlas.h"
#include "geo/cells.h"
#include "geo/locator.h"
#include "registry/region.h"
#include "registry/region_tree.h"
#include "store/store.h"

#include <math.h>
#include <stdint.h>
#include <time.h>

static uint64_t rng = 0x2026112800000005u;

static double uniform(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (double)((rng * 0x2545f4914f6cdd1du) >> 11) / 9007199254740992.0;
}

struct world {
	struct fz_store *store;
	struct fz_region_tree *tree;
	struct fz_polygon_set *districts;
};

static struct world world;

static int setup(void **state)
{
	const char *share = getenv("FAZHI_SHARE");
	char path[1024], *db = ts_tmpfile("atlas.db");
	size_t len;
	char *text;
	struct fz_err err;

	(void)state;
	fz_err_init(&err);
	snprintf(path, sizeof(path), "%s/regions.tsv", share ? share : "build/share");
	if (fz_store_open(db, 1, &world.store, &err) ||
	    fz_region_load_tsv(world.store, path, NULL, &err))
		fail_msg("store: %s", err.msg);
	snprintf(path, sizeof(path), "%s/boundaries-330700.geojson", share ? share : "build/share");
	if (fz_region_load_boundaries(world.store, "330700", path, &err) ||
	    fz_region_tree_load(world.store, &world.tree, &err))
		fail_msg("load: %s", err.msg);
	text = jinhua_boundaries(&len);
	world.districts = parse_ok(text, FZ_POLYGON_TOLERATE_SELF_INTERSECTIONS);
	free(text);
	free(db);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fz_polygon_set_free(world.districts);
	fz_region_tree_free(world.tree);
	fz_store_free(world.store);
	return 0;
}

static struct fz_atlas *build(const struct fz_polygon_set *uploads)
{
	struct fz_atlas *a = NULL;
	struct fz_err err;

	fz_err_init(&err);
	if (fz_atlas_build(world.tree, "330700", world.districts, uploads, &a, &err))
		fail_msg("atlas: %s", err.msg);
	return a;
}

static void every_region_gets_a_cell(void **state)
{
	struct fz_atlas *a = build(NULL);
	struct fz_atlas_stats st;
	const struct fz_region_node *city = fz_region_tree_find(world.tree, "330700");
	size_t towns = 0, villages = 0;

	(void)state;
	fz_atlas_stats(a, &st);
	for (size_t i = 0; i < city->nchildren; i++)
		for (size_t j = 0; j < city->children[i]->nchildren; j++) {
			const struct fz_region_node *t = city->children[i]->children[j];
			int gen = 0;
			towns++;
			assert_non_null(fz_atlas_polygon(a, t->r.code, &gen));
			assert_int_equal(gen, 1);
			villages += t->nchildren;
		}
	print_message("atlas: %zu districts, %zu townships, %zu villages generated in %.0f ms, "
		      "%zu KiB of indexes\n",
		      st.districts, st.townships_generated, st.villages_generated, st.build_ms,
		      st.bytes / 1024);
	assert_int_equal(st.districts, 9);
	assert_true(towns >= 140);
	assert_int_equal(st.townships_generated, towns);
	/* a village's cell is empty only if its centre fell on a sliver: none does */
	assert_int_equal(st.villages_generated, villages);
	assert_int_equal(st.townships_uploaded + st.villages_uploaded, 0);
	fz_atlas_unref(a);
}

static void cells_are_the_same_on_every_build(void **state)
{
	struct fz_atlas *a = build(NULL), *b = build(NULL);
	const struct fz_polygon_set *x = fz_atlas_generated_townships(a),
				    *y = fz_atlas_generated_townships(b);

	(void)state;
	assert_int_equal(x->n, y->n);
	for (size_t i = 0; i < x->n; i++) {
		assert_string_equal(x->items[i].code, y->items[i].code);
		assert_int_equal(x->items[i].nrings, y->items[i].nrings);
		for (size_t r = 0; r < x->items[i].nrings; r++) {
			assert_int_equal(x->items[i].rings[r].n, y->items[i].rings[r].n);
			assert_memory_equal(x->items[i].rings[r].xy, y->items[i].rings[r].xy,
					    2 * x->items[i].rings[r].n * sizeof(double));
		}
	}
	fz_atlas_unref(a);
	fz_atlas_unref(b);
}

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void locating_gives_a_consistent_chain(void **state)
{
	struct fz_atlas *a = build(NULL);
	const double *bb = world.districts->bbox;
	size_t in = 0, town_poly = 0, village_poly = 0;

	(void)state;
	for (int i = 0; i < 100000; i++) {
		double x = bb[0] + (bb[2] - bb[0]) * uniform(),
		       y = bb[1] + (bb[3] - bb[1]) * uniform();
		struct fz_geo_place p;
		const struct fz_polygon *tp, *vp;
		const char *d;
		fz_atlas_locate(a, x, y, &p);
		d = fz_atlas_district(a, x, y);
		if (!d) {
			assert_null(p.district);
			assert_null(p.township);
			assert_null(p.village);
			continue;
		}
		in++;
		assert_string_equal(p.district->r.code, d);
		assert_non_null(p.township);
		assert_true(starts_with(p.township->r.code, d));
		assert_int_equal(p.township_generated, 1);
		tp = fz_atlas_polygon(a, p.township->r.code, NULL);
		town_poly += fz_polygon_contains(tp, x, y);
		if (p.township->nchildren) {
			assert_non_null(p.village);
			assert_ptr_equal(p.village->parent, p.township);
			assert_int_equal(p.village_generated, 1);
			vp = fz_atlas_polygon(a, p.village->r.code, NULL);
			village_poly += fz_polygon_contains(vp, x, y);
		}
	}
	print_message("atlas: %zu of 100000 points in Jinhua, %zu in their township's cell, %zu "
		      "in their village's\n",
		      in, town_poly, village_poly);
	assert_true(in > 50000);
	/* the nearest-centre fallback only covers float gaps: practically never */
	assert_true(town_poly >= in - 2);
	fz_atlas_unref(a);
}

#define FEATURE(code, coords)                                                                      \
	"{\"type\":\"Feature\",\"properties\":{\"code\":\"" code "\"},\"geometry\":{\"type\":"     \
	"\"Polygon\",\"coordinates\":" coords "}}"

static void uploads_replace_generated_cells(void **state)
{
	const struct fz_region_node *d = fz_region_tree_find(world.tree, "330702");
	const struct fz_region_node *t = d->children[0];
	struct fz_atlas *a = build(NULL), *b;
	const struct fz_polygon *cell = fz_atlas_polygon(a, t->r.code, NULL);
	double cx = 0, cy = 0;
	char feature[512];
	struct fz_polygon_set *up;
	struct fz_geo_place p;
	struct fz_err err;
	int gen = 1;

	(void)state;
	/* a small square around a point of the township's generated cell */
	do {
		cx = cell->bbox[0] + (cell->bbox[2] - cell->bbox[0]) * uniform();
		cy = cell->bbox[1] + (cell->bbox[3] - cell->bbox[1]) * uniform();
	} while (!fz_polygon_contains(cell, cx, cy) ||
		 !fz_polygon_contains(fz_atlas_polygon(a, "330702", NULL), cx - 0.01, cy - 0.01) ||
		 !fz_polygon_contains(fz_atlas_polygon(a, "330702", NULL), cx + 0.01, cy + 0.01) ||
		 !fz_polygon_contains(fz_atlas_polygon(a, "330702", NULL), cx - 0.01, cy + 0.01) ||
		 !fz_polygon_contains(fz_atlas_polygon(a, "330702", NULL), cx + 0.01, cy - 0.01));
	snprintf(feature, sizeof(feature),
		 "{\"type\":\"Feature\",\"properties\":{\"code\":\"%s\"},\"geometry\":{\"type\":"
		 "\"Polygon\",\"coordinates\":[[[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%."
		 "6f,%.6f]]]}}",
		 t->r.code, cx - 0.01, cy - 0.01, cx + 0.01, cy - 0.01, cx + 0.01, cy + 0.01,
		 cx - 0.01, cy + 0.01, cx - 0.01, cy - 0.01);
	up = parse_ok(feature, 0);
	fz_err_init(&err);
	assert_int_equal(fz_atlas_check_upload(a, t->r.code, &up->items[0], "/", &err), 0);
	b = build(up);
	assert_non_null(fz_atlas_polygon(b, t->r.code, &gen));
	assert_int_equal(gen, 0);
	fz_atlas_locate(b, cx + 0.005, cy + 0.005, &p);
	assert_ptr_equal(p.township, t);
	assert_int_equal(p.township_generated, 0);
	if (t->nchildren) { /* its villages are now generated inside the square */
		const struct fz_polygon *vp;
		assert_non_null(p.village);
		assert_int_equal(p.village_generated, 1);
		vp = fz_atlas_polygon(b, t->children[0]->r.code, NULL);
		assert_true(vp->bbox[0] >= cx - 0.0100001 && vp->bbox[2] <= cx + 0.0100001);
	}
	/* outside the square, the district's other generated cells answer */
	fz_atlas_locate(b, cx + 0.02, cy, &p);
	if (p.district == d)
		assert_ptr_not_equal(p.township, t);
	fz_polygon_set_free(up);
	fz_atlas_unref(b);
	fz_atlas_unref(a);
}

static void uploads_outside_the_parent_are_refused(void **state)
{
	const struct fz_region_node *t = fz_region_tree_find(world.tree, "330702")->children[0];
	struct fz_atlas *a = build(NULL);
	char feature[512];
	struct fz_polygon_set *up;
	struct fz_err err;

	(void)state;
	/* Beijing is not in 婺城区 */
	snprintf(feature, sizeof(feature),
		 FEATURE("%s", "[[[116.3,39.9],[116.4,39.9],[116.4,40.0],[116.3,39.9]]]"),
		 t->r.code);
	up = parse_ok(feature, 0);
	fz_err_init(&err);
	assert_int_equal(fz_atlas_check_upload(a, t->r.code, &up->items[0], "/features/0", &err),
			 FZ_EINVAL);
	assert_non_null(strstr(err.msg, t->r.code));
	assert_non_null(strstr(err.msg, "116.300000"));
	assert_non_null(strstr(err.msg, "330702"));
	fz_err_init(&err);
	assert_int_equal(fz_atlas_check_upload(a, "330702", &up->items[0], "/features/0", &err),
			 FZ_ENOTFOUND); /* districts are real already */
	fz_polygon_set_free(up);
	fz_atlas_unref(a);
}

static void children_as_geojson_are_marked_generated(void **state)
{
	struct fz_atlas *a = build(NULL);
	struct fz_polygon_set *s;
	struct fz_buf b;

	(void)state;
	fz_buf_init(&b, 0);
	assert_int_equal(fz_atlas_children_geojson(a, "330702", &b), 0);
	assert_non_null(strstr(b.data, "\"generated\":true"));
	assert_null(strstr(b.data, "\"generated\":false"));
	/* what the map draws reads back as the same number of features */
	s = parse_ok(b.data, FZ_POLYGON_TOLERATE_SELF_INTERSECTIONS);
	assert_int_equal(s->n, fz_region_tree_find(world.tree, "330702")->nchildren);
	fz_polygon_set_free(s);
	fz_buf_release(&b);
	fz_buf_init(&b, 0);
	assert_int_equal(fz_atlas_children_geojson(a, "330700", &b), 0);
	assert_non_null(strstr(b.data, "\"generated\":false"));
	assert_null(strstr(b.data, "\"generated\":true"));
	fz_buf_release(&b);
	fz_buf_init(&b, 0);
	assert_int_equal(fz_atlas_children_geojson(a, "999999", &b), FZ_ENOTFOUND);
	fz_buf_release(&b);
	fz_atlas_unref(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_region_gets_a_cell),
		cmocka_unit_test(cells_are_the_same_on_every_build),
		cmocka_unit_test(locating_gives_a_consistent_chain),
		cmocka_unit_test(uploads_replace_generated_cells),
		cmocka_unit_test(uploads_outside_the_parent_are_refused),
		cmocka_unit_test(children_as_geojson_are_marked_generated),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

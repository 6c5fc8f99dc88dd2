/*
 * Fuzz driver: what POST /api/v1/geo/boundaries does with its body. Any bytes
 * are read strictly (fz_polygon_set_parse without tolerance), each feature
 * checked against its parent (fz_atlas_check_upload) in a small region tree
 * (one district, a square, with two townships and villages), and what is
 * accepted is built into an atlas: never a crash, a leak or a hang, and at
 * every vertex the answer is a chain (village in township in district).
 */
#include "core/err.h"
#include "geo/atlas.h"
#include "geo/polygon.h"
#include "registry/region.h"
#include "registry/region_tree.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct fz_polygon_limits limits = {
	.max_bytes = 1 << 16,
	.max_depth = 16,
	.max_features = 16,
	.max_rings = 16,
	.max_points = 2048,
	.max_ring_points = 1024,
};

static struct fz_region_tree *tree;
static struct fz_polygon_set *districts;
static struct fz_atlas *base;

static void setup(void)
{
	static const char tsv[] = "330000\t\tprovince\t浙江省\n"
				  "330700\t330000\tcity\t金华市\n"
				  "330702\t330700\tdistrict\t婺城区\n"
				  "330702001\t330702\ttownship\t城东街道\n"
				  "330702002\t330702\ttownship\t城西街道\n"
				  "330702001001\t330702001\tvillage\t甲社区\n"
				  "330702001002\t330702001\tvillage\t乙社区\n"
				  "330702002001\t330702002\tvillage\t丙村\n";
	static const char square[] =
		"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
		"{\"code\":\"330702\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[119,29],"
		"[120,29],[120,30],[119,30],[119,29]]]}}]}";
	char dir[] = "/tmp/fuzz-boundary-XXXXXX", path[128], db[128];
	struct fz_store *store = NULL;
	struct fz_err err;
	FILE *f;

	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/regions.tsv", dir);
	snprintf(db, sizeof(db), "%s/fuzz.db", dir);
	if (!(f = fopen(path, "w")))
		abort();
	fputs(tsv, f);
	fclose(f);
	fz_err_init(&err);
	if (fz_store_open(db, 1, &store, &err) || fz_region_load_tsv(store, path, NULL, &err) ||
	    fz_region_tree_load(store, &tree, &err) ||
	    fz_polygon_set_parse(square, strlen(square), NULL, 0, &districts, &err) ||
	    fz_atlas_build(tree, "330700", districts, NULL, &base, &err))
		abort();
	fz_store_free(store);
	unlink(path);
	unlink(db);
	rmdir(dir);
}

static void check_chain(const struct fz_atlas *a, double x, double y)
{
	struct fz_geo_place p;

	fz_atlas_locate(a, x, y, &p);
	if (!p.district && (p.township || p.village))
		abort();
	if (p.township && p.township->parent != p.district)
		abort();
	if (p.village && p.village->parent != p.township)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_polygon_set *up = NULL;
	struct fz_atlas *a = NULL;
	struct fz_err err;

	if (!tree)
		setup();
	fz_err_init(&err);
	if (fz_polygon_set_parse((const char *)data, size, &limits, 0, &up, &err))
		return 0;
	for (size_t i = 0; i < up->n; i++) {
		fz_err_init(&err);
		if (fz_atlas_check_upload(base, up->items[i].code, &up->items[i], "/features",
					  &err)) {
			fz_polygon_set_free(up);
			return 0;
		}
	}
	fz_err_init(&err);
	if (fz_atlas_build(tree, "330700", districts, up, &a, &err))
		abort(); /* checked uploads always build */
	for (size_t i = 0; i < up->n; i++)
		for (size_t r = 0; r < up->items[i].nrings; r++)
			for (size_t k = 0; k < up->items[i].rings[r].n; k++)
				check_chain(a, up->items[i].rings[r].xy[2 * k],
					    up->items[i].rings[r].xy[2 * k + 1]);
	check_chain(a, 119.5, 29.5);
	check_chain(a, 121, 29.5);
	fz_atlas_unref(a);
	fz_polygon_set_free(up);
	return 0;
}

/*
 * Fuzz driver: the GeoJSON polygon reader and the locator built on what it
 * accepts. Any bytes must give either a polygon set or an error naming the
 * place, never a crash, a leak or a hang, in strict and in tolerant mode.
 * Whatever is accepted is indexed under two grid sizes, and the index must
 * answer exactly what ray casting over every edge answers, at every vertex,
 * beside it, at every edge's midpoint and at the box's corners.
 */
#include "core/err.h"
#include "geo/locator.h"
#include "geo/polygon.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct fz_polygon_limits limits = {
	.max_bytes = 1 << 16,
	.max_depth = 16,
	.max_features = 64,
	.max_rings = 64,
	.max_points = 4096,
	.max_ring_points = 2048,
};

static int brute(const struct fz_polygon_set *s, const struct fz_locator *l, double x, double y)
{
	for (size_t i = 0; i < s->n; i++)
		if (fz_polygon_contains(fz_polygon_set_find(s, fz_locator_code(l, i)), x, y))
			return (int)i;
	return -1;
}

static void check(const struct fz_polygon_set *s, const struct fz_locator *l, double x, double y)
{
	if (fz_locator_find_index(l, x, y) != brute(s, l, x, y))
		abort();
}

static void probe(const struct fz_polygon_set *s, size_t cells)
{
	struct fz_locator *l = NULL;

	if (fz_locator_build(s, cells, &l, NULL))
		return;
	for (size_t f = 0; f < s->n; f++)
		for (size_t r = 0; r < s->items[f].nrings; r++) {
			const struct fz_ring *ring = &s->items[f].rings[r];
			for (size_t k = 0; k + 1 < ring->n; k++) {
				const double *v = ring->xy + 2 * k;
				check(s, l, v[0], v[1]);
				check(s, l, nextafter(v[0], INFINITY), v[1]);
				check(s, l, v[0], nextafter(v[1], -INFINITY));
				check(s, l, (v[0] + v[2]) / 2, (v[1] + v[3]) / 2);
			}
		}
	for (int c = 0; c < 4; c++)
		check(s, l, s->bbox[c & 1 ? 2 : 0], s->bbox[c & 2 ? 3 : 1]);
	fz_locator_free(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (unsigned flags = 0; flags < 2; flags++) {
		struct fz_polygon_set *s = NULL;
		struct fz_err err;

		fz_err_init(&err);
		if (fz_polygon_set_parse((const char *)data, size, &limits, flags, &s, &err)) {
			if (s || !err.msg[0])
				abort(); /* a refusal always says why, and leaves nothing */
			continue;
		}
		probe(s, 0);
		probe(s, 64);
		fz_polygon_set_free(s);
	}
	return 0;
}

/*
 * Fuzz driver: geofence definitions as JSON (fz_fence_json_parse). Any bytes
 * give a definition or an error naming the field, never a crash, a leak or a
 * hang. Whatever is accepted is added to an engine and pinged at its centre,
 * its vertices and far away, in and out of order: a ping older than the last
 * must be refused as stale and must not change the fence's state.
 */
#include "core/err.h"
#include "geo/geofence.h"
#include "geo/polygon.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ignore(void *ctx, const struct fz_fence_event *e)
{
	(void)ctx;
	if (e->violation != (e->kind == FZ_FENCE_OUT_OF_AREA || e->kind == FZ_FENCE_LOST_CONTACT))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_geofence_config cfg = { 600000, 8 * 3600 };
	struct fz_fence_json *own = NULL;
	struct fz_geofence *g = NULL;
	struct fz_fence_def d;
	struct fz_err err;
	int f, s, side;
	int64_t t = 1772380800000LL;

	fz_err_init(&err);
	if (fz_fence_json_parse((const char *)data, size, &d, &own, &err))
		return 0;
	if (fz_geofence_new(&cfg, &g, &err) || fz_geofence_add_fence(g, &d, &f, &err) ||
	    fz_geofence_add_subject(g, t, &s, &err) || fz_geofence_attach(g, s, f, &err))
		abort(); /* a parsed definition is always accepted */
	fz_geofence_ping(g, s, t += 1000, d.lon, d.lat, 0, ignore, NULL);
	if (d.polygon)
		for (size_t r = 0; r < d.polygon->nrings; r++)
			for (size_t i = 0; i < d.polygon->rings[r].n && i < 64; i++)
				fz_geofence_ping(g, s, t += 7000, d.polygon->rings[r].xy[2 * i],
						 d.polygon->rings[r].xy[2 * i + 1], 5, ignore,
						 NULL);
	fz_geofence_ping(g, s, t += 3600000, 0, 0, 0, ignore, NULL);
	side = fz_geofence_side(g, s, f);
	if (fz_geofence_ping(g, s, t - 5000, d.lon, d.lat, 0, ignore, NULL) != FZ_GEOFENCE_STALE ||
	    fz_geofence_side(g, s, f) != side)
		abort();
	fz_geofence_tick(g, t + 600000, ignore, NULL);
	fz_geofence_free(g);
	fz_fence_json_free(own);
	return 0;
}

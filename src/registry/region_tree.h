/*
 * region_tree: an immutable in-memory snapshot of the region tree, loaded
 * from the store when the server starts. The tree is reference data that
 * changes only with a new regions.tsv, so the hot read path (GET
 * /api/v1/regions/{code}, every scope check of later engines) needs no SQL.
 * Each node keeps its JSON fragments pre-rendered ("brief" and "item" with
 * children_count), so a response is a concatenation.
 *
 * Built by one thread, then read by any number of threads without locks.
 * A later reload builds a new snapshot and swaps the pointer.
 */
#ifndef FZ_REGISTRY_REGION_TREE_H
#define FZ_REGISTRY_REGION_TREE_H

#include <stddef.h>

#include "registry/region.h"

struct fz_err;
struct fz_store;

struct fz_region_node {
	struct fz_region r;
	struct fz_region_node *parent;
	struct fz_region_node **children; /* in code order */
	size_t nchildren;
	char *brief; /* {"code":..,"name":..,"level":..} */
	char *item;  /* brief plus "children_count" */
};

struct fz_region_tree;

/* Loads every region. 0 or a store error; caller frees with _free(). */
int fz_region_tree_load(struct fz_store *store, struct fz_region_tree **out /* OUT */,
			struct fz_err *err);
void fz_region_tree_free(struct fz_region_tree *t);
/* The node of code, NULL if none. Borrowed for the tree's life. */
const struct fz_region_node *fz_region_tree_find(const struct fz_region_tree *t, const char *code);
size_t fz_region_tree_size(const struct fz_region_tree *t);

#endif

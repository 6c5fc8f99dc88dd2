/*
 * packs: the registry of app packs and their case types. A snapshot holds
 * every version of every case type ever loaded: cases keep the version they
 * started with, new cases take the current one. Loading reads
 * apps/<pack>/pack.json and apps/<pack>/case-types/ (each .json file), compiles each
 * definition, and stores a definition whose text changed as the next
 * version. A pack with any broken file is refused as a whole and reported
 * (file and JSON pointer); its types stay at their previous versions and
 * the other packs load normally.
 *
 * Snapshots are immutable and reference-counted: readers take one with
 * fz_packs_get() and drop it with fz_packs_put(); a reload builds a new one
 * and swaps it in (fz_engine does this under its lock).
 */
#ifndef FZ_CASES_PACKS_H
#define FZ_CASES_PACKS_H

#include <stddef.h>
#include <stdint.h>

#include "cases/casetype.h"

struct fz_err;
struct fz_store;

#define FZ_PACKS_MAX_PROBLEMS 16

struct fz_pack_report {
	int packs, types, new_versions;
	int nproblems;
	char problems[FZ_PACKS_MAX_PROBLEMS][400]; /* "pack: file: /pointer: message" */
};

struct fz_packs;

/*
 * Builds a snapshot from the store and apps_dir (which may be missing: then
 * only stored versions exist). Returns 0 even when some packs were refused
 * (see report); errors are store failures. Caller drops with fz_packs_put().
 */
int fz_packs_load(struct fz_store *store, const char *apps_dir, int64_t now,
		  struct fz_packs **out /* OUT */, struct fz_pack_report *report /* OUT */,
		  struct fz_err *err);
void fz_packs_hold(struct fz_packs *p);
void fz_packs_put(struct fz_packs *p);

/* The current version of a type, NULL if none. Borrowed while p is held. */
const struct fz_casetype *fz_packs_current(const struct fz_packs *p, const char *type);
/* A given version, NULL if none. */
const struct fz_casetype *fz_packs_version(const struct fz_packs *p, const char *type, int version);
/* The current types in name order: n of them. */
size_t fz_packs_count(const struct fz_packs *p);
const struct fz_casetype *fz_packs_at(const struct fz_packs *p, size_t i);

#endif

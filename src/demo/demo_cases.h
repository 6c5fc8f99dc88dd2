/*
 * demo_cases: the demo cases of the shipped packs, made through the case
 * engine with the demo users, as they would be in a year of use: 373
 * disputes accepted across Jinhua in 2025 of which 361 were closed (the
 * seed's 96.8 %), administrative-to-criminal transfers in every district in
 * their various stages (one returned by the police, some refused and
 * reconsidered), township legality reviews and minors' reports. Times are
 * spread over the year before `now`, from a fixed random seed, so two runs
 * give the same city. Seeds nothing if the store already has cases.
 * Main thread only.
 */
#ifndef FZ_DEMO_DEMO_CASES_H
#define FZ_DEMO_DEMO_CASES_H

#include <stddef.h>
#include <stdint.h>

struct fz_engine;
struct fz_err;
struct fz_region_tree;
struct fz_store;

struct fz_demo_cases_report {
	int already;
	size_t cases, operations;
};

int fz_demo_cases(struct fz_engine *e, struct fz_store *store, const struct fz_region_tree *tree,
		  int64_t now, struct fz_demo_cases_report *out /* OUT */, struct fz_err *err);

#endif

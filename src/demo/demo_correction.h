/*
 * demo_correction: the demo's community corrections: a few hundred people
 * across the districts of Jinhua (one per justice office, in turn), each
 * with a terminal, and a day of tracks through the ingest path (a ping every
 * 20 minutes, a face check-in at 09:00) for the 24 hours before now, some
 * breaking the rules: an afternoon outside the county, a night out past the
 * curfew, a prohibited place, a failed check-in, a terminal gone silent.
 * Deterministic (fixed seed). Skipped when the pack is not installed or
 * people exist already. Main thread, with the ingest thread started.
 */
#ifndef FZ_DEMO_DEMO_CORRECTION_H
#define FZ_DEMO_DEMO_CORRECTION_H

#include <stddef.h>
#include <stdint.h>

struct fz_correction;
struct fz_err;
struct fz_ingest;
struct fz_region_tree;
struct fz_store;

struct fz_demo_correction_report {
	size_t people, records;
};

int fz_demo_correction(struct fz_correction *c, struct fz_store *store, struct fz_ingest *in,
		       const struct fz_region_tree *tree, int64_t now,
		       struct fz_demo_correction_report *out /* OUT */, struct fz_err *err);

#endif

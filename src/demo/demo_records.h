/*
 * demo_records: the data hub's demo: one source per department, a year of
 * weigh-in-motion weighings at twelve stations on real roads of the Jinhua
 * districts (mostly legal, weights drawn around the GB 1589 limits), one
 * truck like the seed's (56 overloads, 18 above 100 t, mostly between
 * 00:00 and 05:00), and some family-dispute and 110 dispute records.
 *
 * Everything goes through fz_ingest_submit(), so that the sinks (rules)
 * see the records as they would live ones. Deterministic (fixed seed) and
 * anchored at FZ_DEMO_RECORDS_END, not at the wall clock. Idempotent: a
 * store that has the source jt-wim already is left as it is.
 */
#ifndef FZ_DEMO_DEMO_RECORDS_H
#define FZ_DEMO_DEMO_RECORDS_H

#include <stddef.h>
#include <stdint.h>

struct fz_err;
struct fz_ingest;
struct fz_store;

/* The demo year ends 2026-03-01 00:00 Asia/Shanghai (2026-02-28T16:00Z). */
#define FZ_DEMO_RECORDS_END   1772294400000LL
#define FZ_DEMO_RECORDS_START (FZ_DEMO_RECORDS_END - 365LL * 86400000LL)
/* The seed's repeat offender. */
#define FZ_DEMO_OFFENDER_PLATE "浙G72958"

struct fz_demo_records_report {
	int already;
	size_t sources, records, quarantined;
};

int fz_demo_records(struct fz_store *store, struct fz_ingest *in, int64_t now,
		    struct fz_demo_records_report *out /* OUT */, struct fz_err *err);

#endif

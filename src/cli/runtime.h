/*
 * runtime: what a running fazhi holds besides its HTTP server: the store,
 * the region tree, the district locator (point -> district, geo/locator.h),
 * the atlas slot (point -> every level, geo/atlas.h),
 * the holiday calendar and the case engine, opened in
 * order by fz_runtime_open() and closed in reverse by fz_runtime_close().
 * Used by `serve` and by commands that drive the engine (`demo`).
 * Main thread only; the parts it opens are thread-safe as their headers say.
 */
#ifndef FZ_CLI_RUNTIME_H
#define FZ_CLI_RUNTIME_H

#include <stdint.h>

#include "clocks/calendar.h"
#include "geo/atlas.h"

struct fz_config;
struct fz_engine;
struct fz_alerts;
struct fz_backtests;
struct fz_ingest;
struct fz_correction;
struct fz_locator;
struct fz_region_tree;
struct fz_store;

struct fz_runtime {
	struct fz_store *store;
	struct fz_region_tree *regions;
	struct fz_locator *locator; /* the district boundaries of 330700 */
	struct fz_atlas_slot atlas; /* every level, generated cells; built on first use */
	int atlas_ready;
	struct fz_calendar_slot calendar;
	int calendar_ready;
	struct fz_engine *engine;
	struct fz_alerts *alerts;	  /* rules and alerts (rules/alerts.h) */
	struct fz_backtests *backtests; /* rule backtests (rules/backtest.h) */
	struct fz_ingest *ingest; /* records in (datahub/ingest.h); its thread starts in serve */
	struct fz_correction *correction; /* the corrections pack, an ingest sink; NULL if absent */
};

/*
 * Opens everything (creating the database when create). With writer, the
 * store's group-commit thread runs. Prints what failed and returns 1, or 0.
 */
int fz_runtime_open(const struct fz_config *cfg, int create, int writer, int64_t now,
		    struct fz_runtime *rt);
void fz_runtime_close(struct fz_runtime *rt);

#endif

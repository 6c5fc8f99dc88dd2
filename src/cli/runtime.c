#include "cli/runtime.h"

#include "cases/engine.h"
#include "rules/alerts.h"
#include "rules/backtest.h"
#include "cli/cli.h"
#include "correction/correction.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "datahub/ingest.h"
#include "geo/locator.h"
#include "registry/region_tree.h"
#include "store/record_store.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The holiday calendar: share_dir/calendar-cn.json (the npm package), then
 * the years users imported into the store, which replace the package's
 * (fz_cli_load_calendar in calendar_cmd.c).
 */
static int load_calendar(const struct fz_config *cfg, struct fz_store *store,
			 struct fz_calendar_slot *slot)
{
	struct fz_calendar *cal;

	if (fz_cli_load_calendar(store, cfg, &cal))
		return 1;
	fz_calendar_slot_init(slot, cal);
	return 0;
}

/* The index of the district boundaries (stored by fz_cli_load_regions). */
static int load_locator(struct fz_store *store, struct fz_locator **out)
{
	struct fz_locator_stats st;
	struct fz_err err;

	fz_err_init(&err);
	if (fz_locator_load(store, "330700", out, &err))
		return fz_cli_fail("boundaries", &err);
	fz_locator_stats(*out, &st);
	fz_log(FZ_LOG_INFO,
	       "geo: %zu districts indexed, grid %ux%u, %zu boundary cells, %zu KiB; %zu "
	       "self-intersections of the quantised package boundaries read by the even-odd rule",
	       st.features, st.nx, st.ny, st.mixed_cells, st.bytes / 1024, st.self_intersections);
	return 0;
}

/* The rules of the packs, their alerts and backtests. */
static int open_rules(const struct fz_config *cfg, struct fz_runtime *rt)
{
	struct fz_alerts_config ac;
	struct fz_ruleset_report rep;
	struct fz_err err;

	fz_err_init(&err);
	memset(&ac, 0, sizeof(ac));
	ac.store = rt->store;
	ac.regions = rt->regions;
	ac.engine = rt->engine;
	ac.apps_dir = fz_config_str(cfg, FZ_CFG_APPS_DIR);
	if (fz_alerts_new(&ac, &rt->alerts, &rep, &err))
		return fz_cli_fail("rules", &err);
	for (int i = 0; i < rep.nproblems; i++)
		fprintf(stderr, "fazhi: rules of a pack refused: %s\n", rep.problems[i]);
	fz_log(FZ_LOG_INFO, "rules: %d packs, %d rules", rep.packs, rep.rules);
	if (fz_backtests_new(rt->store, fz_record_store_scan, &rt->backtests)) {
		fprintf(stderr, "fazhi: out of memory\n");
		return 1;
	}
	return 0;
}

/* The data hub's ingest path and the record types of the packs. */
static int open_ingest(const struct fz_config *cfg, struct fz_runtime *rt)
{
	struct fz_ingest_config ic;
	struct fz_recordtypes_report rep;
	struct fz_err err;

	fz_err_init(&err);
	memset(&ic, 0, sizeof(ic));
	ic.store = rt->store;
	ic.regions = rt->regions;
	ic.atlas = &rt->atlas;
	ic.apps_dir = fz_config_str(cfg, FZ_CFG_APPS_DIR);
	if (fz_ingest_new(&ic, &rt->ingest, &rep, &err))
		return fz_cli_fail("record types", &err);
	for (int i = 0; i < rep.nproblems; i++)
		fprintf(stderr, "fazhi: record types of a pack refused: %s\n", rep.problems[i]);
	fz_log(FZ_LOG_INFO, "record types: %d packs, %d types", rep.packs, rep.types);
	return 0;
}

/* The rules see every record as it is committed (one sink for every type,
 * so that packs added by a reload are seen too); their state is first
 * rebuilt from the stored records (rules/alerts.h). */
static int wire_rules(struct fz_runtime *rt, int64_t now)
{
	struct fz_err err;

	fz_err_init(&err);
	if (fz_ingest_add_sink(rt->ingest, "", fz_alerts_sink, rt->alerts)) {
		fprintf(stderr, "fazhi: cannot register the rules on the ingest pipeline\n");
		return 1;
	}
	if (fz_alerts_rebuild(rt->alerts, fz_record_store_scan, now, &err))
		return fz_cli_fail("rules: rebuilding state from stored records", &err);
	return 0;
}

int fz_runtime_open(const struct fz_config *cfg, int create, int writer, int64_t now,
		    struct fz_runtime *rt)
{
	struct fz_engine_config ec;
	struct fz_pack_report rep;
	struct fz_err err;

	memset(rt, 0, sizeof(*rt));
	fz_err_init(&err);
	if (!(rt->store = fz_cli_open(cfg, create)) || fz_cli_load_regions(rt->store, cfg))
		goto fail;
	if (fz_region_tree_load(rt->store, &rt->regions, &err)) {
		fz_cli_fail("regions", &err);
		goto fail;
	}
	if (load_locator(rt->store, &rt->locator))
		goto fail;
	fz_atlas_slot_init(&rt->atlas, rt->store, rt->regions, "330700");
	rt->atlas_ready = 1;
	if (load_calendar(cfg, rt->store, &rt->calendar))
		goto fail;
	rt->calendar_ready = 1;
	if (writer &&
	    fz_store_start_writer(rt->store, (int)fz_config_int(cfg, FZ_CFG_WRITER_BATCH))) {
		fprintf(stderr, "fazhi: cannot start the store writer\n");
		goto fail;
	}
	memset(&ec, 0, sizeof(ec));
	ec.store = rt->store;
	ec.regions = rt->regions;
	ec.apps_dir = fz_config_str(cfg, FZ_CFG_APPS_DIR);
	ec.calendar = &rt->calendar;
	ec.max_attachment = (size_t)fz_config_int(cfg, FZ_CFG_MAX_ATTACHMENT);
	if (fz_engine_new(&ec, now, &rt->engine, &rep, &err)) {
		fz_cli_fail("packs", &err);
		goto fail;
	}
	for (int i = 0; i < rep.nproblems; i++)
		fprintf(stderr, "fazhi: pack refused: %s\n", rep.problems[i]);
	fz_log(FZ_LOG_INFO, "packs: %d loaded, %d case types, %d new versions", rep.packs,
	       rep.types, rep.new_versions);
	if (open_rules(cfg, rt) || open_ingest(cfg, rt) || wire_rules(rt, now))
		goto fail;
	/* community corrections: pings and check-ins come as correction.* records */
	if (fz_correction_open(rt->store, rt->regions, fz_config_str(cfg, FZ_CFG_APPS_DIR), now,
			       &rt->correction, &err)) {
		fz_cli_fail("correction", &err);
		goto fail;
	}
	if (rt->correction &&
	    (fz_ingest_add_sink(rt->ingest, "correction.", fz_correction_sink, rt->correction) ||
	     fz_ingest_add_check(rt->ingest, "correction.", fz_correction_check, rt->correction))) {
		fprintf(stderr, "fazhi: cannot register the correction sink and check\n");
		goto fail;
	}
	/* violation alerts become violation cases, whose decisions the ladder counts */
	if (rt->correction) {
		const char *type;
		const cJSON *fields;
		if (!fz_correction_case_map(rt->correction, &type, &fields) &&
		    fz_alerts_add_case_map(rt->alerts, "correction.", type, fields)) {
			fprintf(stderr, "fazhi: cannot map correction alerts to cases\n");
			goto fail;
		}
		fz_engine_set_on_step(rt->engine, fz_correction_case_step, fz_correction_case_done,
				      rt->correction);
	}
	return 0;
fail:
	fz_runtime_close(rt);
	return 1;
}

void fz_runtime_close(struct fz_runtime *rt)
{
	fz_ingest_free(rt->ingest); /* delivers what is queued to the sinks first */
	fz_backtests_free(rt->backtests);
	fz_alerts_free(rt->alerts);
	fz_correction_free(rt->correction);
	fz_engine_free(rt->engine);
	if (rt->calendar_ready)
		fz_calendar_slot_release(&rt->calendar);
	if (rt->atlas_ready)
		fz_atlas_slot_release(&rt->atlas);
	fz_locator_free(rt->locator);
	fz_region_tree_free(rt->regions);
	fz_store_free(rt->store);
	memset(rt, 0, sizeof(*rt));
}

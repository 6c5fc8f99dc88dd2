/* The commands of `fazhi`: init, demo, serve, user, audit. */
#include "cli/cli.h"
#include "rules/alerts.h"
#include "store/record_store.h"

#include "api/app.h"
#include "audit/audit.h"
#include "auth/password.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "datahub/ingest.h"
#include "correction/correction.h"
#include "demo/demo_correction.h"
#include "demo/demo.h"
#include "demo/demo_cases.h"
#include "demo/demo_records.h"
#include "dispatch/dispatch.h"
#include "dispatch/from_alerts.h"
#include "http/sse.h"
#include "mqtt/mqtt.h"
#include "registry/region_tree.h"
#include "cases/engine.h"
#include "cli/runtime.h"
#include "store/registry_store.h"
#include "store/store.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int fz_cmd_init(int argc, char **argv)
{
	struct fz_config cfg;
	struct fz_store *store;
	int rc;

	fz_config_init(&cfg);
	rc = fz_cli_parse(argc, argv,
			  "Usage: fazhi init --db FILE\n"
			  "Creates the database, or migrates it to this version's schema,\n"
			  "and loads the Jinhua region tree and district boundaries.",
			  NULL, &cfg);
	if (rc) {
		fz_config_release(&cfg);
		return rc == 1 ? 0 : rc;
	}
	store = fz_cli_open(&cfg, 1);
	rc = store ? fz_cli_load_regions(store, &cfg) : 1;
	if (!rc)
		printf("fazhi: %s is ready (schema %d)\n", fz_config_str(&cfg, FZ_CFG_DB),
		       fz_store_schema_version());
	fz_store_free(store);
	fz_config_release(&cfg);
	return rc;
}

static void print_sign_ins(const char *password)
{
	printf("Demo sign-ins (password %s), named <role>.<region code>:\n"
	       "  admin.330700     city administrator (金华市)\n"
	       "  leader.330700    city leader\n"
	       "  auditor.330700   city auditor (audit log)\n"
	       "  admin.330702     婺城区 administrator\n"
	       "  handler.330702001  城东街道 case handler\n"
	       "  grid.330702001   城东街道 grid worker\n"
	       "  roles: admin leader dispatcher handler grid auditor; any district or\n"
	       "  township code works, e.g. dispatcher.330782 (义乌市).\n"
	       "  agencies of each district: market. marketlead. enforce. civil. edu.\n"
	       "  police. proc. (e.g. police.330702, 婺城区公安); police.<township> for\n"
	       "  the township police station; fire. traffic. transport. (fire rescue,\n"
	       "  traffic police, transport bureau: overload events).\n"
	       "  control.330702001008  桃园社区 property control room (现场调度; every\n"
	       "  community of 婺城区 and 金东区 has one).\n",
	       password);
}

int fz_cmd_demo(int argc, char **argv)
{
	struct fz_opt opts[] = {
		{ "password", 0, "password of every demo user (default Jinhua@2026)", NULL },
		{ NULL, 0, NULL, NULL },
	};
	struct fz_config cfg;
	struct fz_runtime rt;
	struct fz_demo_report rep;
	struct fz_demo_cases_report crep;
	struct fz_demo_records_report rrep;
	struct fz_demo_correction_report corr = { 0, 0 };
	struct fz_err err;
	const char *pw;
	int64_t now;
	int rc;

	fz_config_init(&cfg);
	fz_err_init(&err);
	rc = fz_cli_parse(argc, argv,
			  "Usage: fazhi demo --db FILE [--password P]\n"
			  "Creates the database if needed and seeds the Jinhua demo city:\n"
			  "units for the city, its 9 districts and 146 townships, property\n"
			  "control rooms for communities, one user per role and level, the\n"
			  "case handlers of the agencies, and a year of demo cases of every pack\n"
			  "(373 disputes accepted in 2025, 361 closed).",
			  opts, &cfg);
	if (rc) {
		fz_config_release(&cfg);
		return rc == 1 ? 0 : rc;
	}
	now = fz_clock_now(); /* after the options: --clock-file may set it */
	pw = fz_cli_opt(opts, "password");
	if (!pw)
		pw = "Jinhua@2026";
	if (fz_user_check_password(pw, NULL, (int)fz_config_int(&cfg, FZ_CFG_PASSWORD_MIN_LENGTH),
				   &err)) {
		fz_config_release(&cfg);
		return fz_cli_fail("--password", &err);
	}
	/* with the writer thread: the ingest sinks (the corrections pack's
	 * violations) write from the ingest thread while this one submits */
	rc = fz_runtime_open(&cfg, 1, 1, now, &rt);
	if (!rc && fz_demo_seed(rt.store, pw, now, &rep, &err))
		rc = fz_cli_fail("demo", &err);
	if (!rc && fz_demo_cases(rt.engine, rt.store, rt.regions, now, &crep, &err))
		rc = fz_cli_fail("demo cases", &err);
	if (!rc && !crep.already)
		printf("fazhi: seeded %zu cases (%zu operations)\n", crep.cases, crep.operations);
	if (!rc && (fz_ingest_start(rt.ingest) ||
		    fz_demo_records(rt.store, rt.ingest, now, &rrep, &err)))
		rc = fz_cli_fail("demo records", &err);
	if (!rc && !rrep.already)
		printf("fazhi: seeded %zu sources and %zu records (%zu quarantined)\n", rrep.sources,
		       rrep.records, rrep.quarantined);
	if (!rc && rt.correction &&
	    fz_demo_correction(rt.correction, rt.store, rt.ingest, rt.regions, now, &corr, &err))
		rc = fz_cli_fail("demo corrections", &err);
	if (!rc && corr.people)
		printf("fazhi: seeded %zu people under community corrections and %zu of their "
		       "records\n",
		       corr.people, corr.records);
	if (!rc && rep.already)
		printf("fazhi: %s already holds the demo city; left as it is\n",
		       fz_config_str(&cfg, FZ_CFG_DB));
	else if (!rc)
		printf("fazhi: seeded %zu units and %zu users into %s\n", rep.units, rep.users,
		       fz_config_str(&cfg, FZ_CFG_DB));
	if (!rc)
		print_sign_ins(rep.already && !fz_cli_opt(opts, "password")
				       ? "Jinhua@2026 unless it was seeded with --password"
				       : pw);
	if (!rc || rt.store)
		fz_runtime_close(&rt);
	fz_config_release(&cfg);
	return rc;
}

/* <db>.pid names the server of a database, for `fazhi reload`. */
static void pid_path(const struct fz_config *cfg, char *out, size_t size)
{
	snprintf(out, size, "%s.pid", fz_config_str(cfg, FZ_CFG_DB));
}

static void write_pid(const struct fz_config *cfg, int on)
{
	char path[1100];
	FILE *f;

	pid_path(cfg, path, sizeof(path));
	if (!on) {
		unlink(path);
		return;
	}
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "%ld\n", (long)getpid());
		fclose(f);
	}
}

int fz_cmd_reload(int argc, char **argv)
{
	struct fz_config cfg;
	char path[1100], line[32] = "";
	FILE *f;
	long pid = 0;
	int rc;

	fz_config_init(&cfg);
	rc = fz_cli_parse(
		argc, argv,
		"Usage: fazhi reload --db FILE\n"
		"Asks the server of FILE (its pid is in FILE.pid) to reload the app packs\n"
		"(the same as sending it SIGHUP). Changed case types become new versions;\n"
		"running cases keep theirs; a broken pack is refused and reported in the\n"
		"server's log.",
		NULL, &cfg);
	if (rc) {
		fz_config_release(&cfg);
		return rc == 1 ? 0 : rc;
	}
	pid_path(&cfg, path, sizeof(path));
	f = fopen(path, "r");
	if (f) {
		if (fgets(line, sizeof(line), f))
			pid = strtol(line, NULL, 10);
		fclose(f);
	}
	if (pid <= 1 || kill((pid_t)pid, SIGHUP) != 0) {
		fprintf(stderr, "fazhi: no server is running for %s (%s)\n",
			fz_config_str(&cfg, FZ_CFG_DB), path);
		rc = 1;
	} else {
		printf("fazhi: asked server %ld to reload the packs\n", pid);
	}
	fz_config_release(&cfg);
	return rc;
}

/*
 * An MQTT message into the ingest pipeline as its topic's source and type:
 * NDJSON when it holds several lines of objects, else one JSON object. Bad
 * lines are quarantined by ingest (logged here); an unknown or revoked
 * source refuses the message as a whole (the MQTT client counts and logs).
 */
static int deliver(void *ctx, const char *source, const char *type, const char *payload,
		   size_t len, struct fz_err *err)
{
	struct fz_ingest_summary sum;
	const char *nl = memchr(payload, '\n', len);
	int ndjson = nl && nl + 1 < payload + len && nl[1] != '\n' && nl[1] != '\r' &&
		     memchr(payload, '{', len) == payload && nl[1] == '{';
	int rc;

	memset(&sum, 0, sizeof(sum));
	rc = fz_ingest_submit(ctx, source, type, payload, len,
			      ndjson ? FZ_INGEST_NDJSON : FZ_INGEST_JSON, fz_clock_now(), &sum, err);
	if (!rc && sum.quarantined)
		fz_log(FZ_LOG_WARN, "mqtt: %zu of %zu lines from source %s (%s) quarantined",
		       sum.quarantined, sum.lines, source, type);
	fz_ingest_summary_release(&sum);
	return rc;
}

/* The live parts of a server: SSE hub, dispatch (with its escalation
 * thread) and the MQTT client. 0, or 1 after printing what failed. */
static int start_live(struct fz_config *cfg, struct fz_runtime *rt, struct fz_app *app)
{
	struct fz_sse_config hc = { (size_t)fz_config_int(cfg, FZ_CFG_SSE_RING), 256u << 10,
				    (unsigned)fz_config_int(cfg, FZ_CFG_SSE_HEARTBEAT) };
	struct fz_dispatch_config dc;
	struct fz_mqtt_config mc;
	struct fz_err err;

	fz_err_init(&err);
	if (!(app->hub = fz_sse_hub_new(&hc)))
		return fz_cli_fail("serve", &err);
	memset(&dc, 0, sizeof(dc));
	dc.store = rt->store;
	dc.engine = rt->engine;
	dc.regions = rt->regions;
	dc.hub = app->hub;
	dc.apps_dir = fz_config_str(cfg, FZ_CFG_APPS_DIR);
	dc.escalate_after_ms = fz_config_int(cfg, FZ_CFG_DISPATCH_ESCALATE_AFTER) * 1000;
	dc.dedup_window_ms = fz_config_int(cfg, FZ_CFG_DISPATCH_DEDUP_WINDOW) * 1000;
	if (fz_dispatch_new(&dc, &app->dispatch, &err) < 0 ||
	    fz_ingest_add_sink(rt->ingest, "community.", fz_dispatch_on_record, app->dispatch) ||
	    fz_dispatch_start(app->dispatch, (int)fz_config_int(cfg, FZ_CFG_SCHEDULER_INTERVAL)))
		return fz_cli_fail("dispatch", &err);
	/* red alerts whose rule a route names are pushed live (dispatch/from_alerts.h) */
	if (rt->alerts)
		fz_alerts_set_notify(rt->alerts, fz_dispatch_from_alert, app->dispatch);
	/* and minors' reports, as cases of type minor are opened */
	if (rt->engine)
		fz_engine_set_on_create(rt->engine, fz_dispatch_from_case, app->dispatch);
	if (!fz_config_str(cfg, FZ_CFG_MQTT)[0])
		return 0;
	memset(&mc, 0, sizeof(mc));
	mc.broker = fz_config_str(cfg, FZ_CFG_MQTT);
	mc.prefix = fz_config_str(cfg, FZ_CFG_MQTT_PREFIX);
	mc.client_id = fz_config_str(cfg, FZ_CFG_MQTT_CLIENT_ID);
	mc.max_payload = (size_t)fz_config_int(cfg, FZ_CFG_MAX_BODY);
	mc.deliver = deliver;
	mc.ctx = rt->ingest;
	if (fz_mqtt_start(&mc, &app->mqtt, &err))
		return fz_cli_fail("mqtt", &err);
	return 0;
}

static void stop_live(struct fz_app *app, struct fz_server *srv, struct fz_runtime *rt)
{
	fz_mqtt_free(app->mqtt);
	fz_sse_hub_close(app->hub);
	fz_server_free(srv);
	/* The ingest thread feeds dispatch: stop it (delivering what is
	 * queued) before dispatch goes. */
	fz_ingest_free(rt->ingest);
	rt->ingest = NULL;
	if (rt->alerts)
		fz_alerts_set_notify(rt->alerts, NULL, NULL);
	if (rt->engine)
		fz_engine_set_on_create(rt->engine, NULL, NULL);
	fz_dispatch_free(app->dispatch);
	fz_sse_hub_free(app->hub);
}

/* The record types of the packs (datahub/recordtype.h), on SIGHUP. */
static void reload_record_types(struct fz_ingest *in)
{
	struct fz_recordtypes_report rep;
	struct fz_err err;

	fz_err_init(&err);
	if (fz_ingest_reload(in, &rep, &err)) {
		fz_log(FZ_LOG_ERROR, "reload: record types: %s", err.msg);
		return;
	}
	fz_log(FZ_LOG_INFO, "reload: %d record types, %d packs refused", rep.types, rep.nproblems);
	for (int i = 0; i < rep.nproblems; i++)
		fz_log(FZ_LOG_WARN, "reload: record types refused: %s", rep.problems[i]);
}

/* The rules of the packs (rules/alerts.h), on SIGHUP; state rebuilt. */
static void reload_rules(struct fz_alerts *a)
{
	struct fz_ruleset_report rep;
	struct fz_err err;

	fz_err_init(&err);
	if (fz_alerts_reload(a, fz_record_store_scan, fz_clock_now(), &rep, &err)) {
		fz_log(FZ_LOG_ERROR, "reload: rules: %s", err.msg);
		return;
	}
	fz_log(FZ_LOG_INFO, "reload: %d rules, %d packs refused", rep.rules, rep.nproblems);
	for (int i = 0; i < rep.nproblems; i++)
		fz_log(FZ_LOG_WARN, "reload: rules refused: %s", rep.problems[i]);
}

static int serve(struct fz_config *cfg)
{
	struct fz_app app;
	struct fz_server_config sc;
	struct fz_server *srv = NULL;
	struct fz_runtime rt;
	struct fz_err err;
	char console[1100];
	sigset_t set;
	int sig = 0;

	fz_err_init(&err);
	/* Block the stop signals before any thread starts, then wait for one. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	fz_json_use_allocator(NULL, NULL);
	if (fz_runtime_open(cfg, 0, 1, fz_clock_now(), &rt))
		return 1;
	memset(&app, 0, sizeof(app));
	app.store = rt.store;
	app.regions = rt.regions;
	app.locator = rt.locator;
	app.atlas = &rt.atlas;
	app.engine = rt.engine;
	app.alerts = rt.alerts;
	app.backtests = rt.backtests;
	app.ingest = rt.ingest;
	app.correction = rt.correction;
	app.calendar = &rt.calendar;
	app.cfg = cfg;
	app.policy.ttl_ms = fz_config_int(cfg, FZ_CFG_SESSION_TTL) * 1000;
	app.policy.threshold = (int)fz_config_int(cfg, FZ_CFG_LOCKOUT_THRESHOLD);
	app.policy.window_ms = fz_config_int(cfg, FZ_CFG_LOCKOUT_WINDOW) * 1000;
	app.policy.duration_ms = fz_config_int(cfg, FZ_CFG_LOCKOUT_DURATION) * 1000;
	app.policy.password_min_length = (int)fz_config_int(cfg, FZ_CFG_PASSWORD_MIN_LENGTH);
	snprintf(app.openapi_path, sizeof(app.openapi_path), "%s/openapi.json",
		 fz_config_str(cfg, FZ_CFG_SHARE_DIR));
	snprintf(console, sizeof(console), "%s/console", fz_config_str(cfg, FZ_CFG_SHARE_DIR));
	memset(&sc, 0, sizeof(sc));
	sc.listen = fz_config_str(cfg, FZ_CFG_LISTEN);
	sc.threads = (unsigned)fz_config_int(cfg, FZ_CFG_THREADS);
	sc.max_body = (size_t)fz_config_int(cfg, FZ_CFG_MAX_BODY);
	sc.max_header = (size_t)fz_config_int(cfg, FZ_CFG_MAX_HEADER);
	sc.timeout_s = (unsigned)fz_config_int(cfg, FZ_CFG_REQUEST_TIMEOUT);
	sc.max_json_depth = (int)fz_config_int(cfg, FZ_CFG_MAX_JSON_DEPTH);
	sc.static_dir = console;
	sc.routes = fz_api_routes;
	sc.nroutes = fz_api_nroutes;
	sc.app = &app;
	sc.authenticate = fz_app_authenticate;
	sc.release = fz_app_release;
	sc.metrics = fz_app_metrics;
	if (start_live(cfg, &rt, &app)) {
		stop_live(&app, NULL, &rt);
		fz_runtime_close(&rt);
		return 1;
	}
	if (fz_engine_start_scheduler(rt.engine,
				      (int)fz_config_int(cfg, FZ_CFG_SCHEDULER_INTERVAL)) ||
	    /* lost contact and missed check-ins on time, without records */
	    (rt.correction &&
	     fz_correction_start(rt.correction,
				 (int)fz_config_int(cfg, FZ_CFG_SCHEDULER_INTERVAL))) ||
	    fz_ingest_start(rt.ingest) ||
	    fz_server_start(&sc, &srv, &err)) {
		stop_live(&app, NULL, &rt);
		fz_runtime_close(&rt);
		return fz_cli_fail("serve", &err);
	}
	{
		char host[64];
		const char *l = sc.listen, *colon = strrchr(l, ':');
		snprintf(host, sizeof(host), "%.*s", (int)(colon - l), l);
		printf("fazhi: listening on http://%s:%u\n"
		       "fazhi: console at http://%s:%u/ (Ctrl-C stops)\n",
		       host, fz_server_port(srv), host, fz_server_port(srv));
		fflush(stdout);
	}
	fz_log(FZ_LOG_INFO, "serving %s with %u threads", fz_config_str(cfg, FZ_CFG_DB),
	       sc.threads);
	write_pid(cfg, 1);
	while (sigwait(&set, &sig) == 0 && sig == SIGHUP) {
		struct fz_pack_report rep;
		fz_err_init(&err);
		if (fz_engine_reload(rt.engine, fz_clock_now(), &rep, &err))
			fz_log(FZ_LOG_ERROR, "reload: %s", err.msg);
		else
			fz_log(FZ_LOG_INFO,
			       "reload: %d packs, %d types, %d new versions, %d refused", rep.packs,
			       rep.types, rep.new_versions, rep.nproblems);
		for (int i = 0; i < rep.nproblems; i++)
			fz_log(FZ_LOG_WARN, "reload: pack refused: %s", rep.problems[i]);
		reload_record_types(rt.ingest);
		fz_err_init(&err);
		if (fz_dispatch_reload(app.dispatch, &err))
			fz_log(FZ_LOG_WARN, "reload: routes: %s", err.msg);
		reload_rules(rt.alerts);
	}
	fz_log(FZ_LOG_INFO, "signal %d: stopping", sig);
	write_pid(cfg, 0);
	stop_live(&app, srv, &rt);
	fz_runtime_close(&rt);
	printf("fazhi: stopped\n");
	return 0;
}

int fz_cmd_serve(int argc, char **argv)
{
	struct fz_opt opts[] = {
		{ "print-config", 1, "print the settings and where each came from, then exit",
		  NULL },
		{ NULL, 0, NULL, NULL },
	};
	struct fz_config cfg;
	int rc;

	fz_config_init(&cfg);
	rc = fz_cli_parse(argc, argv,
			  "Usage: fazhi serve --db FILE --listen ADDR:PORT [settings]\n"
			  "Serves the JSON API under /api/v1 and the console at /.",
			  opts, &cfg);
	if (rc == 1)
		rc = 0; /* --help */
	else if (!rc && fz_cli_opt(opts, "print-config"))
		fz_config_print(&cfg, stdout);
	else if (!rc)
		rc = serve(&cfg);
	fz_config_release(&cfg);
	return rc;
}

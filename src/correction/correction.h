/*
 * correction: the community corrections pack wired into a running fazhi.
 * It owns the supervision engine (correction/supervision.h) behind a mutex,
 * loads the rules from <apps>/correction/rules.json and the supervised
 * people from the store at start, receives correction.* records as an
 * ingest sink (pings and face check-ins) and stores the violations they
 * raise, with the suggested sanction, for the supervising justice office.
 *
 * Unknown devices: the record is already stored when the sink sees it, so
 * the sink logs it and counts it (the pack's record types keep the device
 * a required field, so a ping without one is quarantined by ingest).
 * Stale and replayed pings are ignored by the engine and counted.
 *
 * Location orders switch monitoring on and off: a person is monitored
 * (their violations stored and alerted) only at times covered by one of
 * their electronic-location orders; pings outside every order are still
 * evaluated (fence state stays true) but raise nothing (counted).
 *
 * Monitoring of stored people resumes at open (now): positions and check-ins
 * before a restart are not replayed, so silence and missed check-ins count
 * from then.
 *
 * Lost contact and missed check-ins are checked by fz_correction_tick() on
 * the injected clock: a scheduler thread (fz_correction_start, started by
 * serve) runs it every scheduler interval, and the sink as records arrive.
 *
 * Every stored violation also opens (or updates) one alert per person and
 * kind in the rules module's alert store (rule "correction.<kind>", level
 * from rules.json, explanation with the basis and the suggested sanction),
 * in the same transaction, so it shows in the alert centre scoped to the
 * person's township. Sanctions the office decides are recorded with who
 * and when (audited) and are the history the ladder counts, whether posted
 * directly or decided in a violation case made from such an alert (the
 * case engine's transition listener below).
 *
 * Any thread may call every function; the mutex serialises them.
 */
#ifndef FZ_CORRECTION_CORRECTION_H
#define FZ_CORRECTION_CORRECTION_H

#include <stddef.h>
#include <stdint.h>

#include "correction/supervision.h"
#include "datahub/record.h"

struct fz_audit_entry;
struct fz_err;
struct fz_region_tree;
struct fz_sanction_row;
struct fz_store;
struct fz_correction_row;

struct fz_correction;

struct fz_correction_counts {
	uint64_t pings, checkins, unknown_devices, stale, violations, unmonitored;
};

/*
 * Opens the pack at apps_dir/correction (rules.json) over store and tree
 * (both outliving it). No rules file: *out NULL and 0 (the pack is not
 * installed). Errors name the file.
 */
int fz_correction_open(struct fz_store *store, const struct fz_region_tree *tree,
		       const char *apps_dir, int64_t now, struct fz_correction **out /* OUT */,
		       struct fz_err *err);
void fz_correction_free(struct fz_correction *c);

const struct fz_correction_rules *fz_correction_rules(const struct fz_correction *c);

/*
 * Stores a new supervised person and starts evaluating their pings.
 * FZ_ECONFLICT for a taken id or device, FZ_EINVAL for a township without
 * a district boundary or bad prohibited places.
 */
int fz_correction_add(struct fz_correction *c, const struct fz_correction_row *row,
		      struct fz_err *err);

/* The ingest sink for "correction." records (ctx: the struct fz_correction). */
int fz_correction_sink(void *ctx, const struct fz_record *r);

/*
 * 1 when device is bound to a supervised person, else 0 with err naming the
 * field "device" (Chinese message).
 */
int fz_correction_known_device(struct fz_correction *c, const char *device, struct fz_err *err);
/*
 * The ingest-time check of correction.* records (an fz_record_check_fn,
 * datahub/ingest.h; ctx is the struct fz_correction): a ping or check-in
 * from a device bound to nobody is quarantined instead of stored. Any thread.
 */
int fz_correction_check(void *ctx, const char *type, const cJSON *fields, struct fz_err *err);

/* Lost contact and missed check-ins at now; violations are stored. */
int fz_correction_tick(struct fz_correction *c, int64_t now, struct fz_err *err);

/* Runs fz_correction_tick every interval_ms at fz_clock_now() on its own
 * thread until fz_correction_stop() (fz_correction_free stops it too). */
int fz_correction_start(struct fz_correction *c, int interval_ms);
void fz_correction_stop(struct fz_correction *c);

/*
 * Records the sanction the office decided (row: person_id, sanction,
 * violation_id or 0, note, decided_by, decided_at; title, region_path and
 * id are filled), audit (who, when, from where filled) appended in the
 * same transaction, and counts it in the person's history. FZ_EINVAL for
 * an unknown sanction or a violation of someone else, FZ_ENOTFOUND for an
 * unknown person or violation.
 */
int fz_correction_decide(struct fz_correction *c, struct fz_sanction_row *row,
			 struct fz_audit_entry *audit, struct fz_err *err);

/*
 * Records an electronic-location order of person_id (already checked with
 * fz_correction_check_order) and starts monitoring over [o->start, o->end).
 * FZ_ENOTFOUND for an unknown person. *id is the order's id.
 */
int fz_correction_order_add(struct fz_correction *c, const char *person_id,
			    const struct fz_location_order *o, int64_t now, int64_t *id /* OUT */,
			    struct fz_err *err);

enum fz_monitoring {
	FZ_MONITORING_NONE,
	FZ_MONITORING_ACTIVE,
	FZ_MONITORING_EXPIRED,
	FZ_MONITORING_PENDING
};
/* The monitoring of person_id at now: active when an order covers now (*start,
 * *end: that order), else pending (a later one), expired (the latest ended),
 * or none (no order; *start = *end = 0). */
enum fz_monitoring fz_correction_monitoring(struct fz_correction *c, const char *person_id,
					    int64_t now, int64_t *start /* OUT */,
					    int64_t *end /* OUT */);

/*
 * Violation cases (rules.json /case). fz_correction_case_map gives the case
 * type and the fields mapped from a violation alert (both borrowed for the
 * life of c), FZ_ENOTFOUND when the pack has no /case: serve hands them
 * to rules/alerts.h (fz_alerts_add_case_map, prefix "correction.").
 *
 * fz_correction_case_step and fz_correction_case_done are the case
 * engine's transition listener (cases/engine.h fz_engine_set_on_step; ctx
 * is the struct fz_correction). In the write of a step of a violation
 * case: the deciding step (/case/decide) records the case's sanction
 * field as a decision (correction_sanctions with the case's code, audit
 * correction.sanction: the same record as fz_correction_decide) after
 * checking the person is in the actor's scope; a step under
 * /case/only_after is refused (FZ_ECONFLICT) unless the case decided one
 * of the listed sanctions. After the commit the person's history counts
 * the decision. The step callback takes no lock (it runs on the store's
 * writer thread); done takes the mutex.
 */
struct fz_actor;
struct fz_case;
struct fz_db;
int fz_correction_case_map(const struct fz_correction *c, const char **type /* OUT */,
			   const cJSON **fields /* OUT */);
int fz_correction_case_step(void *ctx, struct fz_db *db, const struct fz_actor *a,
			    const struct fz_case *k, const char *transition, int64_t now,
			    struct fz_err *err);
void fz_correction_case_done(void *ctx, const struct fz_case *k, const char *transition);

/* The region path of person_id into out: 0 or FZ_ENOTFOUND. */
int fz_correction_person_path(struct fz_correction *c, const char *person_id, char out[128]);

void fz_correction_counts(struct fz_correction *c, struct fz_correction_counts *out /* OUT */);

#endif

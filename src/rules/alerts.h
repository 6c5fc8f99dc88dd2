/*
 * alerts: the live side of the rules engine. It owns the rule set loaded
 * from the app packs, is the record sink the ingest pipeline calls, turns
 * rule hits into stored alerts (one open alert per rule and subject,
 * updated as the evidence grows; a level changes only when evidence
 * changes) and carries the alert lifecycle: new -> acknowledged -> made
 * into a case through the case engine, or dismissed with a reason (counted
 * as a false positive of the rule).
 *
 * Rule state is not checkpointed: after a restart fz_alerts_rebuild()
 * replays the stored records of the rules' trigger types over the longest
 * window (fz_record_store_scan) with alert writes off, so state equals what
 * live evaluation built (see docs/internals/rules.md for why).
 *
 * Threads: the sink runs on the ingest thread; the lifecycle functions on
 * HTTP workers. The rule set is guarded by one mutex (held per record and
 * while a handler reads a rule), alerts change only through the store's
 * writer.
 */
#ifndef FZ_RULES_ALERTS_H
#define FZ_RULES_ALERTS_H

#include <stdint.h>

#include "core/json.h"
#include "datahub/record.h"
#include "rules/ruleset.h"
#include "store/alert_store.h"

struct fz_actor;
struct fz_audit_entry;
struct fz_case;
struct fz_db;
struct fz_engine;
struct fz_err;
struct fz_region_tree;
struct fz_store;

struct fz_alerts_config {
	struct fz_store *store;
	const struct fz_region_tree *regions;
	struct fz_engine *engine; /* for make-case; may be NULL */
	const char *apps_dir;
};

/* The scan of stored records (store/record_store.h's fz_record_store_scan). */
typedef int (*fz_alerts_scan_fn)(struct fz_db *db, const char *type_prefix, int64_t since,
				 int64_t until, fz_record_sink_fn fn, void *ctx, struct fz_err *err);

struct fz_alerts;

/* Loads the rules (pack problems in *report). Caller frees. */
int fz_alerts_new(const struct fz_alerts_config *cfg, struct fz_alerts **out /* OUT */,
		  struct fz_ruleset_report *report /* OUT */, struct fz_err *err);
void fz_alerts_free(struct fz_alerts *a);

/*
 * A listener told of every alert write a record caused (a new alert, or an
 * open one whose evidence grew), after it committed: how other engines
 * react to alerts without rules knowing them (serve wires dispatch here:
 * a red repeat-offender truck weighed again is pushed to the traffic
 * police). Called on the ingest thread with the rule set locked, so it
 * must only queue; never while state is rebuilt. Everything is borrowed
 * for the call.
 */
struct fz_alert_notice {
	const struct fz_alert *alert;	/* as stored; explanation is its JSON text */
	const char *prev_level;		/* the subject's level before the record */
	const struct fz_record *record; /* the record that changed it */
};
typedef void (*fz_alerts_notify_fn)(void *ctx, const struct fz_alert_notice *n);
/* Sets the listener (NULL: none). Before the ingest pipeline starts. */
void fz_alerts_set_notify(struct fz_alerts *a, fz_alerts_notify_fn fn, void *ctx);

/* The record sink (ctx is the fz_alerts), registered for every type ("")
 * so that rules of packs added by a reload see their records. */
int fz_alerts_sink(void *ctx, const struct fz_record *r);

/* Rebuilds rule state from stored records in [now - longest window, now). */
int fz_alerts_rebuild(struct fz_alerts *a, fz_alerts_scan_fn scan, int64_t now,
		      struct fz_err *err);

/*
 * Loads the rules of the packs again and rebuilds their state from stored
 * records (as at start). A pack refused now keeps its previous rules; the
 * problems are in *report. Records wait for the swap (the set is locked).
 */
int fz_alerts_reload(struct fz_alerts *a, fz_alerts_scan_fn scan, int64_t now,
		     struct fz_ruleset_report *report /* OUT */, struct fz_err *err);

/* Runs fn with the rule set locked. */
int fz_alerts_with_rules(struct fz_alerts *a, int (*fn)(void *ctx, struct fz_ruleset *s),
			 void *ctx);

/* Lifecycle. audit is the entry of the act with who, when and from where
 * filled (action, object and region are set here; it is appended in the
 * same transaction as the change); *out (may be NULL) is the alert
 * afterwards (caller releases). FZ_ECONFLICT when the alert is closed. */
int fz_alerts_acknowledge(struct fz_alerts *a, int64_t id, struct fz_audit_entry *audit,
			  int64_t now, struct fz_alert *out, struct fz_err *err);
int fz_alerts_dismiss(struct fz_alerts *a, int64_t id, struct fz_audit_entry *audit,
		      const char *reason, int64_t now, struct fz_alert *out, struct fz_err *err);
/* Opens a case of the rule's case type, with fields mapped from the alert;
 * the alert becomes "case" and names it. */
int fz_alerts_make_case(struct fz_alerts *a, const struct fz_actor *actor, int64_t id,
			struct fz_audit_entry *audit, int64_t now, struct fz_alert *out,
			struct fz_case *c /* OUT */, struct fz_err *err);

/*
 * How alerts that no rule of the set raised become cases: an engine that
 * writes alerts directly (correction: rule "correction.<kind>") maps the
 * rule names starting with prefix to a case type, with fields mapped from
 * the alert as a rule's "case" block does ("{subject}", "{alert_id}",
 * "{rule_title}", "{explanation}", or a member of the explanation, dotted
 * for a nested one: "{suggested.title}"). fields is copied. Before the
 * server takes requests; FZ_ENOMEM, or FZ_ETOOBIG past 8 maps.
 */
int fz_alerts_add_case_map(struct fz_alerts *a, const char *prefix, const char *type,
			   const cJSON *fields);

struct fz_store *fz_alerts_store(struct fz_alerts *a);
const char *fz_alerts_apps_dir(const struct fz_alerts *a);

/* Records seen and alert writes failed since start (for /metrics). */
void fz_alerts_counters(struct fz_alerts *a, uint64_t *records, uint64_t *failures);

#endif

/*
 * backtest: runs a rule (as stored in its pack, or an edited version sent
 * by the user) over stored history and reports what it would have raised,
 * without touching live alerts or live rule state: each job compiles its own
 * copy of the rule and reads records through fz_record_store_scan on a
 * reader connection, on a thread of its own. Jobs report progress (the
 * share of the time range read), can be cancelled, and are kept in memory
 * (the last FZ_BACKTEST_KEEP; a restart forgets them).
 *
 * Thread-safety: every function may be called from any thread.
 */
#ifndef FZ_RULES_BACKTEST_H
#define FZ_RULES_BACKTEST_H

#include <stdint.h>

#include "core/json.h"
#include "rules/alerts.h"

#define FZ_BACKTEST_KEEP 32
#define FZ_BACKTEST_RUNNING 2 /* at most this many at once */
#define FZ_BACKTEST_RESULTS 200

struct fz_backtests;
struct fz_store;

/* scan may be NULL when no record store exists: jobs then fail at once. */
int fz_backtests_new(struct fz_store *store, fz_alerts_scan_fn scan,
		     struct fz_backtests **out /* OUT */);
/* Cancels running jobs, waits for them, frees everything. */
void fz_backtests_free(struct fz_backtests *b);

/* Starts a job over [since, until) and takes ownership of rule (freed even
 * on failure). FZ_ELOCKED when FZ_BACKTEST_RUNNING jobs run already. */
int fz_backtest_start(struct fz_backtests *b, struct fz_rule *rule, int64_t since, int64_t until,
		      const char *who, int64_t now, int64_t *id /* OUT */, struct fz_err *err);
/* {id, rule, state, progress, records, evidence, raised, red, yellow,
 * results: [{subject, level, score, explanation}]}; NULL if unknown. */
cJSON *fz_backtest_status(struct fz_backtests *b, int64_t id);
/* Asks a job to stop; FZ_ENOTFOUND if unknown, FZ_ECONFLICT if finished. */
int fz_backtest_cancel(struct fz_backtests *b, int64_t id, struct fz_err *err);

#endif

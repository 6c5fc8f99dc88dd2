/*
 * rule: one early-warning rule of an app pack (apps/<pack>/rules/<name>.json,
 * with expressions in the declarative operator language of rules/expr.h or,
 * where that is not enough, functions of rules/<name>.lua run by the
 * sandboxed runtime of rules/script.h), compiled once, and its evaluation.
 *
 * A rule sees every record of its trigger types. Per record it computes its
 * `let` values (fields, expressions, lookups, Lua), applies its `filter`;
 * a record that passes is evidence: its `then` values are computed and it is
 * appended to the event list of each of its keys (the subject: a plate, an
 * id number; an array field gives one key per element). The key's windowed
 * aggregates (count, sum, max, min, distinct, last, hour-of-day and
 * hour-of-week histograms, decayed sums) are then taken over its events,
 * its contributions evaluated, summed into a score (or the `score`
 * expression), and the score compared with the level thresholds. The rule
 * reports the key through its emit callback whenever its evidence changed and
 * the level is yellow or red or was before: a level changes only when the
 * evidence changes. Records that fail the filter cost no state at all.
 *
 * Per-key state lives in an open-addressing hash table; each key keeps its
 * evidence events (time, record id, a bit per conditional aggregate and one
 * float per aggregate input) in time order, dropping those older than the
 * longest window, so windows slide exactly to the millisecond.
 *
 * Threads: a compiled rule and its state belong to one thread at a time
 * (the ingest thread for live rules; a backtest compiles its own copy).
 * fz_rule_free() releases everything.
 */
#ifndef FZ_RULES_RULE_H
#define FZ_RULES_RULE_H

#include <stddef.h>
#include <stdint.h>

#include "core/json.h"
#include "datahub/record.h"

struct fz_err;
struct fz_rule;

enum fz_level { FZ_LEVEL_NONE = 0, FZ_LEVEL_GREEN = 1, FZ_LEVEL_YELLOW = 2, FZ_LEVEL_RED = 3 };

/* "green", "yellow", "red" ("" for none); and back (0 when unknown). */
const char *fz_level_name(int level);
int fz_level_parse(const char *s);

/* What the rule reports about a key after its evidence changed. */
struct fz_rule_hit {
	struct fz_rule *rule;
	const char *key;	  /* the subject's identifier */
	const struct fz_record *record; /* the record that changed it */
	int level, prev_level;
	double score;
	const char *region; /* region of the record, "" if none */
};

/*
 * Called for each hit. Returns 0 or an error (counted by the caller). The
 * hit is borrowed for the call; fz_rule_explain() may be called inside.
 */
typedef int (*fz_rule_emit_fn)(void *ctx, const struct fz_rule_hit *hit);

/*
 * Compiles a rule from its JSON text (file names it in errors) and the text
 * of its Lua file (lua NULL when it has none). FZ_EINVAL with err naming the
 * file, the JSON pointer and, for Lua, its line. Caller frees.
 */
int fz_rule_compile(const char *pack, const char *file, const char *json, size_t len,
		    const char *lua_file, const char *lua, size_t lua_len,
		    struct fz_rule **out /* OUT */, struct fz_err *err);
void fz_rule_free(struct fz_rule *r);

/* Sets the callback for hits (NULL: none, e.g. while rebuilding state). */
void fz_rule_set_emit(struct fz_rule *r, fz_rule_emit_fn fn, void *ctx);

/* 1 when records of type trigger the rule. */
int fz_rule_triggers(const struct fz_rule *r, const char *type);

/*
 * Evaluates one record. Returns 0, or the first error of a Lua call or of
 * the emit callback (the record is still counted; state stays consistent).
 */
int fz_rule_eval(struct fz_rule *r, const struct fz_record *rec, struct fz_err *err);

/*
 * The explanation of key as of its latest evidence: {level, score,
 * contributions: [{id, text, points, basis, records: [ids]}], aggregates:
 * {name: value or {top...}}, records: [ids of every event]}. NULL when the
 * key has no state or on no memory. Caller frees.
 */
cJSON *fz_rule_explain(struct fz_rule *r, const char *key);

/* Accessors. Strings borrowed for the rule's life. */
const char *fz_rule_name(const struct fz_rule *r);  /* "overload.repeat_offender" */
const char *fz_rule_pack(const struct fz_rule *r);
const char *fz_rule_title(const struct fz_rule *r);
const char *fz_rule_subject_kind(const struct fz_rule *r);
const cJSON *fz_rule_definition(const struct fz_rule *r); /* the parsed JSON */
const char *fz_rule_lua_source(const struct fz_rule *r);   /* "" when none */
/* The case this rule's alerts become: type (NULL when none) and field map. */
const char *fz_rule_case_type(const struct fz_rule *r);
const cJSON *fz_rule_case_fields(const struct fz_rule *r);
/* The longest window in ms (how far back a rebuild must read). */
int64_t fz_rule_longest_window(const struct fz_rule *r);

struct fz_rule_stats {
	uint64_t records, evidence, hits, errors;
	size_t keys, events, state_bytes; /* tracked keys and their memory */
};
void fz_rule_stats(const struct fz_rule *r, struct fz_rule_stats *out /* OUT */);
/* Drops every key's state. */
void fz_rule_reset(struct fz_rule *r);

/* Iterates tracked keys: fn(ctx, key, level, score); stops on nonzero. */
int fz_rule_each_key(const struct fz_rule *r,
		     int (*fn)(void *ctx, const char *key, int level, double score), void *ctx);

#endif

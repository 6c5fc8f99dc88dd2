/*
 * ruleset: every rule of every app pack (apps/<pack>/rules/<name>.json with
 * an optional rules/<name>.lua beside it), loaded together. A pack with any
 * broken rule file is refused as a whole and reported (file, JSON pointer,
 * Lua line); the other packs load normally.
 *
 * The set is the record sink the ingest pipeline calls (fz_ruleset_sink,
 * registered for the types its rules trigger on): each record goes to every
 * rule whose triggers name its type. Hits go to the set's emit callback.
 * Like its rules, a set belongs to one thread at a time (the ingest thread).
 */
#ifndef FZ_RULES_RULESET_H
#define FZ_RULES_RULESET_H

#include <stddef.h>

#include "rules/rule.h"

#define FZ_RULESET_MAX_PROBLEMS 16

struct fz_ruleset_report {
	int packs, rules;
	int nproblems;
	char problems[FZ_RULESET_MAX_PROBLEMS][512]; /* "pack: file: /pointer: message" */
};

struct fz_ruleset;

/* Loads apps_dir (a missing dir gives an empty set). Problems go to report;
 * errors are only FZ_ENOMEM. Caller frees. */
int fz_ruleset_load(const char *apps_dir, struct fz_ruleset **out /* OUT */,
		    struct fz_ruleset_report *report /* OUT */, struct fz_err *err);
void fz_ruleset_free(struct fz_ruleset *s);

/* Compiles one rule file (and its Lua text, or NULL) as a pack would. */
int fz_ruleset_compile_file(const char *pack, const char *json_path, struct fz_rule **out,
			    struct fz_err *err);

size_t fz_ruleset_count(const struct fz_ruleset *s);
struct fz_rule *fz_ruleset_at(struct fz_ruleset *s, size_t i);
struct fz_rule *fz_ruleset_find(struct fz_ruleset *s, const char *name);

/* Moves every rule of pack from `from` into s (a refused pack keeps its
 * previous rules on reload). 0 or FZ_ENOMEM. */
int fz_ruleset_adopt_pack(struct fz_ruleset *s, struct fz_ruleset *from, const char *pack);

/* Sets emit on every rule. */
void fz_ruleset_set_emit(struct fz_ruleset *s, fz_rule_emit_fn fn, void *ctx);

/* The sink: ctx is the set. Returns the first rule error (logged). */
int fz_ruleset_sink(void *ctx, const struct fz_record *r);

#endif

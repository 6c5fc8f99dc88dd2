/*
 * casetype: a case type compiled from its definition in an app pack
 * (apps/<pack>/case-types/<type>.json). A type declares its fields, states,
 * transitions (who may take each: roles plus a relation to the case),
 * statutory clocks with their legal basis, its escalation ladder, the
 * documents a step needs, its colour palette and its code prefix; see
 * docs/internals/cases.md for the format.
 *
 * fz_casetype_compile() validates a definition and refuses it with an error
 * naming the file and the JSON pointer of the first problem. A compiled type
 * is immutable and owns its JSON tree (names point into it); it is shared by
 * every thread through the pack registry and freed with the registry
 * snapshot that holds it.
 */
#ifndef FZ_CASES_CASETYPE_H
#define FZ_CASES_CASETYPE_H

#include <stddef.h>
#include <stdint.h>

#include "core/json.h"

struct fz_err;

#define FZ_CT_MAX_FIELDS      48
#define FZ_CT_MAX_STATES      32
#define FZ_CT_MAX_TRANSITIONS 48
#define FZ_CT_MAX_CLOCKS      16
#define FZ_CT_MAX_LADDER      6
#define FZ_CT_MAX_DOCS	      24
#define FZ_CT_MAX_LEVELS      6
#define FZ_CT_MAX_LIST	      8

enum fz_field_kind {
	FZ_FIELD_STRING,
	FZ_FIELD_TEXT,
	FZ_FIELD_ENUM,
	FZ_FIELD_NUMBER,
	FZ_FIELD_DATE,
	FZ_FIELD_BOOL,
	FZ_FIELD_PHONE,
};

struct fz_ct_field {
	const char *name, *title;
	enum fz_field_kind kind;
	int required;
	int personal;	/* masked in lists, reading it in full is audited */
	size_t max_len; /* strings and texts, bytes */
	double min, max;
	const cJSON *options; /* enum: [{"value","title"}] */
};

struct fz_ct_state {
	const char *name, *title;
	int initial, final;
	const char *level; /* colour set on entering, or NULL */
};

/* Who may take a transition, besides holding one of its roles. */
enum fz_relation {
	FZ_REL_SCOPE,	  /* anyone with the role whose scope covers the case */
	FZ_REL_UNIT,	  /* a member of the unit the case is assigned to */
	FZ_REL_ORIGIN,	  /* a member of the unit that opened the case */
	FZ_REL_RECEIVING, /* a member of the unit a hand-off waits on */
	FZ_REL_OWNER,	  /* the leader who owns the case (领导包案) */
	FZ_REL_UNIT_OR_OWNER,
	FZ_REL_OBSERVER, /* a member of an observing unit (e.g. the procuratorate) */
};

enum fz_transition_kind {
	FZ_TR_MOVE,    /* state to state */
	FZ_TR_HANDOFF, /* offer the case to another unit; it waits in `to` */
	FZ_TR_ACCEPT,  /* the receiving unit takes the case */
	FZ_TR_REFUSE,  /* the receiving unit returns it with a reason code */
};

struct fz_ct_transition {
	const char *name, *title;
	enum fz_transition_kind kind;
	uint64_t from; /* bitmask of state indices */
	int to;	       /* state index */
	unsigned roles;
	enum fz_relation relation;
	int docs[FZ_CT_MAX_LIST], ndocs;	  /* documents required before */
	int fields[FZ_CT_MAX_LIST], nfields;	  /* fields required before */
	const char *set_level;			  /* colour set by this step, or NULL */
	const char *target_kinds[FZ_CT_MAX_LIST]; /* hand-off: unit kinds */
	int ntarget_kinds;
	const cJSON *reason_codes; /* refuse: [{"code","title"}] */
	int needs_outcome;	   /* closing steps record an outcome */
	int rung;		   /* move to this rung of the ladder, -1 for none */
};

enum fz_clock_unit { FZ_CLOCK_HOURS, FZ_CLOCK_DAYS, FZ_CLOCK_WORKDAYS };

struct fz_ct_clock {
	const char *name, *title, *basis;
	uint64_t states; /* runs while the case is in one of these */
	int64_t amount;
	enum fz_clock_unit unit;
	int next_workday;  /* a last day on a holiday moves to the next working day */
	int warn_permille; /* warn when this share of the time has passed */
	int escalate;	   /* a breach moves the case one step up the ladder */
};

struct fz_ct_rung {
	const char *name, *title;
	const char *region_level; /* village, township, district, city */
	const char *unit_kind;	  /* the unit that takes the case there, or NULL */
	int leader_owns;	  /* a leader at that level must own the case */
};

struct fz_ct_doc {
	const char *name, *title;
};

struct fz_casetype {
	char pack[32];
	char type[32];
	int version; /* assigned by the registry; definitions carry none */
	const char *title, *prefix;
	char digest[65]; /* SHA-256 of the definition text */
	char *text;	 /* the definition as loaded */
	cJSON *def;	 /* owned */

	struct fz_ct_field fields[FZ_CT_MAX_FIELDS];
	int nfields;
	struct fz_ct_state states[FZ_CT_MAX_STATES];
	int nstates, initial;
	struct fz_ct_transition transitions[FZ_CT_MAX_TRANSITIONS];
	int ntransitions;
	struct fz_ct_clock clocks[FZ_CT_MAX_CLOCKS];
	int nclocks;
	struct fz_ct_rung ladder[FZ_CT_MAX_LADDER];
	int nladder;
	struct fz_ct_doc docs[FZ_CT_MAX_DOCS];
	int ndocs;
	const char *levels[FZ_CT_MAX_LEVELS]; /* palette, e.g. red yellow green */
	const char *level_titles[FZ_CT_MAX_LEVELS];
	int nlevels;
	const char *initial_level;		    /* or NULL when the type has no colours */
	const char *resolved_level;		    /* only steps may set it, e.g. green */
	const char *observer_kinds[FZ_CT_MAX_LIST]; /* see every case of their district */
	int nobservers;
	int return_visit; /* closed cases get a return visit (回访) */
	int reopen_to;	  /* state index for reopening, -1 if not allowed */
};

/*
 * Compiles the definition text of pack/file. On success *out is a new type
 * (caller frees with fz_casetype_free). On failure FZ_EINVAL with err->msg
 * "apps/dispute/case-types/dispute.json: /transitions/3/to: ..." and
 * err->field the JSON pointer.
 */
int fz_casetype_compile(const char *pack, const char *file, const char *text, size_t len,
			struct fz_casetype **out /* OUT */, struct fz_err *err);
void fz_casetype_free(struct fz_casetype *t);

/* Index of a state, transition, field, document or clock by name; -1 if none. */
int fz_casetype_state(const struct fz_casetype *t, const char *name);
int fz_casetype_transition(const struct fz_casetype *t, const char *name);
int fz_casetype_field(const struct fz_casetype *t, const char *name);
int fz_casetype_doc(const struct fz_casetype *t, const char *name);
/* 1 when level is in the palette. */
int fz_casetype_has_level(const struct fz_casetype *t, const char *level);

/*
 * Validates case field values (an object) against the type: unknown fields,
 * types, lengths, enum options, ranges. With `complete`, required fields
 * must be present. FZ_EINVAL naming "fields/<name>".
 */
int fz_casetype_check_fields(const struct fz_casetype *t, const cJSON *values, int complete,
			     struct fz_err *err);

#endif

/*
 * clock (clocks/clock.h; not core/clock.h, which tells the time): one
 * statutory clock of a case, as a value: when it started, its period
 * (clocks/deadline.h), the pauses (中止: who paused it, why, from when to
 * when) and the extensions (延长: by how much, why, who approved). Its
 * state at any instant is a pure function of that history, so a scheduler
 * that was down can ask about any past instant and get the answer it would
 * have got then.
 *
 * Conventions (docs/internals/clocks.md):
 * - Paused time does not count. For hours the clock stops to the
 *   millisecond. For days and workdays the days counted before a pause stay
 *   counted, and at resumption the remaining days are counted afresh from
 *   the resume instant with the same rule as at the start: the resume day
 *   is not counted, the rest ends at 24:00 of its last day (so any pause
 *   that touches a day gives that day back, and a workdays clock's
 *   remaining working days shift past the pause).
 * - A clock that ran out before a pause began stays overdue: the pause
 *   does not revive it; an extension does.
 * - Extensions are in the clock's unit and add to the amount from the
 *   instant they were granted (`at`); an extension granted after the clock
 *   ran out revives it from then on.
 *
 * Not thread-safe: a clock belongs to whoever holds it (the case engine
 * copies it under its own locking). fz_clock_status() only reads it and the
 * calendar.
 */
#ifndef FZ_CLOCKS_CLOCK_H
#define FZ_CLOCKS_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "clocks/deadline.h"

struct fz_calendar;
struct fz_err;

#define FZ_CLOCK_MAX_PAUSES	64
#define FZ_CLOCK_MAX_EXTENSIONS 16
#define FZ_CLOCK_MAX_REASON	255 /* bytes */
#define FZ_CLOCK_MAX_WHO	63  /* bytes */

struct fz_clock_pause {
	int64_t from; /* UTC ms */
	int64_t to;   /* UTC ms; 0 while the pause lasts */
	char reason[FZ_CLOCK_MAX_REASON + 1];
	char by[FZ_CLOCK_MAX_WHO + 1];
};

struct fz_clock_extension {
	int64_t amount; /* in the clock's unit, > 0 */
	int64_t at;	/* when it was granted */
	char reason[FZ_CLOCK_MAX_REASON + 1];
	char approver[FZ_CLOCK_MAX_WHO + 1];
};

struct fz_clock {
	int64_t start; /* UTC ms */
	struct fz_period period;
	struct fz_clock_pause *pauses; /* in time order */
	size_t npauses;
	struct fz_clock_extension *extensions; /* in the order granted */
	size_t nextensions;
};

struct fz_clock_status {
	int64_t amount;	   /* the period's amount plus the extensions granted by now */
	int64_t due;	   /* UTC ms the clock runs out; while paused: if it resumed now */
	int64_t left_ms;   /* due - now; negative once overdue */
	int64_t left;	   /* in the clock's unit: hours begun, or days / working days after
			      today up to the last day (0 on the last day); while paused the
			      unused amount */
	int64_t paused_ms; /* time spent paused up to now */
	int paused;	   /* a pause lasts at now; schedulers skip paused clocks */
	int overdue;	   /* now >= due */
};

/* A running clock without pauses or extensions. Cannot fail (the period is
 * checked by fz_clock_status). */
void fz_clock_init(struct fz_clock *c, int64_t start, const struct fz_period *p);
/* Frees the pause and extension lists. */
void fz_clock_release(struct fz_clock *c);

/*
 * Pauses at `at` with a reason and who paused it (both required, at most
 * FZ_CLOCK_MAX_REASON / FZ_CLOCK_MAX_WHO bytes). FZ_ECONFLICT when already
 * paused, FZ_EINVAL (naming "at", "reason" or "by") for a time before the
 * start or the last resumption or a missing text, FZ_ETOOBIG past
 * FZ_CLOCK_MAX_PAUSES, FZ_ENOMEM. On error c is unchanged.
 */
int fz_clock_pause(struct fz_clock *c, int64_t at, const char *reason, const char *by,
		   struct fz_err *err);
/* Ends the pause at `at`. FZ_ECONFLICT when not paused, FZ_EINVAL for a
 * time before the pause began. */
int fz_clock_resume(struct fz_clock *c, int64_t at, struct fz_err *err);
/*
 * Extends by amount (in the clock's unit) with a reason and an approver,
 * granted at `at`. FZ_EINVAL (naming "amount", "reason" or "approver") for
 * an amount < 1, a total past the unit's maximum or a missing text;
 * FZ_ETOOBIG past FZ_CLOCK_MAX_EXTENSIONS; FZ_ENOMEM.
 */
int fz_clock_extend(struct fz_clock *c, int64_t amount, const char *reason, const char *approver,
		    int64_t at, struct fz_err *err);
/* 1 while the last pause has not ended. */
int fz_clock_paused(const struct fz_clock *c);

/*
 * The clock at instant now: only pauses begun and extensions granted by now
 * count, and a pause ending after now is treated as lasting. Errors: those
 * of fz_deadline_compute (FZ_EINVAL for a bad period, FZ_ENOTFOUND when a
 * day it must count is in a year cal does not cover).
 */
int fz_clock_status(const struct fz_clock *c, const struct fz_calendar *cal, int64_t now,
		    struct fz_clock_status *out /* OUT */, struct fz_err *err);

#endif

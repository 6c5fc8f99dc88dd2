/*
 * deadline: when a statutory period ends, counted the way Chinese law counts
 * (docs/internals/clocks.md has the conventions with their legal basis):
 *
 * - hours run continuously from the start instant, through nights and
 *   holidays (民法典 Art. 201(2));
 * - days (natural days) do not count the start day: the period starts the
 *   next day, and ends at 24:00 Asia/Shanghai of its last day (民法典 Art.
 *   201(1), 203(2); 民事诉讼法 Art. 85);
 * - workdays (法定工作日) also start the day after the start day and count
 *   only working days: Saturdays, Sundays and holidays are skipped, make-up
 *   working days (调休) count (行政处罚法 Art. 85 uses them);
 * - the rule next_workday: when the last day is not a working day (a
 *   holiday or a weekend that is no make-up day), the period ends on the
 *   next working day (民事诉讼法 Art. 85, applied to administrative cases by
 *   行政诉讼法 Art. 101; 民法典 Art. 203).
 *   It never moves a workdays period, and does not apply to hours.
 *
 * "24:00 of day D" is represented by the instant 00:00 of D + 1: a period is
 * over when now >= due.
 *
 * Pure functions of their arguments (no store, no clock): any thread, with a
 * calendar reference held for the call. Only the days that the count looks
 * at must be covered by the calendar (hours and natural days without the
 * rule need none); an uncovered year gives FZ_ENOTFOUND naming it.
 */
#ifndef FZ_CLOCKS_DEADLINE_H
#define FZ_CLOCKS_DEADLINE_H

#include <stddef.h>
#include <stdint.h>

#include "clocks/calendar.h"

struct cJSON;
struct fz_err;

enum fz_period_unit {
	FZ_UNIT_HOURS = 1,
	FZ_UNIT_DAYS,	  /* natural days */
	FZ_UNIT_WORKDAYS, /* 法定工作日 */
};

enum fz_period_rule {
	FZ_RULE_NONE = 0,
	FZ_RULE_NEXT_WORKDAY, /* a last day that is not a working day moves to the next one */
};

/* Largest amounts: ten years of each. */
#define FZ_PERIOD_MAX_HOURS    87840
#define FZ_PERIOD_MAX_DAYS     3660
#define FZ_PERIOD_MAX_WORKDAYS 2500

struct fz_period {
	enum fz_period_unit unit;
	int64_t amount;
	enum fz_period_rule rule;
};

/* "hours", "days", "workdays"; "" for an unknown unit. Static. */
const char *fz_period_unit_name(enum fz_period_unit unit);
/* "小时", "日", "个工作日". Static. */
const char *fz_period_unit_label(enum fz_period_unit unit);
/* "none", "next_workday". Static. */
const char *fz_period_rule_name(enum fz_period_rule rule);
/* Names back to values. 0 or FZ_EINVAL; a NULL or empty rule is "none". */
int fz_period_parse_unit(const char *s, enum fz_period_unit *out /* OUT */);
int fz_period_parse_rule(const char *s, enum fz_period_rule *out /* OUT */);
/*
 * A period a user may ask for: amount from 1 to the unit's maximum, and no
 * rule with hours. 0 or FZ_EINVAL naming "amount", "unit" or "rule".
 */
int fz_period_check(const struct fz_period *p, struct fz_err *err);
/* The counting convention of p with its legal basis, in Chinese. Static. */
const char *fz_period_basis(const struct fz_period *p);

/* A day that the count skipped or counted specially, with why. */
struct fz_deadline_day {
	int32_t day;
	enum fz_day_kind kind;
	char name[FZ_CALENDAR_MAX_NAME + 8]; /* "春节", or "" for a plain weekend */
};

struct fz_deadline {
	int64_t start;
	struct fz_period period;
	int64_t due;		  /* UTC ms at which the period is over */
	int32_t last_day;	  /* the period's last day (for hours: the day of due) */
	int32_t nominal_last_day; /* before next_workday moved it (== last_day if it did not) */
	/* workdays: the days not counted; days with next_workday: the days the
	 * end moved over. In day order. */
	struct fz_deadline_day *skipped;
	size_t nskipped;
	struct fz_deadline_day *makeup; /* make-up working days that were counted */
	size_t nmakeup;
	int missing_year; /* after FZ_ENOTFOUND: the year the calendar lacks */
};

/* Empty. Cannot fail. */
void fz_deadline_init(struct fz_deadline *d);
/* Frees the day lists; d is empty afterwards. */
void fz_deadline_release(struct fz_deadline *d);

/*
 * Computes the end of period p starting at start (UTC ms) into d, with the
 * days skipped and the make-up days counted. amount may be 0 (the period
 * ends at 24:00 of the start day, or for hours at start). Returns 0,
 * FZ_EINVAL for a bad period, FZ_ENOTFOUND (machine calendar_year_missing,
 * d->missing_year set) when a day the count needs is in a year cal does not
 * cover, FZ_ENOMEM. d is initialised by the call; release it in every case.
 */
int fz_deadline_compute(struct fz_deadline *d, const struct fz_calendar *cal, int64_t start,
			const struct fz_period *p, struct fz_err *err);

/* The same end, without the explanation and without allocating. */
int fz_deadline_due(const struct fz_calendar *cal, int64_t start, const struct fz_period *p,
		    int64_t *due /* OUT */, struct fz_err *err);

/*
 * The number of days of unit (days: every day; workdays: working days)
 * strictly between day after and day before, into *n (0 if before <= after
 * + 1). Errors as fz_deadline_compute.
 */
int fz_deadline_count(const struct fz_calendar *cal, enum fz_period_unit unit, int32_t after,
		      int32_t before, int64_t *n /* OUT */, struct fz_err *err);

/*
 * The end as a reader of the law writes it, Asia/Shanghai: "2026-10-09
 * 24:00" for days and workdays, "2026-03-03 09:00" for hours. Returns out
 * (at least 24 bytes).
 */
char *fz_deadline_local(const struct fz_deadline *d, char *out, size_t size);

/*
 * The one JSON rendering of a computed deadline (GET /api/v1/calendar/deadline
 * and `fazhi calendar deadline --json`): start, amount, unit, rule,
 * deadline (RFC 3339 UTC), deadline_local, last_day, nominal_last_day,
 * skipped and makeup_days ([{date, weekday, kind, reason}]), basis, and the
 * calendar years consulted with their sources. cal may be NULL. Caller
 * frees with cJSON_Delete(); NULL on no memory.
 */
struct cJSON *fz_deadline_json(const struct fz_deadline *d, const struct fz_calendar *cal);

#endif

/*
 * Unit tests of clocks/deadline: deadlines computed by hand from the State
 * Council's 2025 and 2026 arrangements (tests/unit/clocks/fixture.h) across
 * the Spring Festival and National Day holidays, with make-up working days,
 * the next_workday rule, hours across midnight, and a year not covered.
 *
 * Every expectation below was counted on a paper calendar; the comment
 * above each says how.
 */
#include "support.h"

#include "fixture.h"

#include "clocks/deadline.h"
#include "core/clock.h"
#include "core/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct fz_calendar *cal;

static int load(void **state)
{
	struct fz_err err;

	fz_err_init(&err);
	cal = fz_calendar_new();
	if (fz_calendar_load_json(cal, notices_2025_2026, strlen(notices_2025_2026), NULL, 0, &err))
		fail_msg("fixture: %s", err.msg);
	return 0;
}

static int unload(void **state)
{
	fz_calendar_unref(cal);
	return 0;
}

static int64_t T(const char *rfc3339)
{
	int64_t ms;

	if (fz_time_parse(rfc3339, &ms))
		fail_msg("bad time %s in a test", rfc3339);
	return ms;
}

static const char *dates(const struct fz_deadline_day *list, size_t n, char *out, size_t size)
{
	size_t at = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && at + 16 < size; i++) {
		char d[16];
		at += (size_t)snprintf(out + at, size - at, "%s%s", i ? " " : "",
				       fz_calendar_day_format(list[i].day, d, sizeof(d)) + 5);
	}
	return out;
}

/*
 * Computes and checks: the deadline (RFC 3339 UTC), its local rendering, the
 * skipped days and the make-up days counted (as "MM-DD MM-DD ...").
 */
static void expect(const char *start, int64_t amount, enum fz_period_unit unit,
		   enum fz_period_rule rule, const char *due, const char *local,
		   const char *skipped, const char *makeup)
{
	struct fz_period p = { unit, amount, rule };
	struct fz_deadline d;
	struct fz_err err;
	char buf[1024], t[40];
	int64_t quick = 0;

	fz_err_init(&err);
	if (fz_deadline_compute(&d, cal, T(start), &p, &err))
		fail_msg("%s + %lld %s: %s", start, (long long)amount, fz_period_unit_name(unit),
			 err.msg);
	if (d.due != T(due))
		fail_msg("%s + %lld %s%s: due %s, expected %s", start, (long long)amount,
			 fz_period_unit_name(unit), rule ? " next_workday" : "",
			 fz_time_format(d.due, t, sizeof(t)), due);
	assert_string_equal(fz_deadline_local(&d, buf, sizeof(buf)), local);
	assert_string_equal(dates(d.skipped, d.nskipped, buf, sizeof(buf)), skipped);
	assert_string_equal(dates(d.makeup, d.nmakeup, buf, sizeof(buf)), makeup);
	assert_int_equal(fz_deadline_due(cal, T(start), &p, &quick, &err), 0);
	assert_int_equal(quick, d.due);
	fz_deadline_release(&d);
}

/*
 * 2026 Spring Festival: off 2-15 (Sun) to 2-23 (Mon); at work Sat 2-14 and
 * Sat 2-28. From Thu 2-12, 5 working days: Fri 2-13 (1), Sat 2-14 make-up
 * (2), nine days off, Tue 2-24 (3), Wed 2-25 (4), Thu 2-26 (5).
 */
static void workdays_across_spring_festival_2026(void **state)
{
	expect("2026-02-12T10:00:00+08:00", 5, FZ_UNIT_WORKDAYS, FZ_RULE_NONE,
	       "2026-02-26T16:00:00Z", "2026-02-26 24:00",
	       "02-15 02-16 02-17 02-18 02-19 02-20 02-21 02-22 02-23", "02-14");
	/* the start day does not count, even at 00:00: from Fri 2-13 00:00 the
	 * first working day is Sat 2-14 */
	expect("2026-02-13T00:00:00+08:00", 1, FZ_UNIT_WORKDAYS, FZ_RULE_NONE,
	       "2026-02-14T16:00:00Z", "2026-02-14 24:00", "", "02-14");
	/* 2026-02-13T16:30Z is 00:30 on Sat 2-14 in Shanghai: the next working
	 * day after 2-14 is Tue 2-24 */
	expect("2026-02-13T16:30:00Z", 1, FZ_UNIT_WORKDAYS, FZ_RULE_NONE, "2026-02-24T16:00:00Z",
	       "2026-02-24 24:00", "02-15 02-16 02-17 02-18 02-19 02-20 02-21 02-22 02-23", "");
	/* 10 working days from Mon 2-23 (a holiday): 2-24..2-27 (4), Sat 2-28
	 * make-up (5), 3-2..3-6 (10) */
	expect("2026-02-23T09:00:00+08:00", 10, FZ_UNIT_WORKDAYS, FZ_RULE_NONE,
	       "2026-03-06T16:00:00Z", "2026-03-06 24:00", "03-01", "02-28");
}

/*
 * 2025 Spring Festival: off 1-28 (Tue) to 2-4 (Tue); at work Sun 1-26 and
 * Sat 2-8. From Fri 1-24, 7 working days: Sat 1-25 off, Sun 1-26 make-up
 * (1), Mon 1-27 (2), eight days off, Wed 2-5 (3) .. Fri 2-7 (5), Sat 2-8
 * make-up (6), Sun 2-9 off, Mon 2-10 (7).
 */
static void workdays_across_spring_festival_2025(void **state)
{
	expect("2025-01-24T17:45:00+08:00", 7, FZ_UNIT_WORKDAYS, FZ_RULE_NONE,
	       "2025-02-10T16:00:00Z", "2025-02-10 24:00",
	       "01-25 01-28 01-29 01-30 01-31 02-01 02-02 02-03 02-04 02-09", "01-26 02-08");
}

/*
 * 2025 National Day and Mid-Autumn: off 10-1 (Wed) to 10-8 (Wed); at work
 * Sun 9-28 and Sat 10-11. From Fri 9-26, 7 working days: Sat 9-27 off, Sun
 * 9-28 make-up (1), 9-29 (2), 9-30 (3), eight days off, Thu 10-9 (4), Fri
 * 10-10 (5), Sat 10-11 make-up (6), Sun 10-12 off, Mon 10-13 (7).
 */
static void workdays_across_national_day_2025(void **state)
{
	expect("2025-09-26T15:00:00+08:00", 7, FZ_UNIT_WORKDAYS, FZ_RULE_NONE,
	       "2025-10-13T16:00:00Z", "2025-10-13 24:00",
	       "09-27 10-01 10-02 10-03 10-04 10-05 10-06 10-07 10-08 10-12", "09-28 10-11");
	/* from a holiday (10-1), 3 working days: 10-9, 10-10, Sat 10-11 */
	expect("2025-10-01T10:00:00+08:00", 3, FZ_UNIT_WORKDAYS, FZ_RULE_NONE,
	       "2025-10-11T16:00:00Z", "2025-10-11 24:00",
	       "10-02 10-03 10-04 10-05 10-06 10-07 10-08", "10-11");
	/* the rule never moves a working-days period */
	expect("2025-10-01T10:00:00+08:00", 3, FZ_UNIT_WORKDAYS, FZ_RULE_NEXT_WORKDAY,
	       "2025-10-11T16:00:00Z", "2025-10-11 24:00",
	       "10-02 10-03 10-04 10-05 10-06 10-07 10-08", "10-11");
}

/*
 * 2026 National Day: off 10-1 (Thu) to 10-7 (Wed), Mid-Autumn 9-25..9-27;
 * at work Sun 9-20 and Sat 10-10. From Mon 9-21, 5 working days: 9-22 (1),
 * 9-23 (2), 9-24 (3), 9-25..9-27 off, 9-28 (4), 9-29 (5).
 */
static void workdays_across_national_day_2026(void **state)
{
	expect("2026-09-21T08:00:00+08:00", 5, FZ_UNIT_WORKDAYS, FZ_RULE_NONE,
	       "2026-09-29T16:00:00Z", "2026-09-29 24:00", "09-25 09-26 09-27", "");
	/* from Tue 9-29, 5 working days: 9-30 (1), seven days off, 10-8 (2),
	 * 10-9 (3), Sat 10-10 make-up (4), Sun 10-11 off, 10-12 (5) */
	expect("2026-09-29T08:00:00+08:00", 5, FZ_UNIT_WORKDAYS, FZ_RULE_NONE,
	       "2026-10-12T16:00:00Z", "2026-10-12 24:00",
	       "10-01 10-02 10-03 10-04 10-05 10-06 10-07 10-11", "10-10");
}

/*
 * Natural days. From Wed 2026-9-23, 10 days end on Sat 10-3, a National Day
 * holiday: without the rule at 10-3 24:00; with it the end moves over
 * 10-3..10-7 to Thu 10-8.
 */
static void days_and_the_next_workday_rule_national_day_2026(void **state)
{
	expect("2026-09-23T09:00:00+08:00", 10, FZ_UNIT_DAYS, FZ_RULE_NONE, "2026-10-03T16:00:00Z",
	       "2026-10-03 24:00", "", "");
	expect("2026-09-23T09:00:00+08:00", 10, FZ_UNIT_DAYS, FZ_RULE_NEXT_WORKDAY,
	       "2026-10-08T16:00:00Z", "2026-10-08 24:00", "10-03 10-04 10-05 10-06 10-07", "");
	/* from Wed 9-30, 10 days end on Sat 10-10, a make-up working day: it stays */
	expect("2026-09-30T09:00:00+08:00", 10, FZ_UNIT_DAYS, FZ_RULE_NEXT_WORKDAY,
	       "2026-10-10T16:00:00Z", "2026-10-10 24:00", "", "");
}

/*
 * From Sat 2025-1-18, 15 days end on Sun 2-2, inside the Spring Festival:
 * the rule moves the end over 2-2, 2-3, 2-4 to Wed 2-5. From Wed 2026-3-4,
 * 10 days end on Sat 3-14, a plain weekend: moved to Mon 3-16.
 */
static void days_and_the_next_workday_rule_spring_festival_2025(void **state)
{
	expect("2025-01-18T11:00:00+08:00", 15, FZ_UNIT_DAYS, FZ_RULE_NEXT_WORKDAY,
	       "2025-02-05T16:00:00Z", "2025-02-05 24:00", "02-02 02-03 02-04", "");
	expect("2026-03-04T11:00:00+08:00", 10, FZ_UNIT_DAYS, FZ_RULE_NEXT_WORKDAY,
	       "2026-03-16T16:00:00Z", "2026-03-16 24:00", "03-14 03-15", "");
	/* a 30-day period ending on a working day is 30 days and no more */
	expect("2025-12-01T10:00:00+08:00", 30, FZ_UNIT_DAYS, FZ_RULE_NEXT_WORKDAY,
	       "2025-12-31T16:00:00Z", "2025-12-31 24:00", "", "");
}

/* Hours run on through midnight and holidays. */
static void hours_run_continuously(void **state)
{
	/* Sat 2026-2-14 (a make-up day) 22:30 + 24 h: Sun 2-15 22:30, a holiday */
	expect("2026-02-14T22:30:00+08:00", 24, FZ_UNIT_HOURS, FZ_RULE_NONE, "2026-02-15T14:30:00Z",
	       "2026-02-15 22:30", "", "");
	/* 23:00 + 2 h is 01:00 the next day */
	expect("2026-09-30T23:00:00+08:00", 2, FZ_UNIT_HOURS, FZ_RULE_NONE, "2026-09-30T17:00:00Z",
	       "2026-10-01 01:00", "", "");
	/* 72 h from 2025-9-30 09:15:30 through the holiday */
	expect("2025-09-30T09:15:30+08:00", 72, FZ_UNIT_HOURS, FZ_RULE_NONE, "2025-10-03T01:15:30Z",
	       "2025-10-03 09:15:30", "", "");
}

static void a_year_not_covered_is_named(void **state)
{
	struct fz_period p = { FZ_UNIT_WORKDAYS, 5, FZ_RULE_NONE };
	struct fz_deadline d;
	struct fz_err err;
	int64_t due;

	/* from Mon 2026-12-28: 12-29, 12-30, 12-31, then 2027, which nobody loaded */
	fz_err_init(&err);
	assert_int_equal(fz_deadline_compute(&d, cal, T("2026-12-28T09:00:00+08:00"), &p, &err),
			 FZ_ENOTFOUND);
	assert_int_equal(d.missing_year, 2027);
	assert_string_equal(err.machine, "calendar_year_missing");
	assert_non_null(strstr(err.msg, "2027 年的节假日安排尚未导入"));
	fz_deadline_release(&d);

	/* natural days need no calendar; with the rule, the last day's year must be known */
	p.unit = FZ_UNIT_DAYS;
	p.amount = 10;
	fz_err_init(&err);
	assert_int_equal(fz_deadline_due(cal, T("2027-03-01T09:00:00+08:00"), &p, &due, &err), 0);
	assert_int_equal(due, T("2027-03-11T16:00:00Z"));
	p.rule = FZ_RULE_NEXT_WORKDAY;
	assert_int_equal(fz_deadline_due(cal, T("2026-12-25T09:00:00+08:00"), &p, &due, &err),
			 FZ_ENOTFOUND);
	/* an empty calendar covers nothing */
	fz_err_init(&err);
	p.unit = FZ_UNIT_WORKDAYS;
	assert_int_equal(fz_deadline_due(NULL, T("2026-03-02T09:00:00+08:00"), &p, &due, &err),
			 FZ_ENOTFOUND);
}

static void periods_are_checked(void **state)
{
	static const struct {
		struct fz_period p;
		const char *field;
	} bad[] = {
		{ { FZ_UNIT_DAYS, 0, FZ_RULE_NONE }, "amount" },
		{ { FZ_UNIT_DAYS, -3, FZ_RULE_NONE }, "amount" },
		{ { FZ_UNIT_DAYS, FZ_PERIOD_MAX_DAYS + 1, FZ_RULE_NONE }, "amount" },
		{ { FZ_UNIT_WORKDAYS, FZ_PERIOD_MAX_WORKDAYS + 1, FZ_RULE_NONE }, "amount" },
		{ { FZ_UNIT_HOURS, 5, FZ_RULE_NEXT_WORKDAY }, "rule" },
		{ { (enum fz_period_unit)9, 5, FZ_RULE_NONE }, "unit" },
	};
	enum fz_period_unit u;
	enum fz_period_rule r;
	struct fz_period ok = { FZ_UNIT_HOURS, FZ_PERIOD_MAX_HOURS, FZ_RULE_NONE };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fz_err err;
		fz_err_init(&err);
		assert_int_equal(fz_period_check(&bad[i].p, &err), FZ_EINVAL);
		assert_string_equal(err.field, bad[i].field);
	}
	assert_int_equal(fz_period_check(&ok, NULL), 0);
	assert_int_equal(fz_period_parse_unit("workdays", &u), 0);
	assert_int_equal(u, FZ_UNIT_WORKDAYS);
	assert_int_equal(fz_period_parse_unit("weeks", &u), FZ_EINVAL);
	assert_int_equal(fz_period_parse_rule(NULL, &r), 0);
	assert_int_equal(r, FZ_RULE_NONE);
	assert_int_equal(fz_period_parse_rule("next_workday", &r), 0);
	assert_int_equal(r, FZ_RULE_NEXT_WORKDAY);
	assert_int_equal(fz_period_parse_rule("next_holiday", &r), FZ_EINVAL);
	assert_non_null(strstr(fz_period_basis(&(struct fz_period){ FZ_UNIT_WORKDAYS, 5, 0 }),
			       "行政处罚法》第八十五条"));
	assert_non_null(strstr(fz_period_basis(&(struct fz_period){ FZ_UNIT_DAYS, 5, 1 }),
			       "民事诉讼法》第八十五条"));
}

static void working_days_between(void **state)
{
	int64_t n = -1;
	int32_t a, b;

	/* strictly between Thu 2026-2-12 and Wed 2026-2-25: 2-13, Sat 2-14, 2-24 */
	assert_int_equal(fz_calendar_day_parse("2026-02-12", &a), 0);
	assert_int_equal(fz_calendar_day_parse("2026-02-25", &b), 0);
	assert_int_equal(fz_deadline_count(cal, FZ_UNIT_WORKDAYS, a, b, &n, NULL), 0);
	assert_int_equal(n, 3);
	assert_int_equal(fz_deadline_count(cal, FZ_UNIT_DAYS, a, b, &n, NULL), 0);
	assert_int_equal(n, 12);
	assert_int_equal(fz_deadline_count(cal, FZ_UNIT_WORKDAYS, b, a, &n, NULL), 0);
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(workdays_across_spring_festival_2026),
		cmocka_unit_test(workdays_across_spring_festival_2025),
		cmocka_unit_test(workdays_across_national_day_2025),
		cmocka_unit_test(workdays_across_national_day_2026),
		cmocka_unit_test(days_and_the_next_workday_rule_national_day_2026),
		cmocka_unit_test(days_and_the_next_workday_rule_spring_festival_2025),
		cmocka_unit_test(hours_run_continuously),
		cmocka_unit_test(a_year_not_covered_is_named),
		cmocka_unit_test(periods_are_checked),
		cmocka_unit_test(working_days_between),
	};

	return cmocka_run_group_tests(tests, load, unload);
}

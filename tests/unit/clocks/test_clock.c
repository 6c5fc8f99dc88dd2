/*
 * Unit tests of clocks/clock: a case's statutory clock with pauses and
 * extensions, counted by hand on the 2026 calendar (fixture.h): paused time
 * does not count, a working-days clock's remaining days shift past the
 * pause (and past the Spring Festival), extensions count from when they
 * were granted, and the state at any instant depends only on the history up
 * to that instant.
 */
#include "support.h"

#include "fixture.h"

#include "clocks/clock.h"
#include "core/clock.h"
#include "core/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOUR 3600000LL

static struct fz_calendar *cal;

static int load(void **state)
{
	cal = fz_calendar_new();
	if (fz_calendar_load_json(cal, notices_2025_2026, strlen(notices_2025_2026), NULL, 0, NULL))
		fail_msg("fixture refused");
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

static struct fz_clock_status at(const struct fz_clock *c, const char *now)
{
	struct fz_clock_status st;
	struct fz_err err;

	fz_err_init(&err);
	if (fz_clock_status(c, cal, T(now), &st, &err))
		fail_msg("status at %s: %s", now, err.msg);
	return st;
}

static void expect_due(const struct fz_clock_status *st, const char *due)
{
	char t[40];

	if (st->due != T(due))
		fail_msg("due %s, expected %s", fz_time_format(st->due, t, sizeof(t)), due);
}

static void pause_ok(struct fz_clock *c, const char *from, const char *to)
{
	struct fz_err err;

	fz_err_init(&err);
	if (fz_clock_pause(c, T(from), "等待鉴定意见", "handler.330702001", &err) ||
	    (to && fz_clock_resume(c, T(to), &err)))
		fail_msg("pause %s-%s: %s", from, to ? to : "", err.msg);
}

/* 48 h from Mon 9:00; paused 15:00 Mon to 15:00 Tue after 6 h: 42 h remain. */
static void hours_stop_while_paused(void **state)
{
	struct fz_period p = { FZ_UNIT_HOURS, 48, FZ_RULE_NONE };
	struct fz_clock c;
	struct fz_clock_status st;

	fz_clock_init(&c, T("2026-03-02T09:00:00+08:00"), &p);
	st = at(&c, "2026-03-02T12:00:00+08:00");
	expect_due(&st, "2026-03-04T09:00:00+08:00");
	assert_int_equal(st.left, 45);
	assert_false(st.paused);

	pause_ok(&c, "2026-03-02T15:00:00+08:00", NULL);
	assert_true(fz_clock_paused(&c));
	st = at(&c, "2026-03-02T20:00:00+08:00");
	assert_true(st.paused);
	assert_int_equal(st.paused_ms, 5 * HOUR);
	assert_int_equal(st.left, 42);
	expect_due(&st, "2026-03-04T14:00:00+08:00"); /* if it resumed at 20:00 */

	assert_int_equal(fz_clock_resume(&c, T("2026-03-03T15:00:00+08:00"), NULL), 0);
	st = at(&c, "2026-03-04T09:00:00+08:00");
	assert_false(st.paused);
	expect_due(&st, "2026-03-05T09:00:00+08:00");
	assert_int_equal(st.left_ms, 24 * HOUR);
	assert_int_equal(st.left, 24);
	assert_int_equal(st.paused_ms, 24 * HOUR);
	st = at(&c, "2026-03-05T09:00:00+08:00");
	assert_true(st.overdue);
	assert_int_equal(st.left, 0);
	/* the history is what counts: asked about Monday noon, the later pause does not exist */
	st = at(&c, "2026-03-02T12:00:00+08:00");
	expect_due(&st, "2026-03-04T09:00:00+08:00");
	assert_int_equal(st.paused_ms, 0);
	fz_clock_release(&c);
}

/*
 * 5 working days from Mon 2026-3-2 would end Mon 3-9. Paused Wed 3-4 10:00
 * after one working day (Tue 3-3); resumed Tue 3-10 11:00, the remaining 4
 * count from Wed 3-11: 3-11, 3-12, 3-13, Mon 3-16.
 */
static void workdays_shift_past_a_pause(void **state)
{
	struct fz_period p = { FZ_UNIT_WORKDAYS, 5, FZ_RULE_NONE };
	struct fz_clock c;
	struct fz_clock_status st;

	fz_clock_init(&c, T("2026-03-02T09:00:00+08:00"), &p);
	st = at(&c, "2026-03-03T12:00:00+08:00");
	expect_due(&st, "2026-03-09T16:00:00Z");
	assert_int_equal(st.left, 4); /* 3-4, 3-5, 3-6, 3-9 after today */

	pause_ok(&c, "2026-03-04T10:00:00+08:00", NULL);
	st = at(&c, "2026-03-05T12:00:00+08:00");
	assert_true(st.paused);
	assert_int_equal(st.left, 4);
	expect_due(&st, "2026-03-11T16:00:00Z"); /* resumed on 3-5: 3-6, 3-9, 3-10, 3-11 */

	assert_int_equal(fz_clock_resume(&c, T("2026-03-10T11:00:00+08:00"), NULL), 0);
	st = at(&c, "2026-03-12T12:00:00+08:00");
	assert_false(st.paused);
	expect_due(&st, "2026-03-16T16:00:00Z");
	assert_int_equal(st.left, 2); /* 3-13 and 3-16 after today */
	assert_int_equal(st.paused_ms, 6 * 24 * HOUR + HOUR);
	fz_clock_release(&c);
}

/*
 * 5 working days from Mon 2026-2-9 end on Sat 2-14 (a make-up day). Paused
 * Thu 2-12 after two (2-10, 2-11) and resumed Sat 2-14 08:00, the
 * remaining 3 start after the festival: 2-24, 2-25, 2-26.
 */
static void a_pause_can_push_a_clock_past_the_spring_festival(void **state)
{
	struct fz_period p = { FZ_UNIT_WORKDAYS, 5, FZ_RULE_NONE };
	struct fz_clock c;
	struct fz_clock_status st;

	fz_clock_init(&c, T("2026-02-09T09:00:00+08:00"), &p);
	st = at(&c, "2026-02-09T10:00:00+08:00");
	expect_due(&st, "2026-02-14T16:00:00Z");
	pause_ok(&c, "2026-02-12T09:00:00+08:00", "2026-02-14T08:00:00+08:00");
	st = at(&c, "2026-02-20T12:00:00+08:00");
	expect_due(&st, "2026-02-26T16:00:00Z");
	assert_int_equal(st.left, 3);
	fz_clock_release(&c);
}

/*
 * 30 days from 2026-3-2 end 4-1 24:00. Extended by 30 days on 3-20: 5-1
 * 24:00 (Labour Day; with next_workday, Wed 5-6 after the 5-1..5-5 holiday).
 */
static void extensions_count_from_when_granted(void **state)
{
	struct fz_period p = { FZ_UNIT_DAYS, 30, FZ_RULE_NONE };
	struct fz_clock c;
	struct fz_clock_status st;
	struct fz_err err;

	fz_clock_init(&c, T("2026-03-02T10:00:00+08:00"), &p);
	fz_err_init(&err);
	assert_int_equal(fz_clock_extend(&c, 30, "案情复杂，经负责人批准延长", "leader.330702",
					 T("2026-03-20T10:00:00+08:00"), &err),
			 0);
	st = at(&c, "2026-03-10T10:00:00+08:00");
	assert_int_equal(st.amount, 30);
	expect_due(&st, "2026-04-01T16:00:00Z");
	st = at(&c, "2026-03-25T10:00:00+08:00");
	assert_int_equal(st.amount, 60);
	expect_due(&st, "2026-05-01T16:00:00Z");
	c.period.rule = FZ_RULE_NEXT_WORKDAY;
	st = at(&c, "2026-03-25T10:00:00+08:00");
	expect_due(&st, "2026-05-06T16:00:00Z");
	assert_string_equal(c.extensions[0].approver, "leader.330702");
	fz_clock_release(&c);

	/* 10 days from 3-2 end 3-12 24:00; overdue on 3-14; +10 granted on 3-15 */
	p.amount = 10;
	fz_clock_init(&c, T("2026-03-02T10:00:00+08:00"), &p);
	st = at(&c, "2026-03-14T12:00:00+08:00");
	assert_true(st.overdue);
	assert_int_equal(st.left_ms, T("2026-03-12T16:00:00Z") - T("2026-03-14T12:00:00+08:00"));
	assert_int_equal(fz_clock_extend(&c, 10, "补充调查", "leader.330702",
					 T("2026-03-15T10:00:00+08:00"), NULL),
			 0);
	st = at(&c, "2026-03-14T12:00:00+08:00");
	assert_true(st.overdue); /* it was overdue then */
	st = at(&c, "2026-03-16T12:00:00+08:00");
	assert_false(st.overdue);
	expect_due(&st, "2026-03-22T16:00:00Z");
	assert_int_equal(st.left, 6); /* 3-17 .. 3-22 */
	fz_clock_release(&c);
}

static void a_pause_after_running_out_does_not_revive(void **state)
{
	struct fz_period p = { FZ_UNIT_HOURS, 2, FZ_RULE_NONE };
	struct fz_clock c;
	struct fz_clock_status st;

	fz_clock_init(&c, T("2026-03-02T09:00:00+08:00"), &p);
	pause_ok(&c, "2026-03-02T12:00:00+08:00", NULL);
	st = at(&c, "2026-03-02T13:00:00+08:00");
	assert_true(st.overdue);
	assert_true(st.paused);
	expect_due(&st, "2026-03-02T11:00:00+08:00");
	assert_int_equal(st.paused_ms, HOUR);
	fz_clock_release(&c);
}

/*
 * 10 days with next_workday from Wed 2026-9-23 end on Sat 10-3 (National
 * Day), moved to Thu 10-8. Paused on 10-5, after all ten days were counted
 * but inside the holiday move, and resumed Fri 10-9: nothing remains to
 * count, so it ends at 24:00 of the resume day, a working day.
 */
static void a_pause_inside_the_holiday_move(void **state)
{
	struct fz_period p = { FZ_UNIT_DAYS, 10, FZ_RULE_NEXT_WORKDAY };
	struct fz_clock c;
	struct fz_clock_status st;

	fz_clock_init(&c, T("2026-09-23T09:00:00+08:00"), &p);
	st = at(&c, "2026-09-24T09:00:00+08:00");
	expect_due(&st, "2026-10-08T16:00:00Z");
	pause_ok(&c, "2026-10-05T10:00:00+08:00", "2026-10-09T09:00:00+08:00");
	st = at(&c, "2026-10-09T10:00:00+08:00");
	expect_due(&st, "2026-10-09T16:00:00Z");
	assert_false(st.overdue);
	assert_int_equal(st.left, 0); /* the last day is today */
	fz_clock_release(&c);
}

static void wrong_operations_are_refused(void **state)
{
	struct fz_period p = { FZ_UNIT_WORKDAYS, 5, FZ_RULE_NONE };
	struct fz_clock c;
	struct fz_err err;
	char reason[FZ_CLOCK_MAX_REASON + 2];

	fz_clock_init(&c, T("2026-03-02T09:00:00+08:00"), &p);
	fz_err_init(&err);
	assert_int_equal(fz_clock_resume(&c, T("2026-03-03T09:00:00+08:00"), &err), FZ_ECONFLICT);
	fz_err_init(&err);
	assert_int_equal(fz_clock_pause(&c, T("2026-03-01T09:00:00+08:00"), "r", "u", &err),
			 FZ_EINVAL);
	assert_string_equal(err.field, "at");
	fz_err_init(&err);
	assert_int_equal(fz_clock_pause(&c, T("2026-03-03T09:00:00+08:00"), "", "u", &err),
			 FZ_EINVAL);
	assert_string_equal(err.field, "reason");
	memset(reason, 'x', sizeof(reason) - 1);
	reason[sizeof(reason) - 1] = '\0';
	fz_err_init(&err);
	assert_int_equal(fz_clock_pause(&c, T("2026-03-03T09:00:00+08:00"), reason, "u", &err),
			 FZ_EINVAL);
	fz_err_init(&err);
	assert_int_equal(fz_clock_pause(&c, T("2026-03-03T09:00:00+08:00"), "r", NULL, &err),
			 FZ_EINVAL);
	assert_string_equal(err.field, "by");
	assert_int_equal(c.npauses, 0);
	pause_ok(&c, "2026-03-03T09:00:00+08:00", NULL);
	fz_err_init(&err);
	assert_int_equal(fz_clock_pause(&c, T("2026-03-04T09:00:00+08:00"), "r", "u", &err),
			 FZ_ECONFLICT);
	fz_err_init(&err);
	assert_int_equal(fz_clock_resume(&c, T("2026-03-02T09:00:00+08:00"), &err), FZ_EINVAL);
	assert_int_equal(fz_clock_resume(&c, T("2026-03-05T09:00:00+08:00"), &err), 0);
	fz_err_init(&err);
	assert_int_equal(fz_clock_pause(&c, T("2026-03-04T09:00:00+08:00"), "r", "u", &err),
			 FZ_EINVAL); /* before the last resumption */

	fz_err_init(&err);
	assert_int_equal(fz_clock_extend(&c, 0, "r", "a", 0, &err), FZ_EINVAL);
	assert_string_equal(err.field, "amount");
	fz_err_init(&err);
	assert_int_equal(fz_clock_extend(&c, 3, "r", "", 0, &err), FZ_EINVAL);
	assert_string_equal(err.field, "approver");
	fz_err_init(&err);
	assert_int_equal(fz_clock_extend(&c, FZ_PERIOD_MAX_WORKDAYS, "r", "a", 0, &err), FZ_EINVAL);
	assert_int_equal(c.nextensions, 0);
	for (int i = 0; i < FZ_CLOCK_MAX_EXTENSIONS; i++)
		assert_int_equal(fz_clock_extend(&c, 1, "r", "a", 0, NULL), 0);
	fz_err_init(&err);
	assert_int_equal(fz_clock_extend(&c, 1, "r", "a", 0, &err), FZ_ETOOBIG);
	fz_clock_release(&c);

	fz_clock_init(&c, T("2026-03-02T09:00:00+08:00"), &p);
	for (int i = 0; i < FZ_CLOCK_MAX_PAUSES; i++) {
		int64_t t = T("2026-03-02T10:00:00+08:00") + i * 2 * HOUR;
		assert_int_equal(fz_clock_pause(&c, t, "r", "u", NULL), 0);
		assert_int_equal(fz_clock_resume(&c, t + HOUR, NULL), 0);
	}
	fz_err_init(&err);
	assert_int_equal(fz_clock_pause(&c, T("2026-03-30T10:00:00+08:00"), "r", "u", &err),
			 FZ_ETOOBIG);
	fz_clock_release(&c);
}

static void a_clock_into_an_uncovered_year_says_so(void **state)
{
	struct fz_period p = { FZ_UNIT_WORKDAYS, 5, FZ_RULE_NONE };
	struct fz_clock c;
	struct fz_clock_status st;
	struct fz_err err;

	fz_clock_init(&c, T("2026-12-28T09:00:00+08:00"), &p);
	fz_err_init(&err);
	assert_int_equal(fz_clock_status(&c, cal, T("2026-12-29T09:00:00+08:00"), &st, &err),
			 FZ_ENOTFOUND);
	assert_non_null(strstr(err.msg, "2027"));
	fz_clock_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hours_stop_while_paused),
		cmocka_unit_test(workdays_shift_past_a_pause),
		cmocka_unit_test(a_pause_can_push_a_clock_past_the_spring_festival),
		cmocka_unit_test(extensions_count_from_when_granted),
		cmocka_unit_test(a_pause_after_running_out_does_not_revive),
		cmocka_unit_test(a_pause_inside_the_holiday_move),
		cmocka_unit_test(wrong_operations_are_refused),
		cmocka_unit_test(a_clock_into_an_uncovered_year_says_so),
	};

	return cmocka_run_group_tests(tests, load, unload);
}

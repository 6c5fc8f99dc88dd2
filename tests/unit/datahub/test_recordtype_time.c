/*
 * Unit tests of the time a record carries (fz_rt_parse_time): every form a
 * device or a CSV file may write is read to the same instant, and what is
 * not a time is refused, so that the record is quarantined with reason
 * type.time instead of being stored at a wrong time.
 */
#include "support.h"

#include "datahub/recordtype.h"

#include <stdio.h>
#include <string.h>

#define T_0302_0100Z 1772413200000LL /* 2026-03-02T01:00:00Z = 09:00 in Jinhua */

static int64_t read_time(const char *s)
{
	int64_t ms = -1;

	if (fz_rt_parse_time(s, &ms) != 0)
		fail_msg("fz_rt_parse_time(\"%s\") refused", s);
	return ms;
}

static void every_form_reads_the_same_instant(void **state)
{
	static const char *forms[] = {
		"2026-03-02T01:00:00Z",	     /* RFC 3339, UTC */
		"2026-03-02T01:00:00.000Z",  /* with milliseconds */
		"2026-03-02T09:00:00+08:00", /* with an offset */
		"2026-03-01T20:00:00-05:00", /* a negative one */
		"2026-03-02 09:00:00",	     /* CSV: local Asia/Shanghai time */
		"2026-03-02 09:00",	     /* without seconds */
		"2026-03-02T09:00:00",	     /* ISO without a zone: local */
		"2026-03-02T09:00",
		"2026-03-02T01:00Z",
		"1772413200000", /* UTC milliseconds */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (read_time(forms[i]) != T_0302_0100Z)
			fail_msg("\"%s\" read as %lld", forms[i], (long long)read_time(forms[i]));
	assert_int_equal(read_time("2026-03-02 09:00:00.5"), T_0302_0100Z + 500);
	assert_int_equal(read_time("0"), 0);
}

static void what_is_not_a_time_is_refused(void **state)
{
	static const char *bad[] = {
		"2026-03-02",	    /* a date alone: the time of day is required */
		"1899-12-31 09:00", /* before 1900 */
		"2026-02-29 09:00", /* no 29 February in 2026 */
		"2026-03-02 25:00",
		"2026-03-02 09:00+0800",
		"2026-03-02 09:00:00 CST",
		"2026/03/02 09:00",
		"1234567890123456", /* 16 digits: not milliseconds */
		"-1772413200000",
		"",
		"昨天上午九点",
	};
	int64_t ms = 42;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (fz_rt_parse_time(bad[i], &ms) == 0)
			fail_msg("\"%s\" was accepted", bad[i]);
	assert_int_equal(ms, 42);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_form_reads_the_same_instant),
		cmocka_unit_test(what_is_not_a_time_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

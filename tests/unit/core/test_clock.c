/* Unit tests of core/clock: RFC 3339 parsing and formatting, injected time. */
#include "support.h"

#include "core/clock.h"
#include "core/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 2026-03-02T01:00:00Z in UTC ms (20514 days after the epoch, plus 1 h). */
#define T_0302_0100Z (20514LL * 86400000 + 3600000)

/* s read by parse (named how), which must accept it. */
static int64_t read_by(int (*parse)(const char *, int64_t *), const char *how, const char *s)
{
	int64_t ms = -1;

	if (parse(s, &ms) != 0)
		fail_msg("%s(\"%s\") refused", how, s);
	return ms;
}

#define parsed(s) read_by(fz_time_parse, "fz_time_parse", s)
#define loose(s)  read_by(fz_time_parse_loose, "fz_time_parse_loose", s)

static void parse_offset_converts_to_utc(void **state)
{
	assert_int_equal(parsed("2026-03-02T09:00:00+08:00"), T_0302_0100Z);
	assert_int_equal(parsed("2026-03-01T20:00:00-05:00"), T_0302_0100Z);
	assert_int_equal(parsed("2026-03-02T06:30:00+05:30"), T_0302_0100Z);
}

static void parse_zulu(void **state)
{
	assert_int_equal(parsed("2026-03-02T01:00:00Z"), T_0302_0100Z);
	assert_int_equal(parsed("2026-03-02t01:00:00z"), T_0302_0100Z);
	assert_int_equal(parsed("1970-01-01T00:00:00Z"), 0);
}

static void parse_fractional_seconds(void **state)
{
	assert_int_equal(parsed("2026-03-02T01:00:00.5Z"), T_0302_0100Z + 500);
	assert_int_equal(parsed("2026-03-02T01:00:00.123Z"), T_0302_0100Z + 123);
	assert_int_equal(parsed("2026-03-02T09:00:00.07+08:00"), T_0302_0100Z + 70);
	/* digits past milliseconds are dropped, not rounded into seconds */
	assert_int_equal(parsed("2026-03-02T01:00:00.999999Z"), T_0302_0100Z + 999);
}

static void parse_date_is_midnight_shanghai(void **state)
{
	/* 2026-03-02 00:00 in Shanghai is 2026-03-01 16:00 UTC */
	assert_int_equal(parsed("2026-03-02"), T_0302_0100Z - 9 * 3600000LL);
	assert_int_equal(parsed("2026-03-02"), parsed("2026-03-02T00:00:00+08:00"));
}

static void parse_refuses_invalid_dates(void **state)
{
	static const char *bad[] = {
		"2026-02-30",
		"2026-04-31",
		"2026-13-01",
		"2026-00-10",
		"2026-01-00",
		"2026-03-02T25:00:00Z",
		"2026-03-02T24:00:00Z",
		"2026-03-02T09:60:00Z",
		"2026-03-02T09:00:61Z",
		"2026-03-02T09:00:00",
		"2026-03-02T09:00Z",
		"2026-03-02T09:00:00+0800",
		"2026-03-02T09:00:00+08",
		"2026-3-2",
		"26-03-02",
		"2026/03/02",
		"2026-03-02T09:00:00.Z",
		"2026-03-02x",
		"2026-03-02T09:00:00Zjunk",
		"",
		"yesterday",
	};
	int64_t ms = 42;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (fz_time_parse(bad[i], &ms) != FZ_EINVAL)
			fail_msg("\"%s\" was accepted", bad[i]);
	}
	assert_int_equal(fz_time_parse(NULL, &ms), FZ_EINVAL);
	assert_int_equal(ms, 42); /* untouched on failure */
}

static void parse_knows_leap_years(void **state)
{
	int64_t ms;

	assert_int_equal(parsed("2024-02-29"), parsed("2024-03-01") - 86400000LL);
	assert_int_equal(parsed("2000-02-29T00:00:00Z") + 86400000LL,
			 parsed("2000-03-01T00:00:00Z"));
	/* 2026 and 1900 are not leap years: there is no 29 February */
	assert_int_equal(fz_time_parse("2026-02-29", &ms), FZ_EINVAL);
	assert_int_equal(fz_time_parse("1900-02-29T00:00:00Z", &ms), FZ_EINVAL);
}

static void loose_reads_local_times_as_shanghai(void **state)
{
	/* what devices and CSV files write: no zone is Beijing time */
	assert_int_equal(loose("2026-03-02 09:00:00"), T_0302_0100Z);
	assert_int_equal(loose("2026-03-02T09:00:00"), T_0302_0100Z);
	assert_int_equal(loose("2026-03-02 09:00"), T_0302_0100Z);
	assert_int_equal(loose("2026-03-02T09:00"), T_0302_0100Z);
	assert_int_equal(loose("2026-03-02 09:00:00.25"), T_0302_0100Z + 250);
	/* seconds may be left out before a zone too */
	assert_int_equal(loose("2026-03-02T01:00Z"), T_0302_0100Z);
	assert_int_equal(loose("2026-03-02 09:00+08:00"), T_0302_0100Z);
	/* and everything the strict parser reads, read the same */
	assert_int_equal(loose("2026-03-02T06:30:00.5+05:30"), T_0302_0100Z + 500);
	assert_int_equal(loose("2026-03-02t01:00:00z"), T_0302_0100Z);
	assert_int_equal(loose("2026-03-02"), parsed("2026-03-02"));
}

static void loose_still_refuses_what_is_not_a_time(void **state)
{
	static const char *bad[] = {
		"2026-02-30 09:00",	   "2026-03-02 24:00",
		"2026-03-02 09:60",	   "2026-03-02 09:00:61",
		"2026-03-02 9:00",	   "2026-03-02 09",
		"2026-03-02 09:00:",	   "2026-03-02 09:00:00.",
		"2026-03-02 09:00+0800",   "2026-03-02 09:00+08",
		"2026-03-02 09:00 +08:00", "2026-03-02 09:00:00Zjunk",
		"2026-03-02 09:00+24:00",  "2026/03/02 09:00",
		"1772413200000",	   "",
	};
	int64_t ms = 42;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (fz_time_parse_loose(bad[i], &ms) != FZ_EINVAL)
			fail_msg("\"%s\" was accepted", bad[i]);
	assert_int_equal(fz_time_parse_loose(NULL, &ms), FZ_EINVAL);
	assert_int_equal(ms, 42);
	/* the strict parser (API parameters) does not take the local forms */
	assert_int_equal(fz_time_parse("2026-03-02 09:00", &ms), FZ_EINVAL);
	assert_int_equal(fz_time_parse("2026-03-02T09:00:00", &ms), FZ_EINVAL);
}

static void format_is_utc_with_millis(void **state)
{
	char out[32];

	assert_string_equal(fz_time_format(T_0302_0100Z, out, sizeof(out)),
			    "2026-03-02T01:00:00.000Z");
	assert_string_equal(fz_time_format(T_0302_0100Z + 7, out, sizeof(out)),
			    "2026-03-02T01:00:00.007Z");
	assert_string_equal(fz_time_format(0, out, sizeof(out)), "1970-01-01T00:00:00.000Z");
	assert_string_equal(fz_time_format(-1, out, sizeof(out)), "1969-12-31T23:59:59.999Z");
}

static void format_parse_round_trip(void **state)
{
	static const int64_t times[] = {
		0,
		1,
		999,
		T_0302_0100Z,
		T_0302_0100Z + 123,
		951782400000LL,		   /* 2000-02-29 */
		4102444799999LL,	   /* 2099-12-31T23:59:59.999Z */
		1709164800000LL + 86399999 /* 2024-02-29 last ms */
	};
	char out[32];

	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		int64_t back = -1;
		fz_time_format(times[i], out, sizeof(out));
		assert_int_equal(fz_time_parse(out, &back), 0);
		assert_int_equal(back, times[i]);
	}
}

static void fixed_clock_is_frozen(void **state)
{
	fz_clock_use_file(NULL);
	fz_clock_use_fixed(T_0302_0100Z);
	assert_int_equal(fz_clock_now(), T_0302_0100Z);
	assert_int_equal(fz_clock_now(), T_0302_0100Z);
	fz_clock_use_fixed(5);
	assert_int_equal(fz_clock_now(), 5);
	fz_clock_use_fixed(-1);
}

static void write_ms(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void file_clock_follows_rewrites(void **state)
{
	char *path = ts_tmpfile("clock");

	write_ms(path, "1772413200000\n");
	fz_clock_use_fixed(7);
	fz_clock_use_file(path);
	assert_int_equal(fz_clock_now(), 1772413200000LL);
	write_ms(path, "1772413260000");
	assert_int_equal(fz_clock_now(), 1772413260000LL);
	write_ms(path, "1772413260001\n");
	assert_int_equal(fz_clock_now(), 1772413260001LL);

	/* caught half-written, garbage or gone: the last time read stands, so
	 * time never jumps to another clock between two rewrites */
	write_ms(path, "not a number\n");
	assert_int_equal(fz_clock_now(), 1772413260001LL);
	remove(path);
	assert_int_equal(fz_clock_now(), 1772413260001LL);

	fz_clock_use_file(NULL);
	assert_int_equal(fz_clock_now(), 7);
	fz_clock_use_fixed(-1);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_offset_converts_to_utc),
		cmocka_unit_test(parse_zulu),
		cmocka_unit_test(parse_fractional_seconds),
		cmocka_unit_test(parse_date_is_midnight_shanghai),
		cmocka_unit_test(parse_refuses_invalid_dates),
		cmocka_unit_test(parse_knows_leap_years),
		cmocka_unit_test(loose_reads_local_times_as_shanghai),
		cmocka_unit_test(loose_still_refuses_what_is_not_a_time),
		cmocka_unit_test(format_is_utc_with_millis),
		cmocka_unit_test(format_parse_round_trip),
		cmocka_unit_test(fixed_clock_is_frozen),
		cmocka_unit_test(file_clock_follows_rewrites),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

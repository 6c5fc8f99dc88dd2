/*
 * clock: the one source of "now" (UTC milliseconds). Tests and demos inject
 * time instead of reading the wall clock: fz_clock_use_file() makes every
 * call read the time from a file that a test rewrites to move time forward;
 * fz_clock_use_fixed() freezes it. Set up once at start, before threads run;
 * fz_clock_now() may then be called from any thread.
 *
 * Also formats and parses RFC 3339 times; times are stored as UTC ms and
 * shown in Asia/Shanghai (UTC+8, no daylight saving) by the console.
 */
#ifndef FZ_CORE_CLOCK_H
#define FZ_CORE_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/* Read time from a file holding UTC ms (decimal). path is copied. */
void fz_clock_use_file(const char *path);
/* Freeze time at ms; a negative ms goes back to the wall clock. */
void fz_clock_use_fixed(int64_t ms);
/*
 * Now, in UTC ms. With a clock file that cannot be read or parsed (a test
 * caught rewriting it), the last time read from it; before any, the fixed
 * time or the wall clock.
 */
int64_t fz_clock_now(void);

/* "2026-03-02T01:00:00.000Z" into out (at least 25 bytes). Returns out. */
char *fz_time_format(int64_t ms, char *out, size_t size);
/*
 * Parses RFC 3339 ("2026-03-02T09:00:00+08:00", "...Z", fractional seconds
 * allowed) or a plain date "2026-03-02" (midnight Asia/Shanghai). 0 or
 * FZ_EINVAL.
 */
int fz_time_parse(const char *s, int64_t *ms /* OUT */);
/*
 * What fz_time_parse accepts, and also what devices and CSV files write:
 * the seconds may be left out and a time without a zone is Asia/Shanghai
 * ("2026-03-02 09:00", "2026-03-02T09:00:00", "2026-03-02 09:00+08:00").
 * For records, not for API parameters (which stay strict RFC 3339). 0 or
 * FZ_EINVAL.
 */
int fz_time_parse_loose(const char *s, int64_t *ms /* OUT */);

/* The n decimal digits at s as *out; -1 (nothing set) if one is not a digit. */
int fz_parse_digits(const char *s, int n, int *out /* OUT */);

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * algorithm), and back. Pure, any thread. */
int64_t fz_days_from_civil(int64_t y, unsigned m, unsigned d);
void fz_civil_from_days(int64_t z, int64_t *y /* OUT */, unsigned *m /* OUT */,
			unsigned *d /* OUT */);

#endif

#include "core/clock.h"

#include "core/err.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char clock_file[512];
static int64_t fixed_ms = -1;

void fz_clock_use_file(const char *path)
{
	snprintf(clock_file, sizeof(clock_file), "%s", path ? path : "");
}

void fz_clock_use_fixed(int64_t ms)
{
	fixed_ms = ms;
}

static int64_t wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t fz_clock_now(void)
{
	/* The last time read from the file: a reader that catches the file
	 * half-rewritten keeps the previous time instead of jumping to the
	 * wall clock. */
	static _Atomic int64_t last_from_file = -1;

	if (clock_file[0]) {
		FILE *f = fopen(clock_file, "r");
		char line[32] = "";
		char *end;
		long long v;

		if (f) {
			if (!fgets(line, sizeof(line), f))
				line[0] = '\0';
			fclose(f);
			v = strtoll(line, &end, 10);
			if (end != line && v >= 0) {
				atomic_store(&last_from_file, v);
				return v;
			}
		}
		if (atomic_load(&last_from_file) >= 0)
			return atomic_load(&last_from_file);
	}
	if (fixed_ms >= 0)
		return fixed_ms;
	return wall();
}

int fz_parse_digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
int64_t fz_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* The civil date of a day number (Hinnant's inverse). */
void fz_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

char *fz_time_format(int64_t ms, char *out, size_t size)
{
	time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	int frac = (int)(ms - (int64_t)secs * 1000);
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
	return out;
}

static int digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	*out = v;
	return 0;
}

static int expect(const char **p, char c)
{
	if (**p != c)
		return -1;
	(*p)++;
	return 0;
}

/*
 * The time after the date: "HH:MM:SS[.fff]" and a zone (Z or +hh:mm); when
 * loose, the seconds and the zone may be left out (no zone: Asia/Shanghai,
 * which *off_min already holds). 0 or FZ_EINVAL.
 */
static int time_of_day(const char *p, int loose, int *secs, int64_t *frac, int *off_min)
{
	int h, mi, se = 0, oh, om, sign;

	if (digits(&p, 2, &h) || expect(&p, ':') || digits(&p, 2, &mi))
		return FZ_EINVAL;
	if (*p == ':' || !loose) {
		if (expect(&p, ':') || digits(&p, 2, &se))
			return FZ_EINVAL;
		if (*p == '.') {
			int n = 0;
			p++;
			while (isdigit((unsigned char)*p)) {
				if (n++ < 3)
					*frac = *frac * 10 + (*p - '0');
				p++;
			}
			if (n == 0)
				return FZ_EINVAL;
			for (; n < 3; n++)
				*frac *= 10;
		}
	}
	if (*p == 'Z' || *p == 'z') {
		*off_min = 0;
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (digits(&p, 2, &oh) || expect(&p, ':') || digits(&p, 2, &om) || oh > 23 ||
		    om > 59)
			return FZ_EINVAL;
		*off_min = sign * (oh * 60 + om);
	} else if (!loose) {
		return FZ_EINVAL;
	}
	if (*p || h > 23 || mi > 59 || se > 60)
		return FZ_EINVAL;
	*secs = h * 3600 + mi * 60 + se;
	return 0;
}

static int parse_time(const char *s, int loose, int64_t *ms)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const char *p = s;
	int y, mo, d, secs = 0, off_min = 8 * 60;
	int64_t frac = 0;

	if (!s || digits(&p, 4, &y) || expect(&p, '-') || digits(&p, 2, &mo) || expect(&p, '-') ||
	    digits(&p, 2, &d))
		return FZ_EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
		return FZ_EINVAL;
	if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return FZ_EINVAL;
	if (*p) {
		if (*p != 'T' && *p != 't' && *p != ' ')
			return FZ_EINVAL;
		if (time_of_day(p + 1, loose, &secs, &frac, &off_min))
			return FZ_EINVAL;
	}
	*ms = (fz_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + secs -
	       (int64_t)off_min * 60) *
		      1000 +
	      frac;
	return 0;
}

int fz_time_parse(const char *s, int64_t *ms)
{
	return parse_time(s, 0, ms);
}

int fz_time_parse_loose(const char *s, int64_t *ms)
{
	return parse_time(s, 1, ms);
}

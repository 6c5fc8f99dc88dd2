/*
 * calendar_build: private to src/clocks/calendar*.c. The layout of a
 * calendar and the helpers its two importers (JSON in calendar.c, ICS in
 * calendar_ics.c) share to build years in a scratch calendar. Other code
 * uses clocks/calendar.h.
 */
#ifndef FZ_CLOCKS_CALENDAR_BUILD_H
#define FZ_CLOCKS_CALENDAR_BUILD_H

#include "clocks/calendar.h"

#include <stdatomic.h>

struct fz_err;

#define CAL_NYEARS (FZ_CALENDAR_LAST_YEAR - FZ_CALENDAR_FIRST_YEAR + 1)

/* One covered year: what is special about each of its days. */
struct cal_year {
	int year;
	int32_t first_day; /* day number of 1 January */
	char source[FZ_CALENDAR_MAX_SOURCE + 8];
	int64_t imported_at;
	int nholidays, nmakeup;
	unsigned char kind[366]; /* 0, FZ_DAY_HOLIDAY or FZ_DAY_MAKEUP, by day of year */
	unsigned char name[366]; /* index + 1 into names, 0 for none */
	char *names[FZ_CALENDAR_MAX_NAMES];
	int nnames;
};

struct fz_calendar {
	atomic_uint refs;
	struct cal_year *years[CAL_NYEARS]; /* by year - FZ_CALENDAR_FIRST_YEAR */
};

int32_t cal_days_from_civil(int y, unsigned m, unsigned d);
void cal_civil_from_days(int32_t day, int *y, unsigned *m, unsigned *d);
int cal_valid_date(int y, int m, int d);
/* "YYYYMMDD" (exactly len == 8) into *day. 0 or FZ_EINVAL. */
int cal_parse_compact(const char *s, size_t len, int32_t *day /* OUT */);

struct cal_year *cal_year_get(const struct fz_calendar *cal, int year);
/* The year, created empty if absent; NULL on no memory or a year out of range. */
struct cal_year *cal_year_add(struct fz_calendar *cal, int year);
void cal_year_free(struct cal_year *y);
void cal_year_origin(struct cal_year *y, const char *source, int64_t imported_at);
/* Marks day (inside y) as kind with name. FZ_ECONFLICT when it already has
 * the other kind (the same kind again is kept, with its first name),
 * FZ_ETOOBIG when y has too many names. */
int cal_year_set(struct cal_year *y, int32_t day, enum fz_day_kind kind, const char *name);
/* The per-year checks (some holiday, limits), naming field. */
int cal_year_check(const struct cal_year *y, const char *field, struct fz_err *err);
/* Moves every year of src into dst, replacing dst's. Cannot fail. */
void cal_move(struct fz_calendar *dst, struct fz_calendar *src);

/* Copies at most max bytes of s into out, not ending inside a UTF-8 sequence. */
void cal_copy_utf8(char *out, size_t size, const char *s, size_t max);
/* A printable excerpt of len bytes of s for an error message (controls and,
 * if the excerpt is not valid UTF-8, bytes above 0x7F become '?'). */
void cal_shown(char *out, size_t size, const char *s, size_t len);

#endif

/*
 * calendar: the Chinese working-day calendar. For each covered year it knows
 * the statutory holidays (法定节假日, on any day of the week) and the make-up
 * working days (调休上班日: a Saturday or Sunday that is a working day), as
 * the State Council publishes them; every other Monday-Friday is a working
 * day and every other Saturday and Sunday a rest day. Days are civil dates
 * in Asia/Shanghai (UTC+8 all year, no daylight saving), numbered as days
 * since 1970-01-01 ("day numbers", int32_t).
 *
 * A year that no loaded source describes is not covered, and every query
 * about one of its days fails with FZ_ENOTFOUND naming the year: fazhi never
 * guesses "weekends only" for a year whose holidays it does not know.
 *
 * Sources, merged year by year (a later source replaces a whole year):
 * fazhi's calendar JSON (fz_calendar_load_json: build/share/calendar-cn.json
 * generated from the npm package chinese-days, and the years users imported,
 * stored in the database) and ICS files (fz_calendar_import_ics). The
 * formats, the rule that tells holidays from make-up days in an ICS file and
 * the limits are described in docs/internals/clocks.md. Both importers parse
 * into a scratch calendar first: on any error the target is left unchanged.
 *
 * Ownership and threads: a calendar is built by one thread, then shared
 * read-only by any number of threads; it is reference-counted
 * (fz_calendar_ref / fz_calendar_unref). Never modify a calendar that
 * another thread can see: build a new one (fz_calendar_copy, then load into
 * the copy) and publish it through a struct fz_calendar_slot, which swaps
 * the pointer under a mutex, like the region tree's snapshots.
 */
#ifndef FZ_CLOCKS_CALENDAR_H
#define FZ_CLOCKS_CALENDAR_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct fz_err;

#define FZ_TZ_OFFSET_MS (8 * 3600 * 1000LL) /* Asia/Shanghai, UTC+8, no DST */
#define FZ_DAY_MS	(86400 * 1000LL)

/* Years a calendar can hold. */
#define FZ_CALENDAR_FIRST_YEAR 1990
#define FZ_CALENDAR_LAST_YEAR  2199

/* Limits on imported text (both formats). */
#define FZ_CALENDAR_MAX_BYTES	 (1u << 20) /* 1 MiB */
#define FZ_CALENDAR_MAX_EVENTS	 2000	    /* VEVENTs in one ICS file */
#define FZ_CALENDAR_MAX_LINE	 8192	    /* bytes in one unfolded ICS line */
#define FZ_CALENDAR_MAX_SPAN	 31	    /* days in one VEVENT */
#define FZ_CALENDAR_MAX_HOLIDAYS 100	    /* holidays in one year (the most so far: 33) */
#define FZ_CALENDAR_MAX_MAKEUP	 30	    /* make-up working days in one year (most: 12) */
#define FZ_CALENDAR_MAX_NAMES	 64	    /* distinct day names in one year */
#define FZ_CALENDAR_MAX_NAME	 120	    /* bytes of a day name (longer ICS names are cut) */
#define FZ_CALENDAR_MAX_SOURCE	 120	    /* bytes of a source description */

/* ---- day numbers (pure functions, any thread) ---- */

/* The Asia/Shanghai civil day containing the instant ms (UTC ms). */
int32_t fz_calendar_day_of(int64_t ms);
/* The instant (UTC ms) at which day begins, 00:00 Asia/Shanghai. */
int64_t fz_calendar_day_start(int32_t day);
/* "YYYY-MM-DD" into *day. 0 or FZ_EINVAL (no err: callers name the field). */
int fz_calendar_day_parse(const char *s, int32_t *day /* OUT */);
/* "YYYY-MM-DD" into out (at least 11 bytes). Returns out. */
char *fz_calendar_day_format(int32_t day, char *out, size_t size);
/* The year of a day. */
int fz_calendar_day_year(int32_t day);
/* 0 = Sunday ... 6 = Saturday. */
int fz_calendar_weekday(int32_t day);
/* "周一" ... "周日". Static. */
const char *fz_calendar_weekday_name(int32_t day);
/* An instant in Asia/Shanghai, "2026-10-09 17:30" (":SS" and ".mmm" only
 * when not zero), into out (at least 24 bytes). Returns out. */
char *fz_calendar_local_format(int64_t ms, char *out, size_t size);

/* ---- the calendar ---- */

enum fz_day_kind {
	FZ_DAY_WORKDAY = 1, /* Monday to Friday, not a holiday */
	FZ_DAY_WEEKEND,	    /* Saturday or Sunday, not a make-up working day */
	FZ_DAY_HOLIDAY,	    /* a statutory holiday, whatever the weekday */
	FZ_DAY_MAKEUP,	    /* a Saturday or Sunday made a working day (调休上班) */
};

struct fz_day {
	int32_t day;
	enum fz_day_kind kind;
	int working;	  /* 1 for FZ_DAY_WORKDAY and FZ_DAY_MAKEUP */
	const char *name; /* the holiday ("春节"), "" for plain days; borrowed from the calendar */
};

struct fz_calendar_year_info {
	int year;
	char source[FZ_CALENDAR_MAX_SOURCE + 8];
	int64_t imported_at; /* UTC ms; 0 for a year from share_dir (the package) */
	int holidays;	     /* number of holiday days */
	int makeup;	     /* number of make-up working days */
};

struct fz_calendar;

/* An empty calendar with one reference. NULL on no memory. */
struct fz_calendar *fz_calendar_new(void);
/* Takes one more reference; returns cal. */
struct fz_calendar *fz_calendar_ref(struct fz_calendar *cal);
/* Drops a reference; the last one frees the calendar. NULL is ignored. */
void fz_calendar_unref(struct fz_calendar *cal);
/* A deep copy with one reference, NULL on no memory. */
struct fz_calendar *fz_calendar_copy(const struct fz_calendar *cal);

/*
 * Loads fazhi's calendar JSON (len bytes, need not be NUL-terminated):
 * {"source": "...", "years": [2026], "holidays": {"2026-01-01": "元旦"},
 *  "workdays": {"2026-01-04": "元旦"}}. Each listed year replaces that year
 * of cal. source, if not NULL, overrides the file's "source"; imported_at is
 * recorded with each year (0 for the package). Errors: FZ_ETOOBIG past
 * FZ_CALENDAR_MAX_BYTES or a per-year limit, FZ_EINVAL naming the JSON
 * pointer of the first bad member ("/holidays/2026-02-30"). On error cal is
 * unchanged. Only for a calendar no other thread can see.
 */
int fz_calendar_load_json(struct fz_calendar *cal, const char *text, size_t len, const char *source,
			  int64_t imported_at, struct fz_err *err);

/*
 * Imports an iCalendar (RFC 5545) file describing the years listed in
 * years[0..nyears-1] (at least one), each of which then replaces that year
 * of cal. Every VEVENT needs an all-day DTSTART (YYYYMMDD, optionally
 * ;VALUE=DATE) and may have an exclusive DTEND; its SUMMARY (else its
 * DESCRIPTION) says what it is: "班" or "workday" makes its days make-up
 * working days, otherwise "休", "假" or "holiday" makes them holidays. A day
 * outside the listed years, an event of neither kind, a date-time instead of
 * a date, RRULE/RDATE/DURATION, a weekday given as a make-up day, a year
 * without any holiday: FZ_EINVAL with err->field "line N" and the line in
 * the message. FZ_ETOOBIG past the size, line, event or per-year limits.
 * source NULL: "ICS: " and the file's X-WR-CALNAME or PRODID. On error cal is
 * unchanged. Only for a calendar no other thread can see.
 */
int fz_calendar_import_ics(struct fz_calendar *cal, const char *text, size_t len, const int *years,
			   size_t nyears, const char *source, int64_t imported_at,
			   struct fz_err *err);

/* Replaces (or adds) every year that src covers in dst. 0 or FZ_ENOMEM (dst unchanged). */
int fz_calendar_merge(struct fz_calendar *dst, const struct fz_calendar *src);

/* 1 when year is covered. */
int fz_calendar_covers(const struct fz_calendar *cal, int year);
/* The first covered year after `after` (pass 0 to start), 0 when none. */
int fz_calendar_next_year(const struct fz_calendar *cal, int after);
/* Summary of a covered year. 0 or FZ_ENOTFOUND. */
int fz_calendar_year_info(const struct fz_calendar *cal, int year,
			  struct fz_calendar_year_info *out /* OUT */);
/* Number of covered years. */
size_t fz_calendar_nyears(const struct fz_calendar *cal);

/*
 * What kind of day `day` is. FZ_ENOTFOUND (machine "calendar_year_missing",
 * field "calendar") with a message naming the year and how to import it,
 * when its year is not covered. cal may be NULL (nothing covered).
 */
int fz_calendar_day(const struct fz_calendar *cal, int32_t day, struct fz_day *out /* OUT */,
		    struct fz_err *err);

/*
 * One covered year in fazhi's JSON format (what the database stores and
 * GET /api/v1/calendar/years/{year} shows): malloc'd text, caller frees;
 * NULL when the year is not covered or on no memory.
 */
char *fz_calendar_year_json(const struct fz_calendar *cal, int year);

/* ---- publishing a calendar to many threads ---- */

struct fz_calendar_slot {
	pthread_mutex_t lock; /* guards cal */
	struct fz_calendar *cal;
	/* Held by an importer across its store write and the swap, so that
	 * concurrent imports reach memory in the order they reached the store. */
	pthread_mutex_t import_lock;
};

/* Takes ownership of cal (may be NULL: nothing covered). Cannot fail. */
void fz_calendar_slot_init(struct fz_calendar_slot *slot, struct fz_calendar *cal);
/* Drops the slot's reference; readers still holding one keep theirs. */
void fz_calendar_slot_release(struct fz_calendar_slot *slot);
/* The current calendar with a new reference (unref when done), or NULL. Any thread. */
struct fz_calendar *fz_calendar_slot_get(struct fz_calendar_slot *slot);
/*
 * Publishes a copy of the current calendar with every year of add merged
 * in. 0 or FZ_ENOMEM (nothing changed). Any thread.
 */
int fz_calendar_slot_merge(struct fz_calendar_slot *slot, const struct fz_calendar *add);

#endif

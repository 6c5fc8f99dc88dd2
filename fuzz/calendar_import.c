/*
 * Fuzz driver: the holiday calendar importers (fazhi's calendar JSON and
 * ICS). Any bytes must give either a calendar or an error naming the member
 * or line, never a crash, a leak or a hang; whatever is accepted must then
 * survive deadline counting over it and a JSON round trip.
 */
#include "clocks/calendar.h"
#include "clocks/deadline.h"
#include "core/err.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Counts over every covered year the way the case engine would. */
static void count_over(const struct fz_calendar *cal)
{
	static const struct fz_period periods[] = {
		{ FZ_UNIT_WORKDAYS, 30, FZ_RULE_NONE },
		{ FZ_UNIT_DAYS, 10, FZ_RULE_NEXT_WORKDAY },
	};

	for (int y = fz_calendar_next_year(cal, 0); y; y = fz_calendar_next_year(cal, y)) {
		char date[16], *text = fz_calendar_year_json(cal, y);
		struct fz_calendar *back = fz_calendar_new();
		int32_t day;

		if (text && back && fz_calendar_load_json(back, text, strlen(text), NULL, 0, NULL))
			abort(); /* what we write we must read */
		free(text);
		fz_calendar_unref(back);
		snprintf(date, sizeof(date), "%04d-12-20", y);
		if (fz_calendar_day_parse(date, &day))
			abort();
		for (size_t i = 0; i < sizeof(periods) / sizeof(periods[0]); i++) {
			struct fz_deadline d;
			(void)fz_deadline_compute(&d, cal, fz_calendar_day_start(day), &periods[i],
						  NULL);
			fz_deadline_release(&d);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int years[] = { 2026, 2027 };
	struct fz_calendar *cal = fz_calendar_new();
	struct fz_err err;

	if (!cal)
		return 0;
	fz_err_init(&err);
	if (fz_calendar_import_ics(cal, (const char *)data, size, years, 2, NULL, 1, &err) == 0)
		count_over(cal);
	fz_err_init(&err);
	if (fz_calendar_load_json(cal, (const char *)data, size, NULL, 1, &err) == 0)
		count_over(cal);
	fz_calendar_unref(cal);
	return 0;
}

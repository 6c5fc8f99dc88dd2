/*
 * calendar_store: the holiday calendars users imported (table calendars,
 * one row per year, holding that year in fazhi's calendar JSON). What the
 * rows mean is src/clocks/'s business; this file only moves them. A row
 * overrides the year of the same number that share_dir/calendar-cn.json
 * (the npm package chinese-days) describes.
 */
#ifndef FZ_STORE_CALENDAR_STORE_H
#define FZ_STORE_CALENDAR_STORE_H

#include <stdint.h>

struct fz_db;
struct fz_err;

/* Inserts or replaces the row of year. Inside a write. 0 or a store error. */
int fz_store_calendar_put(struct fz_db *db, int year, const char *source, const char *data,
			  int64_t imported_at, struct fz_err *err);

/* Called per row in year order; data is borrowed for the call. Non-zero stops. */
typedef int (*fz_calendar_row_fn)(void *ctx, int year, const char *source, const char *data,
				  int64_t imported_at);
/* Every row, in year order. 0 or a store error. */
int fz_store_calendar_list(struct fz_db *db, fz_calendar_row_fn each, void *ctx,
			   struct fz_err *err);

#endif

#include "clocks/calendar_save.h"

#include "audit/audit.h"
#include "clocks/calendar.h"
#include "core/err.h"
#include "store/calendar_store.h"

#include <stdio.h>
#include <stdlib.h>

int fz_calendar_save_years(struct fz_db *db, const struct fz_calendar *add,
			   const struct fz_calendar *before, const struct fz_audit_entry *tmpl,
			   const char *how, struct fz_err *err)
{
	int rc = 0;

	for (int y = fz_calendar_next_year(add, 0); y && !rc; y = fz_calendar_next_year(add, y)) {
		struct fz_calendar_year_info info;
		struct fz_audit_entry e = *tmpl;
		char *data = fz_calendar_year_json(add, y), *old;

		fz_calendar_year_info(add, y, &info);
		rc = data ? fz_store_calendar_put(db, y, info.source, data, info.imported_at, err)
			  : fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
		snprintf(e.action, sizeof(e.action), "calendar.import");
		snprintf(e.object_type, sizeof(e.object_type), "calendar");
		snprintf(e.object_id, sizeof(e.object_id), "%d", y);
		snprintf(e.summary, sizeof(e.summary),
			 "%s %d 年节假日安排：节假日 %d 天，调休上班 %d 天（来源：%.80s）", how, y,
			 info.holidays, info.makeup, info.source);
		old = fz_calendar_year_json(before, y);
		fz_audit_digest(old, e.before_digest);
		fz_audit_digest(data, e.after_digest);
		free(old);
		free(data);
		if (!rc)
			rc = fz_audit_append(db, &e, err);
	}
	return rc;
}

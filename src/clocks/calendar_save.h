/*
 * calendar_save: storing imported holiday years. Used by the admin API and
 * by `fazhi calendar import`, inside a store write: each year of the
 * imported calendar replaces the stored one, and each gets an audit entry
 * with digests of the year before and after. Who and where come from the
 * caller's template entry.
 */
#ifndef FZ_CLOCKS_CALENDAR_SAVE_H
#define FZ_CLOCKS_CALENDAR_SAVE_H

struct fz_audit_entry;
struct fz_calendar;
struct fz_db;
struct fz_err;

/*
 * Stores every year of add; before is the calendar in effect until now
 * (for the audit's before digest). tmpl gives at, actor, ip and region; the
 * summary starts with how (e.g. "命令行导入"). 0 or a store error.
 */
int fz_calendar_save_years(struct fz_db *db, const struct fz_calendar *add,
			   const struct fz_calendar *before, const struct fz_audit_entry *tmpl,
			   const char *how, struct fz_err *err);

#endif

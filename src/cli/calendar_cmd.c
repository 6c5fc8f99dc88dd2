/*
 * `fazhi calendar deadline|import|years`: compute a deadline so that anyone
 * can check it, import next year's holiday calendar (ICS or fazhi's JSON)
 * into the database, and list the years covered. Also the loader that
 * `fazhi serve` uses: share_dir/calendar-cn.json (from the npm package
 * chinese-days), then every year stored in the database, which replaces
 * the package's year of the same number.
 */
#include "cli/cli.h"
#include "clocks/calendar_save.h"

#include "audit/audit.h"
#include "clocks/calendar.h"
#include "clocks/deadline.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/file.h"
#include "core/json.h"
#include "registry/region.h"
#include "store/calendar_store.h"
#include "store/registry_store.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct db_years {
	struct fz_calendar *cal;
	int bad;
};

static int add_row(void *ctx, int year, const char *source, const char *data, int64_t imported_at)
{
	struct db_years *w = ctx;
	struct fz_err err;

	fz_err_init(&err);
	if (fz_calendar_load_json(w->cal, data, strlen(data), source, imported_at, &err)) {
		fprintf(stderr, "fazhi: calendar: the stored year %d is unreadable, skipped: %s\n",
			year, err.msg);
		w->bad++;
	}
	return 0;
}

int fz_cli_load_calendar(struct fz_store *store, const struct fz_config *cfg,
			 struct fz_calendar **out)
{
	struct fz_calendar *cal = fz_calendar_new();
	struct db_years w = { cal, 0 };
	struct fz_err err;
	struct fz_db *db;
	char path[1100];
	const char *what = path;
	size_t len;
	char *text;
	int rc = 0;

	*out = NULL;
	fz_err_init(&err);
	if (!cal)
		return fz_cli_fail("calendar", &err);
	snprintf(path, sizeof(path), "%s/calendar-cn.json", fz_config_str(cfg, FZ_CFG_SHARE_DIR));
	rc = fz_file_read(path, FZ_CALENDAR_MAX_BYTES, &text, &len, &err);
	if (rc && rc != -ENOENT) {
		rc = 1;
	} else if (rc) {
		rc = 0;
		fprintf(stderr,
			"fazhi: calendar: %s is missing (run `make`); working-day deadlines will "
			"name the years to import\n",
			path);
		fz_err_init(&err);
	} else {
		rc = fz_calendar_load_json(cal, text, len, NULL, 0, &err);
		free(text);
	}
	if (!rc && store) {
		what = "calendar";
		db = fz_store_reader(store);
		rc = db ? fz_store_calendar_list(db, add_row, &w, &err) : FZ_ENOMEM;
		fz_store_reader_put(store, db);
	}
	if (rc) {
		fz_calendar_unref(cal);
		return fz_cli_fail(what, &err);
	}
	*out = cal;
	return 0;
}

/* ---- deadline ---- */

static void print_days(const char *label, const struct fz_deadline_day *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char date[16];
		printf("%-9s %s %s %s%s\n", i ? "" : label,
		       fz_calendar_day_format(list[i].day, date, sizeof(date)),
		       fz_calendar_weekday_name(list[i].day),
		       list[i].name[0] ? list[i].name : "周末",
		       list[i].kind == FZ_DAY_MAKEUP ? "（调休上班）" : "");
	}
}

static void print_deadline(const struct fz_deadline *d, const struct fz_calendar *cal)
{
	struct fz_calendar_year_info info;
	char t[48], l[48];

	printf("start     %s Asia/Shanghai (%s)\n",
	       fz_calendar_local_format(d->start, l, sizeof(l)),
	       fz_time_format(d->start, t, sizeof(t)));
	printf("period    %lld %s (%lld %s)%s\n", (long long)d->period.amount,
	       fz_period_unit_name(d->period.unit), (long long)d->period.amount,
	       fz_period_unit_label(d->period.unit), d->period.rule ? ", rule next_workday" : "");
	printf("deadline  %s Asia/Shanghai (%s)\n", fz_deadline_local(d, l, sizeof(l)),
	       fz_time_format(d->due, t, sizeof(t)));
	print_days("skipped", d->skipped, d->nskipped);
	print_days("counted", d->makeup, d->nmakeup);
	printf("basis     %s\n", fz_period_basis(&d->period));
	for (int y = fz_calendar_day_year(fz_calendar_day_of(d->start));
	     y <= fz_calendar_day_year(d->last_day); y++)
		if (!fz_calendar_year_info(cal, y, &info))
			printf("calendar  %d: %s\n", y, info.source);
}

/* Parses --start, --amount, --unit and --rule into *start and *p. */
static int read_period(const struct fz_opt *o, int64_t *start, struct fz_period *p,
		       struct fz_err *err)
{
	const char *s = fz_cli_opt(o, "start"), *a = fz_cli_opt(o, "amount");
	const char *u = fz_cli_opt(o, "unit"), *r = fz_cli_opt(o, "rule");
	char *end = NULL;

	if (!s || fz_time_parse(s, start))
		return fz_err_set(err, FZ_EINVAL, NULL, "start",
				  "--start: 应为 RFC 3339 时间（如 2026-09-30T09:00:00+08:00）"
				  "或日期 2026-09-30");
	errno = 0;
	p->amount = a && a[0] >= '0' && a[0] <= '9' ? strtoll(a, &end, 10) : -1;
	if (p->amount < 0 || errno || (end && *end))
		return fz_err_set(err, FZ_EINVAL, NULL, "amount", "--amount: 应为正整数");
	if (!u || fz_period_parse_unit(u, &p->unit))
		return fz_err_set(err, FZ_EINVAL, NULL, "unit",
				  "--unit: 应为 hours、days 或 workdays");
	if (fz_period_parse_rule(r, &p->rule))
		return fz_err_set(err, FZ_EINVAL, NULL, "rule", "--rule: 应为 next_workday");
	return fz_period_check(p, err);
}

static int cmd_deadline(struct fz_cli_run *run)
{
	const struct fz_config *cfg = &run->cfg;
	const struct fz_opt *o = run->opts;
	struct fz_calendar *cal = NULL;
	struct fz_deadline d;
	struct fz_period p;
	struct fz_err err;
	int64_t start;
	int rc;

	fz_err_init(&err);
	fz_deadline_init(&d);
	if (read_period(o, &start, &p, &err))
		return fz_cli_fail("calendar deadline", &err);
	if ((rc = fz_cli_load_calendar(run->store, cfg, &cal)))
		goto out;
	if (fz_deadline_compute(&d, cal, start, &p, &err)) {
		rc = fz_cli_fail("calendar deadline", &err);
	} else if (fz_cli_opt(o, "json")) {
		cJSON *j = fz_deadline_json(&d, cal);
		char *text = j ? cJSON_Print(j) : NULL;
		printf("%s\n", text ? text : "{}");
		free(text);
		cJSON_Delete(j);
	} else {
		print_deadline(&d, cal);
	}
out:
	fz_deadline_release(&d);
	fz_calendar_unref(cal);
	return rc;
}

/* ---- import ---- */

struct import {
	const struct fz_calendar *add, *before;
	struct fz_region city;
};

static int save_years(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct import *im = arg;
	struct fz_audit_entry tmpl;

	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.at = fz_clock_now();
	snprintf(tmpl.actor, sizeof(tmpl.actor), "cli");
	snprintf(tmpl.ip, sizeof(tmpl.ip), "local");
	snprintf(tmpl.region, sizeof(tmpl.region), "%s", im->city.code);
	snprintf(tmpl.region_path, sizeof(tmpl.region_path), "%s", im->city.path);
	return fz_calendar_save_years(db, im->add, im->before, &tmpl, "命令行导入", err);
}

static int find_city(void *ctx, const struct fz_region *r)
{
	struct fz_region *city = ctx;

	if (strcmp(r->level, "city") != 0)
		return 0;
	*city = *r;
	return 1;
}

/* "2027" or "2026,2027" into years. The count, or -1. */
static int parse_years(const char *s, int *years, int max)
{
	int n = 0;

	while (s && *s) {
		char *end;
		long y = strtol(s, &end, 10);
		if (end == s || n == max || y < FZ_CALENDAR_FIRST_YEAR || y > FZ_CALENDAR_LAST_YEAR)
			return -1;
		years[n++] = (int)y;
		s = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return -1;
	}
	return n;
}

/* Parses text as fazhi's JSON or as ICS, whichever it looks like. */
static int parse_file(struct fz_calendar *add, const char *file, const char *text, size_t len,
		      const struct fz_opt *o, struct fz_err *err)
{
	const char *p = text, *source = fz_cli_opt(o, "source");
	int years[16], n = parse_years(fz_cli_opt(o, "year"), years, 16);
	int64_t now = fz_clock_now();

	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	p += strspn(p, " \t\r\n");
	if (n < 0)
		return fz_err_set(err, FZ_EINVAL, NULL, "year",
				  "--year: 应为年份或逗号分隔的年份，如 2027 或 2026,2027");
	if (*p == '{')
		return n ? fz_err_set(err, FZ_EINVAL, NULL, "year",
				      "--year 只用于 ICS 文件；JSON 文件在 years 中列出年份")
			 : fz_calendar_load_json(add, text, len, source, now, err);
	if (strncasecmp(p, "BEGIN:VCALENDAR", 15) == 0)
		return fz_calendar_import_ics(add, text, len, years, (size_t)n, source, now, err);
	return fz_err_set(err, FZ_EINVAL, NULL, NULL,
			  "%s 既不是 fazhi 的日历 JSON（以 { 开头）也不是 ICS（以 BEGIN:VCALENDAR "
			  "开头）",
			  file);
}

static int cmd_import(struct fz_cli_run *run)
{
	const struct fz_config *cfg = &run->cfg;
	const char *file = run->file;
	const struct fz_opt *o = run->opts;
	struct import im;
	struct fz_calendar *add = fz_calendar_new(), *before = NULL;
	struct fz_store *store = NULL;
	struct fz_err err;
	struct fz_db *db;
	size_t len = 0;
	char *text = NULL;
	int rc;

	memset(&im, 0, sizeof(im));
	fz_err_init(&err);
	if (!file)
		rc = fz_err_set(&err, FZ_EINVAL, NULL, NULL, "calendar import needs a FILE");
	else if (!(rc = fz_file_read(file, FZ_CALENDAR_MAX_BYTES, &text, &len, &err)))
		rc = parse_file(add, file, text, len, o, &err);
	if (rc) {
		rc = fz_cli_fail(file ? file : "calendar import", &err);
		goto out;
	}
	if (!(store = fz_cli_open(cfg, 0)) || fz_cli_load_calendar(store, cfg, &before)) {
		rc = 1;
		goto out;
	}
	db = fz_store_reader(store);
	if (db)
		fz_store_region_all(db, find_city, &im.city, NULL);
	fz_store_reader_put(store, db);
	if (!im.city.path[0])
		snprintf(im.city.path, sizeof(im.city.path), "/");
	im.add = add;
	im.before = before;
	if ((rc = fz_store_write(store, save_years, &im, &err))) {
		rc = fz_cli_fail("calendar import", &err);
		goto out;
	}
	for (int y = fz_calendar_next_year(add, 0); y; y = fz_calendar_next_year(add, y)) {
		struct fz_calendar_year_info info;
		fz_calendar_year_info(add, y, &info);
		printf("fazhi: imported %d: %d holidays, %d make-up working days (%s)%s\n", y,
		       info.holidays, info.makeup, info.source,
		       fz_calendar_covers(before, y) ? ", replacing the year loaded before" : "");
	}
	printf("fazhi: stored in %s; a running fazhi serve uses it after a restart "
	       "(POST /api/v1/calendar/years takes effect at once)\n",
	       fz_config_str(cfg, FZ_CFG_DB));
out:
	free(text);
	fz_calendar_unref(add);
	fz_calendar_unref(before);
	fz_store_free(store);
	return rc;
}

/* ---- years ---- */

static int cmd_years(struct fz_cli_run *run)
{
	struct fz_calendar *cal = NULL;
	int rc = fz_cli_load_calendar(run->store, &run->cfg, &cal);

	if (!rc) {
		printf("%-5s %-8s %-8s %-9s %s\n", "year", "holidays", "workdays", "origin",
		       "source");
		for (int y = fz_calendar_next_year(cal, 0); y; y = fz_calendar_next_year(cal, y)) {
			struct fz_calendar_year_info info;
			char t[40];
			fz_calendar_year_info(cal, y, &info);
			printf("%-5d %-8d %-8d %-9s %s", y, info.holidays, info.makeup,
			       info.imported_at ? "database" : "package", info.source);
			if (info.imported_at)
				printf(" (imported %s)",
				       fz_time_format(info.imported_at, t, sizeof(t)));
			printf("\n");
		}
		if (!fz_calendar_next_year(cal, 0))
			printf("(no year covered)\n");
	}
	fz_calendar_unref(cal);
	return rc;
}

int fz_cmd_calendar(int argc, char **argv)
{
	/* import opens the database itself, after reading the file */
	static const struct fz_cli_verb verbs[] = {
		{ "deadline", cmd_deadline, FZ_CLI_DB_IF_NAMED, 0 },
		{ "import", cmd_import, FZ_CLI_NO_DB, 1 },
		{ "years", cmd_years, FZ_CLI_DB_IF_NAMED, 0 },
		{ NULL, NULL, FZ_CLI_NO_DB, 0 },
	};
	struct fz_opt opts[] = {
		{ "start", 0, "start of the period: RFC 3339 or a date (deadline)", NULL },
		{ "amount", 0, "length of the period, a positive integer (deadline)", NULL },
		{ "unit", 0, "hours, days (natural days) or workdays (deadline)", NULL },
		{ "rule", 0, "next_workday: a last day off moves to the next working day", NULL },
		{ "json", 1, "print the deadline as the API's JSON (deadline)", NULL },
		{ "year", 0, "the year(s) an ICS file describes, e.g. 2027 or 2026,2027 (import)",
		  NULL },
		{ "source", 0, "where the calendar comes from, shown with each year (import)",
		  NULL },
		{ NULL, 0, NULL, NULL },
	};
	static const char usage[] =
		"Usage: fazhi calendar deadline|import|years [options]\n"
		"  deadline --start T --amount N --unit hours|days|workdays [--rule next_workday]\n"
		"           [--json] [--db FILE]   compute the end of a statutory period\n"
		"  import FILE --db FILE [--year Y[,Y]] [--source TEXT]\n"
		"           store a year's holidays from fazhi's calendar JSON or an ICS file\n"
		"           (ICS: --year is required; 班 marks make-up working days, 休/假 holidays)\n"
		"  years    [--db FILE]             list the years covered and their sources\n"
		"Without --db only share_dir/calendar-cn.json (the npm package chinese-days) is used.";

	return fz_cli_run_verbs(argc, argv, "calendar", usage, opts, verbs);
}

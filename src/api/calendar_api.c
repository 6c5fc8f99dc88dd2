/*
 * /api/v1/calendar: deadlines anyone signed in can check, the years of the
 * holiday calendar, and imports of a new year by a city administrator
 * (stored, audited, and published to every thread at once).
 */
#include "api/app.h"
#include "clocks/calendar_save.h"
#include "api/handlers.h"

#include "clocks/calendar.h"
#include "clocks/deadline.h"
#include "core/clock.h"
#include "core/err.h"
#include "registry/region_tree.h"
#include "store/calendar_store.h"
#include "store/registry_store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The calendar in effect, with a reference (unref when done), or NULL. */
static struct fz_calendar *calendar_of(const struct fz_req *req)
{
	struct fz_calendar_slot *slot = fz_app_of(req)->calendar;

	return slot ? fz_calendar_slot_get(slot) : NULL;
}

/* ---- GET /calendar/deadline ---- */

/*
 * s with a space before a trailing "HH:MM" offset read as '+': an
 * unencoded "+08:00" in a query string arrives as " 08:00".
 */
static const char *plus_offset(const char *s, char *out, size_t size)
{
	size_t n = strlen(s);

	if (n < 25 || n >= size || s[n - 6] != ' ' || s[n - 3] != ':')
		return s;
	memcpy(out, s, n + 1);
	out[n - 6] = '+';
	return out;
}

static int query_period(const struct fz_req *req, int64_t *start, struct fz_period *p,
			struct fz_err *err)
{
	char fixed[64];
	const char *s = fz_req_query(req, "start"), *a = fz_req_query(req, "amount");
	const char *u = fz_req_query(req, "unit"), *r = fz_req_query(req, "rule");
	char *end = NULL;

	if (!s || !s[0])
		return fz_err_set(err, FZ_EINVAL, "missing_field", "start",
				  "start: 必填，期间开始的时刻，如 2026-09-30T09:00:00+08:00");
	if (fz_time_parse(plus_offset(s, fixed, sizeof(fixed)), start))
		return fz_err_set(err, FZ_EINVAL, NULL, "start",
				  "start: “%.40s”不是时间，应为 RFC 3339（如 "
				  "2026-09-30T09:00:00+08:00）或日期 2026-09-30（北京时间零时）",
				  s);
	if (!a || !a[0])
		return fz_err_set(err, FZ_EINVAL, "missing_field", "amount",
				  "amount: 必填，期间长度（正整数）");
	errno = 0;
	p->amount = a[0] >= '0' && a[0] <= '9' ? strtoll(a, &end, 10) : -1;
	if (p->amount < 0 || errno || *end)
		return fz_err_set(err, FZ_EINVAL, NULL, "amount", "amount: “%.20s”不是正整数", a);
	if (!u || !u[0])
		return fz_err_set(err, FZ_EINVAL, "missing_field", "unit",
				  "unit: 必填，hours（小时）、days（自然日）或 workdays（工作日）");
	if (fz_period_parse_unit(u, &p->unit))
		return fz_err_set(err, FZ_EINVAL, NULL, "unit",
				  "unit: “%.20s”无效，应为 hours（小时）、days（自然日）或 "
				  "workdays（工作日）",
				  u);
	if (fz_period_parse_rule(r, &p->rule))
		return fz_err_set(
			err, FZ_EINVAL, NULL, "rule",
			"rule: “%.20s”无效，应为 next_workday（届满日遇休假日顺延）或不填", r);
	return fz_period_check(p, err);
}

int fz_api_calendar_deadline(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_calendar *cal;
	struct fz_deadline d;
	struct fz_period p;
	int64_t start;
	int rc = query_period(req, &start, &p, err);

	if (rc)
		return rc;
	cal = calendar_of(req);
	rc = fz_deadline_compute(&d, cal, start, &p, err);
	if (!rc)
		rc = fz_resp_json(resp, 200, fz_deadline_json(&d, cal));
	fz_deadline_release(&d);
	fz_calendar_unref(cal);
	return rc;
}

/* ---- GET /calendar/years ---- */

static cJSON *year_json(const struct fz_calendar_year_info *info)
{
	cJSON *o = cJSON_CreateObject();

	fz_json_add_int(o, "year", info->year);
	cJSON_AddStringToObject(o, "source", info->source);
	cJSON_AddStringToObject(o, "origin", info->imported_at ? "database" : "package");
	fz_app_add_time(o, "imported_at", info->imported_at);
	fz_json_add_int(o, "holidays", info->holidays);
	fz_json_add_int(o, "workdays", info->makeup);
	return o;
}

int fz_api_calendar_years(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_calendar *cal = calendar_of(req);
	cJSON *out = cJSON_CreateObject(), *items = cJSON_CreateArray();

	(void)err;
	for (int y = fz_calendar_next_year(cal, 0); y; y = fz_calendar_next_year(cal, y)) {
		struct fz_calendar_year_info info;
		fz_calendar_year_info(cal, y, &info);
		fz_json_push(items, year_json(&info));
	}
	fz_calendar_unref(cal);
	fz_json_put(out, "items", items);
	return fz_resp_json(resp, 200, out);
}

/* ---- GET /calendar/years/{year} ---- */

static int parse_year(const char *s, const char *field, int *year, struct fz_err *err)
{
	int64_t v;

	if (fz_app_parse_id(s, field, FZ_CALENDAR_FIRST_YEAR, &v, NULL) ||
	    v > FZ_CALENDAR_LAST_YEAR)
		return fz_err_set(err, FZ_EINVAL, NULL, field,
				  "%s: “%.20s”无效，应为 %d 到 %d 的年份", field, s,
				  FZ_CALENDAR_FIRST_YEAR, FZ_CALENDAR_LAST_YEAR);
	*year = (int)v;
	return 0;
}

/* [{date, weekday, name}] of the days of year whose kind is kind. */
static cJSON *days_of(const struct fz_calendar *cal, int year, enum fz_day_kind kind)
{
	cJSON *arr = cJSON_CreateArray();
	char date[16];
	int32_t day;

	snprintf(date, sizeof(date), "%04d-01-01", year);
	fz_calendar_day_parse(date, &day);
	for (; fz_calendar_day_year(day) == year; day++) {
		struct fz_day d;
		cJSON *o;
		if (fz_calendar_day(cal, day, &d, NULL) || d.kind != kind)
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "date", fz_calendar_day_format(day, date, sizeof(date)));
		cJSON_AddStringToObject(o, "weekday", fz_calendar_weekday_name(day));
		cJSON_AddStringToObject(o, "name", d.name);
		fz_json_push(arr, o);
	}
	return arr;
}

int fz_api_calendar_year(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_calendar_year_info info;
	struct fz_calendar *cal;
	struct fz_day day;
	cJSON *out;
	char date[16];
	int year = 0, rc = parse_year(req->params[0], "year", &year, err);

	if (rc)
		return rc;
	cal = calendar_of(req);
	if (fz_calendar_year_info(cal, year, &info)) {
		snprintf(date, sizeof(date), "%04d-01-01", year);
		fz_calendar_day_parse(date, &day.day);
		rc = fz_calendar_day(cal, day.day, &day, err); /* names the missing year */
		fz_calendar_unref(cal);
		return rc ? rc : FZ_EINTERNAL;
	}
	out = year_json(&info);
	fz_json_put(out, "holiday_days", days_of(cal, year, FZ_DAY_HOLIDAY));
	fz_json_put(out, "makeup_days", days_of(cal, year, FZ_DAY_MAKEUP));
	fz_calendar_unref(cal);
	return fz_resp_json(resp, 200, out);
}

/* ---- POST /calendar/years ---- */

/* Imports are for administrators of the city (or wider): the calendar is national. */
static int check_city_admin(struct fz_req *req, struct fz_err *err)
{
	const struct fz_region_node *n =
		fz_region_tree_find(fz_app_of(req)->regions, req->who->scope);
	struct fz_region r;
	const char *level = n ? n->r.level : NULL;
	struct fz_db *db;

	if (!level) {
		if (!(db = fz_app_db(req, err)))
			return FZ_ENOMEM;
		if (fz_store_region_get(db, req->who->scope, &r, NULL) == 0)
			level = r.level;
	}
	if (level && (strcmp(level, "city") == 0 || strcmp(level, "province") == 0))
		return 0;
	return fz_err_set(err, FZ_EFORBIDDEN, NULL, "calendar",
			  "节假日安排全市通用，只有市级管理员可以导入（当前账号的管辖范围是 %s）",
			  req->who->scope);
}

/* ?year=2027 or ?year=2026,2027 into years. The count, or an error. */
static int query_years(const struct fz_req *req, int *years, int max, struct fz_err *err)
{
	const char *s = fz_req_query(req, "year");
	int n = 0;

	while (s && *s) {
		char part[16];
		size_t len = strcspn(s, ",");
		if (n == max || len == 0 || len >= sizeof(part))
			return fz_err_set(err, FZ_EINVAL, NULL, "year",
					  "year: 应为年份或逗号分隔的年份（至多 %d 个），如 2027",
					  max);
		snprintf(part, sizeof(part), "%.*s", (int)len, s);
		if (parse_year(part, "year", &years[n++], err))
			return FZ_EINVAL;
		s += len + (s[len] == ',');
	}
	return n;
}

/* Parses the body by its Content-Type into add. */
static int read_body(struct fz_req *req, struct fz_calendar *add, struct fz_err *err)
{
	const char *ct = fz_req_header(req, "Content-Type"), *source = fz_req_query(req, "source");
	int years[16], n = query_years(req, years, 16, err);

	if (n < 0)
		return n;
	if (source && (!source[0] || strlen(source) > FZ_CALENDAR_MAX_SOURCE ||
		       !fz_json_utf8_ok(source, strlen(source))))
		return fz_err_set(err, FZ_EINVAL, NULL, "source",
				  "source: 应为来源说明（1-%d 字节的文字）",
				  FZ_CALENDAR_MAX_SOURCE);
	if (!req->body || !req->body_len)
		return fz_err_set(err, FZ_EINVAL, "missing_field", "body",
				  "请求体为空：应为 fazhi 日历 JSON 或 ICS 文本");
	if (ct && strncasecmp(ct, "application/json", 16) == 0) {
		if (n)
			return fz_err_set(err, FZ_EINVAL, NULL, "year",
					  "year: 只用于 ICS；JSON 请在 years 中列出年份");
		return fz_calendar_load_json(add, req->body, req->body_len, source, req->now, err);
	}
	if (ct && strncasecmp(ct, "text/calendar", 13) == 0)
		return fz_calendar_import_ics(add, req->body, req->body_len, years, (size_t)n,
					      source, req->now, err);
	return fz_err_set(err, FZ_EMEDIA, NULL, "Content-Type",
			  "Content-Type: 应为 application/json（fazhi 日历 JSON）或 text/calendar"
			  "（ICS），收到 %.64s",
			  ct ? ct : "无");
}

struct import {
	struct fz_req *req;
	const struct fz_calendar *add;
	struct fz_calendar *before; /* the calendar in effect before, for the audit */
};

static int save_years(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct import *im = arg;
	struct fz_audit_entry tmpl;

	fz_app_audit_init(im->req, &tmpl, "calendar.import", "calendar", 0);
	fz_app_audit_region(&tmpl, im->req->who->scope, im->req->who->scope_path);
	return fz_calendar_save_years(db, im->add, im->before, &tmpl, "导入", err);
}

int fz_api_calendar_import(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_calendar_slot *slot = fz_app_of(req)->calendar;
	struct import im = { req, NULL, NULL };
	struct fz_calendar *add;
	cJSON *out, *items;
	int rc = check_city_admin(req, err);

	if (rc)
		return rc;
	if (!slot)
		return fz_err_set(err, FZ_EINTERNAL, NULL, NULL, "服务没有载入日历");
	if (!(add = fz_calendar_new()))
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	if ((rc = read_body(req, add, err))) {
		fz_calendar_unref(add);
		return rc;
	}
	/* the store's order of imports is the memory's order */
	pthread_mutex_lock(&slot->import_lock);
	im.add = add;
	im.before = fz_calendar_slot_get(slot);
	rc = fz_app_write(req, save_years, &im, err);
	if (!rc && fz_calendar_slot_merge(slot, add))
		rc = fz_err_set(err, FZ_ENOMEM, NULL, NULL, "已保存，但内存不足，重启服务后生效");
	pthread_mutex_unlock(&slot->import_lock);
	fz_calendar_unref(im.before);
	if (rc) {
		fz_calendar_unref(add);
		return rc;
	}
	out = cJSON_CreateObject();
	items = cJSON_CreateArray();
	for (int y = fz_calendar_next_year(add, 0); y; y = fz_calendar_next_year(add, y)) {
		struct fz_calendar_year_info info;
		fz_calendar_year_info(add, y, &info);
		fz_json_push(items, year_json(&info));
		if (!resp->location[0])
			snprintf(resp->location, sizeof(resp->location),
				 "/api/v1/calendar/years/%d", y);
	}
	fz_json_put(out, "items", items);
	fz_calendar_unref(add);
	return fz_resp_json(resp, 201, out);
}

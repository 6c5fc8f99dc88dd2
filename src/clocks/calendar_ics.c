/*
 * calendar_ics: fz_calendar_import_ics(), the iCalendar (RFC 5545) importer.
 *
 * Only what a holiday calendar needs is read: lines are unfolded (a line
 * starting with a space or tab continues the previous one), components are
 * tracked as a stack so that BEGIN/END must match, and each VEVENT directly
 * inside VCALENDAR gives a range of all-day dates [DTSTART, DTEND) that its
 * SUMMARY (else DESCRIPTION) makes holidays or make-up working days. Other
 * components (VTIMEZONE, VALARM...) and other properties are skipped. Errors
 * name the line where the logical line starts.
 */
#include "clocks/calendar.h"
#include "clocks/calendar_build.h"

#include "core/err.h"
#include "core/json.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_DEPTH 8
#define MAX_TEXT  512 /* bytes kept of SUMMARY and DESCRIPTION */

struct ics {
	const char *p, *end;
	int next_lineno; /* physical line number at p */
	int lineno;	 /* where the current logical line starts */
	char line[FZ_CALENDAR_MAX_LINE + 1];
	size_t len;
	struct fz_err *err;
};

struct prop {
	char name[64];	 /* upper case (longer names are cut: none of ours is long) */
	char vtype[16];	 /* the VALUE= parameter, upper case, "" if none */
	const char *val; /* into the line */
	size_t nval;
};

struct event {
	int begin_line;
	int start_line, end_line, summary_line; /* 0: property absent */
	int32_t start, end;
	char summary[MAX_TEXT], description[MAX_TEXT];
};

struct import {
	struct fz_calendar *cal; /* scratch: the listed years */
	int *lines;		 /* line that set each day, by (year - first) * 366 + day of year */
	char calname[FZ_CALENDAR_MAX_SOURCE + 8]; /* X-WR-CALNAME */
	char prodid[FZ_CALENDAR_MAX_SOURCE + 8];
	int events;
};

static int fail(struct ics *x, int line, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct ics *x, int line, int code, const char *fmt, ...)
{
	char msg[320], field[32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(field, sizeof(field), "line %d", line);
	return fz_err_set(x->err, code, NULL, field, "第 %d 行: %s", line, msg);
}

/* The next logical line into x->line. 1, 0 at the end, or an error. */
static int read_line(struct ics *x)
{
	if (x->p >= x->end)
		return 0;
	x->lineno = x->next_lineno;
	x->len = 0;
	for (;;) {
		const char *nl = memchr(x->p, '\n', (size_t)(x->end - x->p));
		const char *e = nl ? nl : x->end;
		size_t n = (size_t)(e - x->p);
		if (n && e[-1] == '\r')
			n--;
		if (x->len + n > FZ_CALENDAR_MAX_LINE)
			return fail(x, x->lineno, FZ_ETOOBIG, "行长超过 %d 字节",
				    FZ_CALENDAR_MAX_LINE);
		memcpy(x->line + x->len, x->p, n);
		x->len += n;
		x->p = nl ? nl + 1 : x->end;
		x->next_lineno++;
		if (x->p < x->end && (*x->p == ' ' || *x->p == '\t')) {
			x->p++; /* a folded line continues */
			continue;
		}
		break;
	}
	x->line[x->len] = '\0';
	if (memchr(x->line, '\0', x->len) || !fz_json_utf8_ok(x->line, x->len))
		return fail(x, x->lineno, FZ_EINVAL, "含有控制字符或不是合法的 UTF-8 文本");
	return 1;
}

static void upper(char *out, size_t size, const char *s, size_t n)
{
	size_t i = 0;

	for (; i < n && i + 1 < size; i++)
		out[i] = (char)toupper((unsigned char)s[i]);
	out[i] = '\0';
}

/* Splits x->line into name, VALUE parameter and value. */
static int parse_prop(struct ics *x, struct prop *p)
{
	const char *s = x->line;
	size_t i = 0, k;
	int quoted = 0;

	while (i < x->len && (isalnum((unsigned char)s[i]) || s[i] == '-'))
		i++;
	if (i == 0 || (s[i] != ':' && s[i] != ';'))
		return fail(x, x->lineno, FZ_EINVAL, "应为 NAME:VALUE 形式的属性");
	upper(p->name, sizeof(p->name), s, i);
	p->vtype[0] = '\0';
	while (s[i] == ';') {
		k = ++i;
		while (i < x->len && (quoted || (s[i] != ';' && s[i] != ':'))) {
			if (s[i] == '"')
				quoted = !quoted;
			i++;
		}
		if (i - k > 6 && strncasecmp(s + k, "VALUE=", 6) == 0)
			upper(p->vtype, sizeof(p->vtype), s + k + 6, i - k - 6);
	}
	if (s[i] != ':')
		return fail(x, x->lineno, FZ_EINVAL, "%s: 缺少“:”和值", p->name);
	p->val = s + i + 1;
	p->nval = x->len - i - 1;
	return 0;
}

/* TEXT value with its escapes (\, \; \\ \n) undone, into out. */
static void unescape(const struct prop *p, char *out, size_t size)
{
	char tmp[FZ_CALENDAR_MAX_LINE + 1];
	size_t n = 0;

	for (size_t i = 0; i < p->nval; i++) {
		char c = p->val[i];
		if (c == '\\' && i + 1 < p->nval) {
			c = p->val[++i];
			if (c == 'n' || c == 'N')
				c = ' ';
		}
		tmp[n++] = c;
	}
	tmp[n] = '\0';
	cal_copy_utf8(out, size, tmp, size - 1);
}

static int date_value(struct ics *x, const struct prop *p, int32_t *day)
{
	char shown[40];

	cal_shown(shown, sizeof(shown), p->val, p->nval);
	if ((p->vtype[0] && strcmp(p->vtype, "DATE") != 0) || memchr(p->val, 'T', p->nval))
		return fail(x, x->lineno, FZ_EINVAL,
			    "%s “%s” 应为全天日期 YYYYMMDD（VALUE=DATE），不能是时刻", p->name,
			    shown);
	if (cal_parse_compact(p->val, p->nval, day))
		return fail(x, x->lineno, FZ_EINVAL, "%s “%s” 不是日期，应为 YYYYMMDD", p->name,
			    shown);
	return 0;
}

/* 1 when hay contains needle, ASCII letters compared without case. */
static int contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return 0;
}

/* The rule of docs/internals/clocks.md: 班/workday first, then 休/假/holiday. */
static enum fz_day_kind classify(const char *s)
{
	if (strstr(s, "班") || contains_ci(s, "workday"))
		return FZ_DAY_MAKEUP;
	if (strstr(s, "休") || strstr(s, "假") || contains_ci(s, "holiday"))
		return FZ_DAY_HOLIDAY;
	return 0;
}

static void trim(char *s)
{
	size_t n = strlen(s), lead = strspn(s, " \t");

	while (n > lead && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	memmove(s, s + lead, n - lead);
	s[n - lead] = '\0';
}

/* The last occurrence of needle in s, NULL if none. */
static char *last_of(char *s, const char *needle)
{
	char *found = NULL;

	for (char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
		found = p;
	return found;
}

/* The day's name: SUMMARY without a short trailing "(休)" / "（班）" / "(Holiday)". */
static void event_name(const struct event *ev, enum fz_day_kind kind, char *out, size_t size)
{
	char s[MAX_TEXT], *open = NULL;
	size_t n;

	snprintf(s, sizeof(s), "%s", ev->summary_line ? ev->summary : "");
	trim(s);
	n = strlen(s);
	if (n && s[n - 1] == ')')
		open = last_of(s, "(");
	else if (n >= 3 && strcmp(s + n - 3, "）") == 0)
		open = last_of(s, "（");
	if (open && open > s && (size_t)(s + n - open) <= 24)
		*open = '\0';
	trim(s);
	if (!s[0])
		snprintf(s, sizeof(s), "%s", kind == FZ_DAY_HOLIDAY ? "节假日" : "调休上班");
	cal_copy_utf8(out, size, s, FZ_CALENDAR_MAX_NAME);
}

static int mark_day(struct ics *x, struct import *im, const struct event *ev, int32_t day,
		    enum fz_day_kind kind, const char *name)
{
	int year = fz_calendar_day_year(day), rc, *line;
	struct cal_year *y = cal_year_get(im->cal, year);
	char date[16];

	fz_calendar_day_format(day, date, sizeof(date));
	if (!y)
		return fail(x, ev->start_line, FZ_EINVAL,
			    "%s 不在导入的年份内；跨年的日子请把该年一并列入年份并给出该年全部安排",
			    date);
	if (kind == FZ_DAY_MAKEUP && fz_calendar_weekday(day) != 0 && fz_calendar_weekday(day) != 6)
		return fail(x, ev->start_line, FZ_EINVAL, "%s 是%s，调休上班日应为周六或周日", date,
			    fz_calendar_weekday_name(day));
	line = &im->lines[(year - FZ_CALENDAR_FIRST_YEAR) * 366 + (day - y->first_day)];
	rc = cal_year_set(y, day, kind, name);
	if (rc == FZ_ECONFLICT)
		return fail(x, ev->start_line, FZ_EINVAL, "%s 已在第 %d 行列为%s", date, *line,
			    kind == FZ_DAY_HOLIDAY ? "调休上班日" : "节假日");
	if (rc)
		return fail(x, ev->start_line, rc, "%d 年的节日名称超过 %d 种", year,
			    FZ_CALENDAR_MAX_NAMES);
	if (!*line)
		*line = ev->start_line;
	return 0;
}

static int apply_event(struct ics *x, struct import *im, struct event *ev)
{
	enum fz_day_kind kind;
	char name[FZ_CALENDAR_MAX_NAME + 8], shown[80];
	int rc;

	if (!ev->start_line)
		return fail(x, ev->begin_line, FZ_EINVAL, "VEVENT 缺少 DTSTART");
	if (!ev->end_line)
		ev->end = ev->start + 1; /* an all-day event without DTEND lasts one day */
	if (ev->end <= ev->start)
		return fail(x, ev->end_line, FZ_EINVAL, "DTEND 应晚于 DTSTART（DTEND 不含当日）");
	if (ev->end - ev->start > FZ_CALENDAR_MAX_SPAN)
		return fail(x, ev->end_line, FZ_ETOOBIG, "事件跨 %d 天，超过上限 %d 天",
			    (int)(ev->end - ev->start), FZ_CALENDAR_MAX_SPAN);
	kind = ev->summary_line ? classify(ev->summary) : 0;
	if (!kind)
		kind = classify(ev->description);
	if (!kind) {
		cal_shown(shown, sizeof(shown), ev->summary, strlen(ev->summary));
		return fail(x, ev->summary_line ? ev->summary_line : ev->begin_line, FZ_EINVAL,
			    "SUMMARY “%s” 既不含“休”“假”（节假日）也不含“班”（调休上班日），"
			    "无法判断",
			    shown);
	}
	event_name(ev, kind, name, sizeof(name));
	for (int32_t d = ev->start; d < ev->end; d++)
		if ((rc = mark_day(x, im, ev, d, kind, name)))
			return rc;
	return 0;
}

static int event_prop(struct ics *x, struct event *ev, const struct prop *p)
{
	if (strcmp(p->name, "RRULE") == 0 || strcmp(p->name, "RDATE") == 0 ||
	    strcmp(p->name, "DURATION") == 0 || strcmp(p->name, "EXDATE") == 0)
		return fail(x, x->lineno, FZ_EINVAL,
			    "不支持 %s：每个节假日或调休上班日请用 DTSTART/DTEND 写明", p->name);
	if (strcmp(p->name, "DTSTART") == 0 || strcmp(p->name, "DTEND") == 0) {
		int start = p->name[2] == 'S';
		if (start ? ev->start_line : ev->end_line)
			return fail(x, x->lineno, FZ_EINVAL, "%s 重复", p->name);
		if (start)
			ev->start_line = x->lineno;
		else
			ev->end_line = x->lineno;
		return date_value(x, p, start ? &ev->start : &ev->end);
	}
	if (strcmp(p->name, "SUMMARY") == 0) {
		ev->summary_line = x->lineno;
		unescape(p, ev->summary, sizeof(ev->summary));
	} else if (strcmp(p->name, "DESCRIPTION") == 0) {
		unescape(p, ev->description, sizeof(ev->description));
	}
	return 0;
}

/* BEGIN or END of a component. */
static int component(struct ics *x, struct import *im, const struct prop *p, char stack[][32],
		     int *depth, int *lines, struct event *ev)
{
	char name[32];

	upper(name, sizeof(name), p->val, p->nval);
	if (!name[0] || p->nval >= sizeof(name))
		return fail(x, x->lineno, FZ_EINVAL, "%s 缺少组件名", p->name);
	if (strcmp(p->name, "BEGIN") == 0) {
		if (*depth == 0 && strcmp(name, "VCALENDAR") != 0)
			return fail(x, x->lineno, FZ_EINVAL, "应以 BEGIN:VCALENDAR 开始");
		if (*depth == MAX_DEPTH)
			return fail(x, x->lineno, FZ_ETOOBIG, "组件嵌套超过 %d 层", MAX_DEPTH);
		lines[*depth] = x->lineno;
		snprintf(stack[(*depth)++], 32, "%s", name);
		if (*depth == 2 && strcmp(name, "VEVENT") == 0) {
			if (++im->events > FZ_CALENDAR_MAX_EVENTS)
				return fail(x, x->lineno, FZ_ETOOBIG, "VEVENT 超过 %d 个",
					    FZ_CALENDAR_MAX_EVENTS);
			memset(ev, 0, sizeof(*ev));
			ev->begin_line = x->lineno;
		}
		return 0;
	}
	if (*depth == 0 || strcmp(stack[*depth - 1], name) != 0)
		return fail(x, x->lineno, FZ_EINVAL, "END:%s 与%s不匹配", name,
			    *depth ? "当前组件" : "任何 BEGIN 都");
	if (--*depth == 1 && strcmp(name, "VEVENT") == 0)
		return apply_event(x, im, ev);
	return 0;
}

static int parse(struct ics *x, struct import *im)
{
	char stack[MAX_DEPTH][32];
	int depth = 0, lines[MAX_DEPTH], rc, seen = 0;
	struct event ev;
	struct prop p;

	memset(&ev, 0, sizeof(ev));
	while ((rc = read_line(x)) == 1) {
		if (x->len == 0)
			continue;
		if ((rc = parse_prop(x, &p)))
			return rc;
		if (strcmp(p.name, "BEGIN") == 0 || strcmp(p.name, "END") == 0) {
			if (depth == 0 && seen)
				return fail(x, x->lineno, FZ_EINVAL, "END:VCALENDAR 之后还有内容");
			seen = 1;
			rc = component(x, im, &p, stack, &depth, lines, &ev);
		} else if (depth == 0) {
			rc = fail(x, x->lineno, FZ_EINVAL, "应以 BEGIN:VCALENDAR 开始");
		} else if (depth == 2 && strcmp(stack[1], "VEVENT") == 0) {
			rc = event_prop(x, &ev, &p);
		} else if (depth == 1 &&
			   (strcmp(p.name, "X-WR-CALNAME") == 0 || strcmp(p.name, "PRODID") == 0)) {
			char text[MAX_TEXT], *to = p.name[0] == 'X' ? im->calname : im->prodid;
			unescape(&p, text, sizeof(text));
			cal_copy_utf8(to, sizeof(im->calname), text, FZ_CALENDAR_MAX_SOURCE - 5);
		}
		if (rc)
			return rc;
	}
	if (rc < 0)
		return rc;
	if (!seen)
		return fail(x, x->next_lineno > 1 ? x->next_lineno - 1 : 1, FZ_EINVAL,
			    "不是 iCalendar 文件（没有 BEGIN:VCALENDAR）");
	if (depth)
		return fail(x, lines[depth - 1], FZ_EINVAL, "BEGIN:%s 没有对应的 END",
			    stack[depth - 1]);
	return 0;
}

static int add_years(struct import *im, const int *years, size_t nyears, struct fz_err *err)
{
	if (nyears == 0)
		return fz_err_set(err, FZ_EINVAL, NULL, "year",
				  "year: 导入 ICS 文件须指明它描述的年份，如 2027");
	for (size_t i = 0; i < nyears; i++) {
		if (years[i] < FZ_CALENDAR_FIRST_YEAR || years[i] > FZ_CALENDAR_LAST_YEAR)
			return fz_err_set(err, FZ_EINVAL, NULL, "year", "year: %d 不在 %d–%d 之间",
					  years[i], FZ_CALENDAR_FIRST_YEAR, FZ_CALENDAR_LAST_YEAR);
		if (!cal_year_add(im->cal, years[i]))
			return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	}
	return 0;
}

static int finish(struct import *im, const char *source, int64_t imported_at, struct fz_err *err)
{
	char text[FZ_CALENDAR_MAX_SOURCE + 16];
	int rc;

	if (!source) {
		snprintf(text, sizeof(text), "ICS: %s",
			 im->calname[0]	 ? im->calname
			 : im->prodid[0] ? im->prodid
					 : "未命名日历");
		source = text;
	}
	for (int i = 0; i < CAL_NYEARS; i++) {
		if (!im->cal->years[i])
			continue;
		cal_year_origin(im->cal->years[i], source, imported_at);
		if ((rc = cal_year_check(im->cal->years[i], "year", err)))
			return rc;
	}
	return 0;
}

int fz_calendar_import_ics(struct fz_calendar *cal, const char *text, size_t len, const int *years,
			   size_t nyears, const char *source, int64_t imported_at,
			   struct fz_err *err)
{
	struct import im;
	struct ics *x;
	int rc;

	if (len > FZ_CALENDAR_MAX_BYTES)
		return fz_err_set(err, FZ_ETOOBIG, NULL, NULL,
				  "日历文件 %zu 字节，超过上限 %u 字节", len,
				  FZ_CALENDAR_MAX_BYTES);
	memset(&im, 0, sizeof(im));
	x = calloc(1, sizeof(*x));
	im.cal = fz_calendar_new();
	im.lines = calloc((size_t)CAL_NYEARS * 366, sizeof(int));
	if (!x || !im.cal || !im.lines) {
		rc = fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
		goto out;
	}
	x->p = text;
	x->end = text + len;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		x->p += 3; /* a UTF-8 byte order mark */
	x->next_lineno = 1;
	x->err = err;
	rc = add_years(&im, years, nyears, err);
	if (!rc)
		rc = parse(x, &im);
	if (!rc)
		rc = finish(&im, source, imported_at, err);
	if (!rc)
		cal_move(cal, im.cal);
out:
	free(x);
	free(im.lines);
	fz_calendar_unref(im.cal);
	return rc;
}

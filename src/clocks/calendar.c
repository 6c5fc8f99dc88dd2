/*
 * calendar: day numbers, the calendar's years, fazhi's JSON format and the
 * slot that publishes a calendar. The ICS importer is in calendar_ics.c.
 */
#include "clocks/calendar.h"
#include "clocks/calendar_build.h"

#include "core/clock.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- day numbers ---- */

/* Day numbers of the calendar's range fit 32 bits (core/clock.h computes). */
int32_t cal_days_from_civil(int y, unsigned m, unsigned d)
{
	return (int32_t)fz_days_from_civil(y, m, d);
}

void cal_civil_from_days(int32_t z, int *y, unsigned *m, unsigned *d)
{
	int64_t y64;

	fz_civil_from_days(z, &y64, m, d);
	*y = (int)y64;
}

int32_t fz_calendar_day_of(int64_t ms)
{
	int64_t local = ms + FZ_TZ_OFFSET_MS;

	return (int32_t)(local >= 0 ? local / FZ_DAY_MS : -((-local - 1) / FZ_DAY_MS) - 1);
}

int64_t fz_calendar_day_start(int32_t day)
{
	return (int64_t)day * FZ_DAY_MS - FZ_TZ_OFFSET_MS;
}

int cal_valid_date(int y, int m, int d)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (m < 1 || m > 12 || d < 1)
		return 0;
	return d <= mdays[m - 1] + (m == 2 && leap);
}

int fz_calendar_day_parse(const char *s, int32_t *day)
{
	int y, m, d;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' || fz_parse_digits(s, 4, &y) ||
	    fz_parse_digits(s + 5, 2, &m) || fz_parse_digits(s + 8, 2, &d) ||
	    !cal_valid_date(y, m, d))
		return FZ_EINVAL;
	*day = cal_days_from_civil(y, (unsigned)m, (unsigned)d);
	return 0;
}

int cal_parse_compact(const char *s, size_t len, int32_t *day)
{
	int y, m, d;

	if (len != 8 || fz_parse_digits(s, 4, &y) || fz_parse_digits(s + 4, 2, &m) ||
	    fz_parse_digits(s + 6, 2, &d) || !cal_valid_date(y, m, d))
		return FZ_EINVAL;
	*day = cal_days_from_civil(y, (unsigned)m, (unsigned)d);
	return 0;
}

char *fz_calendar_day_format(int32_t day, char *out, size_t size)
{
	int y;
	unsigned m, d;

	cal_civil_from_days(day, &y, &m, &d);
	snprintf(out, size, "%04d-%02u-%02u", y, m, d);
	return out;
}

int fz_calendar_day_year(int32_t day)
{
	int y;
	unsigned m, d;

	cal_civil_from_days(day, &y, &m, &d);
	return y;
}

int fz_calendar_weekday(int32_t day)
{
	int w = (int)((day + 4) % 7); /* 1970-01-01 was a Thursday */

	return w < 0 ? w + 7 : w;
}

const char *fz_calendar_weekday_name(int32_t day)
{
	static const char *const names[] = {
		"周日", "周一", "周二", "周三", "周四", "周五", "周六"
	};

	return names[fz_calendar_weekday(day)];
}

char *fz_calendar_local_format(int64_t ms, char *out, size_t size)
{
	int32_t day = fz_calendar_day_of(ms);
	int64_t in_day = ms - fz_calendar_day_start(day);
	int h = (int)(in_day / 3600000), mi = (int)(in_day / 60000 % 60);
	int s = (int)(in_day / 1000 % 60), frac = (int)(in_day % 1000);
	char date[16];

	fz_calendar_day_format(day, date, sizeof(date));
	if (frac)
		snprintf(out, size, "%s %02d:%02d:%02d.%03d", date, h, mi, s, frac);
	else if (s)
		snprintf(out, size, "%s %02d:%02d:%02d", date, h, mi, s);
	else
		snprintf(out, size, "%s %02d:%02d", date, h, mi);
	return out;
}

/* ---- years ---- */

struct fz_calendar *fz_calendar_new(void)
{
	struct fz_calendar *cal = calloc(1, sizeof(*cal));

	if (cal)
		atomic_init(&cal->refs, 1);
	return cal;
}

struct fz_calendar *fz_calendar_ref(struct fz_calendar *cal)
{
	atomic_fetch_add(&cal->refs, 1);
	return cal;
}

void cal_year_free(struct cal_year *y)
{
	if (!y)
		return;
	for (int i = 0; i < y->nnames; i++)
		free(y->names[i]);
	free(y);
}

void fz_calendar_unref(struct fz_calendar *cal)
{
	if (!cal || atomic_fetch_sub(&cal->refs, 1) != 1)
		return;
	for (int i = 0; i < CAL_NYEARS; i++)
		cal_year_free(cal->years[i]);
	free(cal);
}

static struct cal_year *year_copy(const struct cal_year *src)
{
	struct cal_year *y = malloc(sizeof(*y));

	if (!y)
		return NULL;
	memcpy(y, src, sizeof(*y));
	for (int i = 0; i < src->nnames; i++) {
		if (!(y->names[i] = strdup(src->names[i]))) {
			y->nnames = i;
			cal_year_free(y);
			return NULL;
		}
	}
	return y;
}

struct fz_calendar *fz_calendar_copy(const struct fz_calendar *cal)
{
	struct fz_calendar *c = fz_calendar_new();

	if (!c || !cal)
		return c;
	if (fz_calendar_merge(c, cal)) {
		fz_calendar_unref(c);
		return NULL;
	}
	return c;
}

int fz_calendar_merge(struct fz_calendar *dst, const struct fz_calendar *src)
{
	struct cal_year *copies[CAL_NYEARS] = { 0 };

	for (int i = 0; i < CAL_NYEARS; i++) {
		if (src->years[i] && !(copies[i] = year_copy(src->years[i]))) {
			for (int k = 0; k < i; k++)
				cal_year_free(copies[k]);
			return FZ_ENOMEM;
		}
	}
	for (int i = 0; i < CAL_NYEARS; i++) {
		if (!copies[i])
			continue;
		cal_year_free(dst->years[i]);
		dst->years[i] = copies[i];
	}
	return 0;
}

struct cal_year *cal_year_get(const struct fz_calendar *cal, int year)
{
	if (!cal || year < FZ_CALENDAR_FIRST_YEAR || year > FZ_CALENDAR_LAST_YEAR)
		return NULL;
	return cal->years[year - FZ_CALENDAR_FIRST_YEAR];
}

struct cal_year *cal_year_add(struct fz_calendar *cal, int year)
{
	struct cal_year *y = cal_year_get(cal, year);

	if (y)
		return y;
	if (!(y = calloc(1, sizeof(*y))))
		return NULL;
	y->year = year;
	y->first_day = cal_days_from_civil(year, 1, 1);
	cal->years[year - FZ_CALENDAR_FIRST_YEAR] = y;
	return y;
}

void cal_year_origin(struct cal_year *y, const char *source, int64_t imported_at)
{
	cal_copy_utf8(y->source, sizeof(y->source), source, FZ_CALENDAR_MAX_SOURCE);
	y->imported_at = imported_at;
}

/* Index + 1 of name among y's names, adding it; 0 when the table is full or out of memory. */
static int intern(struct cal_year *y, const char *name)
{
	for (int i = 0; i < y->nnames; i++)
		if (strcmp(y->names[i], name) == 0)
			return i + 1;
	if (y->nnames == FZ_CALENDAR_MAX_NAMES || !(y->names[y->nnames] = strdup(name)))
		return 0;
	return ++y->nnames;
}

int cal_year_set(struct cal_year *y, int32_t day, enum fz_day_kind kind, const char *name)
{
	int i = day - y->first_day, n;

	if (y->kind[i] && y->kind[i] != kind)
		return FZ_ECONFLICT;
	if (y->kind[i])
		return 0; /* the same kind twice (overlapping events): keep the first name */
	if (!(n = intern(y, name)))
		return FZ_ETOOBIG;
	y->kind[i] = (unsigned char)kind;
	y->name[i] = (unsigned char)n;
	if (kind == FZ_DAY_HOLIDAY)
		y->nholidays++;
	else
		y->nmakeup++;
	return 0;
}

int cal_year_check(const struct cal_year *y, const char *field, struct fz_err *err)
{
	if (y->nholidays == 0)
		return fz_err_set(err, FZ_EINVAL, NULL, field,
				  "%s: %d 年没有任何节假日，不像是国务院公布的安排；"
				  "请给出该年全部节假日和调休上班日",
				  field, y->year);
	if (y->nholidays > FZ_CALENDAR_MAX_HOLIDAYS)
		return fz_err_set(err, FZ_ETOOBIG, NULL, field,
				  "%s: %d 年有 %d 个节假日，超过上限 %d", field, y->year,
				  y->nholidays, FZ_CALENDAR_MAX_HOLIDAYS);
	if (y->nmakeup > FZ_CALENDAR_MAX_MAKEUP)
		return fz_err_set(err, FZ_ETOOBIG, NULL, field,
				  "%s: %d 年有 %d 个调休上班日，超过上限 %d", field, y->year,
				  y->nmakeup, FZ_CALENDAR_MAX_MAKEUP);
	if (y->nnames == FZ_CALENDAR_MAX_NAMES)
		return fz_err_set(err, FZ_ETOOBIG, NULL, field, "%s: %d 年的节日名称超过 %d 种",
				  field, y->year, FZ_CALENDAR_MAX_NAMES - 1);
	return 0;
}

/* Moves every year of src into dst (src is emptied). Cannot fail. */
void cal_move(struct fz_calendar *dst, struct fz_calendar *src)
{
	for (int i = 0; i < CAL_NYEARS; i++) {
		if (!src->years[i])
			continue;
		cal_year_free(dst->years[i]);
		dst->years[i] = src->years[i];
		src->years[i] = NULL;
	}
}

void cal_copy_utf8(char *out, size_t size, const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n > max)
		n = max;
	if (n >= size)
		n = size - 1;
	/* do not end inside a UTF-8 sequence */
	while (n > 0 && n < strlen(s) && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	memcpy(out, s, n);
	out[n] = '\0';
}

void cal_shown(char *out, size_t size, const char *s, size_t len)
{
	size_t n = len < size - 1 ? len : size - 1;

	while (n > 0 && n < len && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--; /* do not cut a UTF-8 sequence */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		out[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	out[n] = '\0';
	if (!fz_json_utf8_ok(out, n)) {
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)out[i] >= 0x80)
				out[i] = '?';
	}
}

/* ---- queries ---- */

int fz_calendar_covers(const struct fz_calendar *cal, int year)
{
	return cal_year_get(cal, year) != NULL;
}

int fz_calendar_next_year(const struct fz_calendar *cal, int after)
{
	int y = after < FZ_CALENDAR_FIRST_YEAR ? FZ_CALENDAR_FIRST_YEAR : after + 1;

	for (; cal && y <= FZ_CALENDAR_LAST_YEAR; y++)
		if (cal_year_get(cal, y))
			return y;
	return 0;
}

size_t fz_calendar_nyears(const struct fz_calendar *cal)
{
	size_t n = 0;

	for (int y = fz_calendar_next_year(cal, 0); y; y = fz_calendar_next_year(cal, y))
		n++;
	return n;
}

int fz_calendar_year_info(const struct fz_calendar *cal, int year,
			  struct fz_calendar_year_info *out)
{
	const struct cal_year *y = cal_year_get(cal, year);

	if (!y)
		return FZ_ENOTFOUND;
	memset(out, 0, sizeof(*out));
	out->year = year;
	snprintf(out->source, sizeof(out->source), "%s", y->source);
	out->imported_at = y->imported_at;
	out->holidays = y->nholidays;
	out->makeup = y->nmakeup;
	return 0;
}

/* "已导入 2004–2026 年" or "尚未导入任何年份" into out. */
static void coverage(const struct fz_calendar *cal, char *out, size_t size)
{
	int first = fz_calendar_next_year(cal, 0), last = first;
	size_t n = 0;

	for (int y = first; y; y = fz_calendar_next_year(cal, y)) {
		last = y;
		n++;
	}
	if (!first)
		snprintf(out, size, "尚未导入任何年份");
	else if ((size_t)(last - first + 1) == n)
		snprintf(out, size, "已有 %d–%d 年", first, last);
	else
		snprintf(out, size, "已有 %d–%d 年中的 %zu 个年份", first, last, n);
}

int fz_calendar_day(const struct fz_calendar *cal, int32_t day, struct fz_day *out,
		    struct fz_err *err)
{
	int year = fz_calendar_day_year(day), wd = fz_calendar_weekday(day);
	const struct cal_year *y = cal_year_get(cal, year);
	char date[16], have[64];

	if (!y) {
		coverage(cal, have, sizeof(have));
		return fz_err_set(
			err, FZ_ENOTFOUND, "calendar_year_missing", "calendar",
			"%d 年的节假日安排尚未导入（%s），无法判断 %s 是否工作日；"
			"请用 fazhi calendar import 或 POST /api/v1/calendar/years 导入 %d "
			"年日历",
			year, have, fz_calendar_day_format(day, date, sizeof(date)), year);
	}
	out->day = day;
	out->name = "";
	switch (y->kind[day - y->first_day]) {
	case FZ_DAY_HOLIDAY:
		out->kind = FZ_DAY_HOLIDAY;
		break;
	case FZ_DAY_MAKEUP:
		out->kind = FZ_DAY_MAKEUP;
		break;
	default:
		out->kind = wd == 0 || wd == 6 ? FZ_DAY_WEEKEND : FZ_DAY_WORKDAY;
	}
	if (y->name[day - y->first_day])
		out->name = y->names[y->name[day - y->first_day] - 1];
	out->working = out->kind == FZ_DAY_WORKDAY || out->kind == FZ_DAY_MAKEUP;
	return 0;
}

/* ---- fazhi's JSON format ---- */

static const char *const json_members[] = { "source", "years", "holidays", "workdays", NULL };

/* A JSON pointer "/a/b" with ~ and / escaped; b may be NULL. */
static void pointer(char *out, size_t size, const char *a, const char *b)
{
	size_t n = 0;

	for (int part = 0; part < 2; part++) {
		const char *s = part ? b : a;
		if (!s)
			break;
		if (n + 1 < size)
			out[n++] = '/';
		for (; *s && n + 3 < size; s++) {
			if (*s == '~' || *s == '/') {
				out[n++] = '~';
				out[n++] = *s == '~' ? '0' : '1';
			} else {
				out[n++] = *s;
			}
		}
	}
	out[n] = '\0';
}

static int parse_years(struct fz_calendar *cal, const cJSON *v, struct fz_err *err)
{
	int n = 0;

	if (!cJSON_IsArray(v) || !v->child)
		return fz_err_set(err, FZ_EINVAL, NULL, "/years",
				  "/years: 应为非空的年份数组，如 [2027]");
	for (const cJSON *it = v->child; it; it = it->next, n++) {
		double d = it->valuedouble;
		if (n == CAL_NYEARS)
			return fz_err_set(err, FZ_ETOOBIG, NULL, "/years", "/years: 最多 %d 个年份",
					  CAL_NYEARS);
		/* range first: (int)d is undefined for a double outside int */
		if (!cJSON_IsNumber(it) || !(d >= FZ_CALENDAR_FIRST_YEAR) ||
		    d > FZ_CALENDAR_LAST_YEAR || d != (int)d)
			return fz_err_set(err, FZ_EINVAL, NULL, "/years",
					  "/years/%d: 应为 %d 到 %d 之间的整数年份", n,
					  FZ_CALENDAR_FIRST_YEAR, FZ_CALENDAR_LAST_YEAR);
		if (cal_year_get(cal, (int)d))
			return fz_err_set(err, FZ_EINVAL, NULL, "/years", "/years/%d: %d 重复出现",
					  n, (int)d);
		if (!cal_year_add(cal, (int)d))
			return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	}
	return 0;
}

static int parse_day(struct fz_calendar *cal, const cJSON *map, const cJSON *it,
		     enum fz_day_kind kind, struct fz_err *err)
{
	const char *what = kind == FZ_DAY_HOLIDAY ? "holidays" : "workdays";
	char where[96], key[48];
	struct cal_year *y;
	int32_t day;
	int rc;

	pointer(where, sizeof(where), what, it->string);
	cal_shown(key, sizeof(key), it->string, strlen(it->string));
	if (fz_calendar_day_parse(it->string, &day))
		return fz_err_set(err, FZ_EINVAL, NULL, where, "%s: “%s”不是日期，应为 YYYY-MM-DD",
				  where, key);
	if (cJSON_GetObjectItemCaseSensitive(map, it->string) != it)
		return fz_err_set(err, FZ_EINVAL, NULL, where, "%s: 日期重复", where);
	if (!(y = cal_year_get(cal, fz_calendar_day_year(day))))
		return fz_err_set(err, FZ_EINVAL, NULL, where,
				  "%s: %d 年不在 years 中；请把该年列入 years 并给出全年安排",
				  where, fz_calendar_day_year(day));
	if (!cJSON_IsString(it) || !it->valuestring[0] ||
	    strlen(it->valuestring) > FZ_CALENDAR_MAX_NAME ||
	    !fz_json_utf8_ok(it->valuestring, strlen(it->valuestring)) ||
	    strchr(it->valuestring, '\n') || strchr(it->valuestring, '\t'))
		return fz_err_set(err, FZ_EINVAL, NULL, where,
				  "%s: 应为节日名称（1-%d 字节的文字），如“春节”", where,
				  FZ_CALENDAR_MAX_NAME);
	if (kind == FZ_DAY_MAKEUP && fz_calendar_weekday(day) != 0 && fz_calendar_weekday(day) != 6)
		return fz_err_set(err, FZ_EINVAL, NULL, where,
				  "%s: %s 是%s，调休上班日应为周六或周日", where, key,
				  fz_calendar_weekday_name(day));
	rc = cal_year_set(y, day, kind, it->valuestring);
	if (rc == FZ_ECONFLICT)
		return fz_err_set(err, FZ_EINVAL, NULL, where,
				  "%s: 同一天不能既是节假日又是调休上班日", where);
	if (rc)
		return fz_err_set(err, rc, NULL, where, "%s: %d 年的节日名称超过 %d 种", where,
				  y->year, FZ_CALENDAR_MAX_NAMES);
	return 0;
}

static int parse_days(struct fz_calendar *cal, const cJSON *map, enum fz_day_kind kind,
		      struct fz_err *err)
{
	const char *what = kind == FZ_DAY_HOLIDAY ? "/holidays" : "/workdays";
	int rc;

	if (!cJSON_IsObject(map))
		return fz_err_set(err, FZ_EINVAL, NULL, what,
				  "%s: 应为对象 {\"YYYY-MM-DD\": \"节日名称\"}", what);
	for (const cJSON *it = map->child; it; it = it->next)
		if ((rc = parse_day(cal, map, it, kind, err)))
			return rc;
	return 0;
}

static int check_members(const cJSON *tree, struct fz_err *err)
{
	char where[64], name[40];

	if (!cJSON_IsObject(tree))
		return fz_err_set(err, FZ_EINVAL, NULL, "",
				  "日历应为 JSON 对象 {source, years, holidays, workdays}");
	for (const cJSON *m = tree->child; m; m = m->next) {
		int known = 0;
		for (const char *const *k = json_members; *k; k++)
			known |= strcmp(*k, m->string) == 0;
		pointer(where, sizeof(where), m->string, NULL);
		cal_shown(name, sizeof(name), m->string, strlen(m->string));
		if (!known)
			return fz_err_set(err, FZ_EINVAL, "unknown_field", where,
					  "%s: 未知字段（只认 source、years、holidays、workdays）",
					  where);
		if (cJSON_GetObjectItemCaseSensitive(tree, m->string) != m)
			return fz_err_set(err, FZ_EINVAL, NULL, where, "%s: 字段重复", where);
	}
	for (const char *const *k = json_members + 1; *k; k++)
		if (!cJSON_GetObjectItemCaseSensitive(tree, *k)) {
			pointer(where, sizeof(where), *k, NULL);
			return fz_err_set(err, FZ_EINVAL, "missing_field", where, "%s: 必填",
					  where);
		}
	return 0;
}

static int parse_json(struct fz_calendar *cal, const cJSON *tree, const char *source,
		      int64_t imported_at, struct fz_err *err)
{
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(tree, "source");
	int rc = check_members(tree, err);

	if (rc)
		return rc;
	if (src && (!cJSON_IsString(src) || strlen(src->valuestring) > FZ_CALENDAR_MAX_SOURCE ||
		    !fz_json_utf8_ok(src->valuestring, strlen(src->valuestring))))
		return fz_err_set(err, FZ_EINVAL, NULL, "/source",
				  "/source: 应为来源说明（至多 %d 字节的文字）",
				  FZ_CALENDAR_MAX_SOURCE);
	if (!source)
		source = src ? src->valuestring : "JSON";
	if ((rc = parse_years(cal, cJSON_GetObjectItemCaseSensitive(tree, "years"), err)) ||
	    (rc = parse_days(cal, cJSON_GetObjectItemCaseSensitive(tree, "holidays"),
			     FZ_DAY_HOLIDAY, err)) ||
	    (rc = parse_days(cal, cJSON_GetObjectItemCaseSensitive(tree, "workdays"), FZ_DAY_MAKEUP,
			     err)))
		return rc;
	for (int i = 0; i < CAL_NYEARS; i++) {
		if (!cal->years[i])
			continue;
		cal_year_origin(cal->years[i], source, imported_at);
		if ((rc = cal_year_check(cal->years[i], "/years", err)))
			return rc;
	}
	return 0;
}

int fz_calendar_load_json(struct fz_calendar *cal, const char *text, size_t len, const char *source,
			  int64_t imported_at, struct fz_err *err)
{
	struct fz_calendar *scratch;
	cJSON *tree;
	int rc;

	if (len > FZ_CALENDAR_MAX_BYTES)
		return fz_err_set(err, FZ_ETOOBIG, NULL, NULL,
				  "日历文件 %zu 字节，超过上限 %u 字节", len,
				  FZ_CALENDAR_MAX_BYTES);
	if (!(tree = fz_json_parse(text, len, 4, err)))
		return err && err->code ? err->code : FZ_EINVAL;
	if (!(scratch = fz_calendar_new())) {
		cJSON_Delete(tree);
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	}
	rc = parse_json(scratch, tree, source, imported_at, err);
	if (!rc)
		cal_move(cal, scratch);
	cJSON_Delete(tree);
	fz_calendar_unref(scratch);
	return rc;
}

static int add_days(struct fz_buf *b, const struct cal_year *y, enum fz_day_kind kind)
{
	int rc = 0, first = 1;
	char date[16];

	for (int i = 0; i < 366 && !rc; i++) {
		if (y->kind[i] != kind)
			continue;
		rc = fz_buf_addf(b, "%s\"%s\":", first ? "" : ",",
				 fz_calendar_day_format(y->first_day + i, date, sizeof(date)));
		if (!rc)
			rc = fz_json_quote(b, y->names[y->name[i] - 1]);
		first = 0;
	}
	return rc;
}

char *fz_calendar_year_json(const struct fz_calendar *cal, int year)
{
	const struct cal_year *y = cal_year_get(cal, year);
	struct fz_buf b;
	int rc;

	if (!y)
		return NULL;
	fz_buf_init(&b, 0);
	rc = fz_buf_adds(&b, "{\"source\":");
	if (!rc)
		rc = fz_json_quote(&b, y->source);
	if (!rc)
		rc = fz_buf_addf(&b, ",\"years\":[%d],\"holidays\":{", year);
	if (!rc)
		rc = add_days(&b, y, FZ_DAY_HOLIDAY);
	if (!rc)
		rc = fz_buf_adds(&b, "},\"workdays\":{");
	if (!rc)
		rc = add_days(&b, y, FZ_DAY_MAKEUP);
	if (!rc)
		rc = fz_buf_adds(&b, "}}");
	if (rc) {
		fz_buf_release(&b);
		return NULL;
	}
	return fz_buf_detach(&b, NULL);
}

/* ---- slot ---- */

void fz_calendar_slot_init(struct fz_calendar_slot *slot, struct fz_calendar *cal)
{
	pthread_mutex_init(&slot->lock, NULL);
	pthread_mutex_init(&slot->import_lock, NULL);
	slot->cal = cal;
}

void fz_calendar_slot_release(struct fz_calendar_slot *slot)
{
	fz_calendar_unref(slot->cal);
	slot->cal = NULL;
	pthread_mutex_destroy(&slot->lock);
	pthread_mutex_destroy(&slot->import_lock);
}

struct fz_calendar *fz_calendar_slot_get(struct fz_calendar_slot *slot)
{
	struct fz_calendar *cal;

	pthread_mutex_lock(&slot->lock);
	cal = slot->cal ? fz_calendar_ref(slot->cal) : NULL;
	pthread_mutex_unlock(&slot->lock);
	return cal;
}

int fz_calendar_slot_merge(struct fz_calendar_slot *slot, const struct fz_calendar *add)
{
	struct fz_calendar *next, *old = NULL;
	int rc = FZ_ENOMEM;

	/* Copy and swap under the lock, so that two merges cannot lose one. */
	pthread_mutex_lock(&slot->lock);
	next = fz_calendar_copy(slot->cal);
	if (next && !fz_calendar_merge(next, add)) {
		old = slot->cal;
		slot->cal = next;
		next = NULL;
		rc = 0;
	}
	pthread_mutex_unlock(&slot->lock);
	fz_calendar_unref(next);
	fz_calendar_unref(old);
	return rc;
}

#include "clocks/deadline.h"

#include "core/clock.h"
#include "core/err.h"
#include "core/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	enum fz_period_unit unit;
	const char *name, *label;
	int64_t max;
} units[] = {
	{ FZ_UNIT_HOURS, "hours", "小时", FZ_PERIOD_MAX_HOURS },
	{ FZ_UNIT_DAYS, "days", "日", FZ_PERIOD_MAX_DAYS },
	{ FZ_UNIT_WORKDAYS, "workdays", "个工作日", FZ_PERIOD_MAX_WORKDAYS },
};
#define NUNITS (sizeof(units) / sizeof(units[0]))

/* The conventions and their legal basis, one row per unit and rule. */
static const struct {
	enum fz_period_unit unit;
	enum fz_period_rule rule;
	const char *basis;
} bases[] = {
	{ FZ_UNIT_HOURS, FZ_RULE_NONE,
	  "按小时计算：自开始时刻起连续计算，夜间和节假日不中断（《民法典》第二百零一条第二款："
	  "按照小时计算期间的，自法律规定或者当事人约定的时间开始计算）" },
	{ FZ_UNIT_DAYS, FZ_RULE_NONE,
	  "按自然日计算：开始的当日不计入，自下一日开始计算；期间最后一日的二十四时截止"
	  "（《民法典》第二百零一条第一款、第二百零三条第二款，《民事诉讼法》第八十五条）" },
	{ FZ_UNIT_DAYS, FZ_RULE_NEXT_WORKDAY,
	  "按自然日计算：开始的当日不计入，自下一日开始计算；期间届满的最后一日是法定休假日"
	  "（节假日或周末，调休上班日除外）的，以休假日后的第一个工作日为期间届满的日期，"
	  "该日二十四时截止（《民事诉讼法》第八十五条，《行政诉讼法》第一百零一条适用之，"
	  "《民法典》第二百零三条）" },
	{ FZ_UNIT_WORKDAYS, FZ_RULE_NONE,
	  "按工作日计算：开始的当日不计入，自下一日起只计法定工作日，周六、周日和法定节假日"
	  "不计，调休上班日计入；最后一个工作日的二十四时截止（如《行政处罚法》第八十五条："
	  "“二日”“三日”“五日”“七日”是指工作日，不含法定节假日）" },
	{ FZ_UNIT_WORKDAYS, FZ_RULE_NEXT_WORKDAY,
	  "按工作日计算：开始的当日不计入，自下一日起只计法定工作日，周六、周日和法定节假日"
	  "不计，调休上班日计入；最后一个工作日的二十四时截止（如《行政处罚法》第八十五条）；"
	  "期间最后一日必为工作日，届满日顺延规则不改变结果" },
};

const char *fz_period_unit_name(enum fz_period_unit unit)
{
	for (size_t i = 0; i < NUNITS; i++)
		if (units[i].unit == unit)
			return units[i].name;
	return "";
}

const char *fz_period_unit_label(enum fz_period_unit unit)
{
	for (size_t i = 0; i < NUNITS; i++)
		if (units[i].unit == unit)
			return units[i].label;
	return "";
}

const char *fz_period_rule_name(enum fz_period_rule rule)
{
	return rule == FZ_RULE_NEXT_WORKDAY ? "next_workday" : "none";
}

int fz_period_parse_unit(const char *s, enum fz_period_unit *out)
{
	for (size_t i = 0; s && i < NUNITS; i++)
		if (strcmp(units[i].name, s) == 0) {
			*out = units[i].unit;
			return 0;
		}
	return FZ_EINVAL;
}

int fz_period_parse_rule(const char *s, enum fz_period_rule *out)
{
	if (!s || !s[0] || strcmp(s, "none") == 0)
		*out = FZ_RULE_NONE;
	else if (strcmp(s, "next_workday") == 0)
		*out = FZ_RULE_NEXT_WORKDAY;
	else
		return FZ_EINVAL;
	return 0;
}

static int64_t unit_max(enum fz_period_unit unit)
{
	for (size_t i = 0; i < NUNITS; i++)
		if (units[i].unit == unit)
			return units[i].max;
	return -1;
}

/* The checks of any period (amount 0 allowed). */
static int check(const struct fz_period *p, int64_t min, struct fz_err *err)
{
	int64_t max = unit_max(p->unit);

	if (max < 0)
		return fz_err_set(err, FZ_EINVAL, NULL, "unit",
				  "unit: 应为 hours（小时）、days（自然日）或 workdays（工作日）");
	if (p->amount < min || p->amount > max)
		return fz_err_set(err, FZ_EINVAL, NULL, "amount",
				  "amount: %lld 无效，按%s计算时应为 %lld 到 %lld 的整数",
				  (long long)p->amount, fz_period_unit_label(p->unit),
				  (long long)min, (long long)max);
	if (p->rule != FZ_RULE_NONE && p->rule != FZ_RULE_NEXT_WORKDAY)
		return fz_err_set(err, FZ_EINVAL, NULL, "rule", "rule: 应为 next_workday 或不填");
	if (p->rule == FZ_RULE_NEXT_WORKDAY && p->unit == FZ_UNIT_HOURS)
		return fz_err_set(err, FZ_EINVAL, NULL, "rule",
				  "rule: next_workday（届满日遇休假日顺延）只适用于按日计算的期间，"
				  "按小时计算的期间连续计算");
	return 0;
}

int fz_period_check(const struct fz_period *p, struct fz_err *err)
{
	return check(p, 1, err);
}

const char *fz_period_basis(const struct fz_period *p)
{
	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++)
		if (bases[i].unit == p->unit && bases[i].rule == p->rule)
			return bases[i].basis;
	return "";
}

void fz_deadline_init(struct fz_deadline *d)
{
	memset(d, 0, sizeof(*d));
}

void fz_deadline_release(struct fz_deadline *d)
{
	free(d->skipped);
	free(d->makeup);
	fz_deadline_init(d);
}

/* The walk over days: an explanation is kept only when d is not NULL. */
struct walk {
	const struct fz_calendar *cal;
	struct fz_deadline *d;
	int missing_year;
	size_t cap_skipped, cap_makeup;
	struct fz_err *err;
};

static int look(struct walk *w, int32_t day, struct fz_day *out)
{
	int rc = fz_calendar_day(w->cal, day, out, w->err);

	if (rc == FZ_ENOTFOUND)
		w->missing_year = fz_calendar_day_year(day);
	return rc;
}

static int note(struct walk *w, const struct fz_day *day, int makeup)
{
	struct fz_deadline_day **list;
	size_t *n, *cap;

	if (!w->d)
		return 0;
	list = makeup ? &w->d->makeup : &w->d->skipped;
	n = makeup ? &w->d->nmakeup : &w->d->nskipped;
	cap = makeup ? &w->cap_makeup : &w->cap_skipped;
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		struct fz_deadline_day *l = realloc(*list, c * sizeof(*l));
		if (!l)
			return fz_err_set(w->err, FZ_ENOMEM, NULL, NULL, "内存不足");
		*list = l;
		*cap = c;
	}
	(*list)[*n].day = day->day;
	(*list)[*n].kind = day->kind;
	snprintf((*list)[*n].name, sizeof((*list)[*n].name), "%s", day->name);
	(*n)++;
	return 0;
}

/* The amount-th working day after day, into *last. */
static int count_workdays(struct walk *w, int32_t day, int64_t amount, int32_t *last)
{
	struct fz_day info;
	int rc;

	while (amount > 0) {
		if ((rc = look(w, ++day, &info)))
			return rc;
		if (info.working)
			amount--;
		/* plain working days need no note */
		if (info.kind != FZ_DAY_WORKDAY && (rc = note(w, &info, info.working)))
			return rc;
	}
	*last = day;
	return 0;
}

/* Moves *last forward while it is not a working day. */
static int next_workday(struct walk *w, int32_t *last)
{
	struct fz_day info;
	int rc;

	for (;;) {
		if ((rc = look(w, *last, &info)))
			return rc;
		if (info.working)
			return 0;
		if ((rc = note(w, &info, 0)))
			return rc;
		(*last)++;
	}
}

static int compute(struct walk *w, int64_t start, const struct fz_period *p, int64_t *due,
		   int32_t *nominal, int32_t *last)
{
	int32_t day = fz_calendar_day_of(start);
	int rc = check(p, 0, w->err);

	if (rc)
		return rc;
	if (p->unit == FZ_UNIT_HOURS) {
		*due = start + p->amount * 3600000;
		*nominal = *last = fz_calendar_day_of(*due);
		return 0;
	}
	if (p->unit == FZ_UNIT_DAYS)
		*last = day + (int32_t)p->amount;
	else if ((rc = count_workdays(w, day, p->amount, last)))
		return rc;
	*nominal = *last;
	if (p->rule == FZ_RULE_NEXT_WORKDAY && (rc = next_workday(w, last)))
		return rc;
	*due = fz_calendar_day_start(*last + 1);
	return 0;
}

int fz_deadline_compute(struct fz_deadline *d, const struct fz_calendar *cal, int64_t start,
			const struct fz_period *p, struct fz_err *err)
{
	struct walk w = { cal, d, 0, 0, 0, err };
	int rc;

	fz_deadline_init(d);
	d->start = start;
	d->period = *p;
	rc = compute(&w, start, p, &d->due, &d->nominal_last_day, &d->last_day);
	d->missing_year = w.missing_year;
	return rc;
}

int fz_deadline_due(const struct fz_calendar *cal, int64_t start, const struct fz_period *p,
		    int64_t *due, struct fz_err *err)
{
	struct walk w = { cal, NULL, 0, 0, 0, err };
	int32_t nominal, last;

	return compute(&w, start, p, due, &nominal, &last);
}

int fz_deadline_count(const struct fz_calendar *cal, enum fz_period_unit unit, int32_t after,
		      int32_t before, int64_t *n, struct fz_err *err)
{
	struct walk w = { cal, NULL, 0, 0, 0, err };
	struct fz_day info;
	int rc;

	*n = 0;
	if (before <= after + 1)
		return 0;
	if (unit != FZ_UNIT_WORKDAYS) {
		*n = before - after - 1;
		return 0;
	}
	for (int32_t day = after + 1; day < before; day++) {
		if ((rc = look(&w, day, &info)))
			return rc;
		*n += info.working;
	}
	return 0;
}

char *fz_deadline_local(const struct fz_deadline *d, char *out, size_t size)
{
	char date[16];

	if (d->period.unit == FZ_UNIT_HOURS)
		return fz_calendar_local_format(d->due, out, size);
	snprintf(out, size, "%s 24:00", fz_calendar_day_format(d->last_day, date, sizeof(date)));
	return out;
}

static const char *kind_name(enum fz_day_kind kind)
{
	switch (kind) {
	case FZ_DAY_HOLIDAY:
		return "holiday";
	case FZ_DAY_WEEKEND:
		return "weekend";
	case FZ_DAY_MAKEUP:
		return "makeup";
	default:
		return "workday";
	}
}

static cJSON *days_json(const struct fz_deadline_day *list, size_t n)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; arr && i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		char date[16], reason[FZ_CALENDAR_MAX_NAME + 32];
		if (list[i].kind == FZ_DAY_MAKEUP)
			snprintf(reason, sizeof(reason), "%s调休上班",
				 list[i].name[0] ? list[i].name : "");
		else
			snprintf(reason, sizeof(reason), "%s",
				 list[i].name[0] ? list[i].name
						 : fz_calendar_weekday_name(list[i].day));
		cJSON_AddStringToObject(o, "date",
					fz_calendar_day_format(list[i].day, date, sizeof(date)));
		cJSON_AddStringToObject(o, "weekday", fz_calendar_weekday_name(list[i].day));
		cJSON_AddStringToObject(o, "kind", kind_name(list[i].kind));
		cJSON_AddStringToObject(o, "reason", reason);
		fz_json_push(arr, o);
	}
	return arr;
}

/* The covered years from the start's to the last day's, with their sources. */
static cJSON *years_json(const struct fz_deadline *d, const struct fz_calendar *cal)
{
	cJSON *arr = cJSON_CreateArray();
	struct fz_calendar_year_info info;
	int last = fz_calendar_day_year(d->last_day);

	for (int y = fz_calendar_day_year(fz_calendar_day_of(d->start)); arr && y <= last; y++) {
		cJSON *o;
		if (fz_calendar_year_info(cal, y, &info))
			continue;
		o = cJSON_CreateObject();
		fz_json_add_int(o, "year", y);
		cJSON_AddStringToObject(o, "source", info.source);
		fz_json_push(arr, o);
	}
	return arr;
}

cJSON *fz_deadline_json(const struct fz_deadline *d, const struct fz_calendar *cal)
{
	cJSON *o = cJSON_CreateObject();
	char t[48];

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "start", fz_time_format(d->start, t, sizeof(t)));
	cJSON_AddStringToObject(o, "start_local", fz_calendar_local_format(d->start, t, sizeof(t)));
	fz_json_add_int(o, "amount", d->period.amount);
	cJSON_AddStringToObject(o, "unit", fz_period_unit_name(d->period.unit));
	cJSON_AddStringToObject(o, "unit_label", fz_period_unit_label(d->period.unit));
	if (d->period.rule == FZ_RULE_NONE)
		cJSON_AddNullToObject(o, "rule");
	else
		cJSON_AddStringToObject(o, "rule", fz_period_rule_name(d->period.rule));
	cJSON_AddStringToObject(o, "deadline", fz_time_format(d->due, t, sizeof(t)));
	cJSON_AddStringToObject(o, "deadline_local", fz_deadline_local(d, t, sizeof(t)));
	cJSON_AddStringToObject(o, "timezone", "Asia/Shanghai");
	cJSON_AddStringToObject(o, "last_day", fz_calendar_day_format(d->last_day, t, sizeof(t)));
	cJSON_AddStringToObject(o, "nominal_last_day",
				fz_calendar_day_format(d->nominal_last_day, t, sizeof(t)));
	fz_json_put(o, "skipped", days_json(d->skipped, d->nskipped));
	fz_json_put(o, "makeup_days", days_json(d->makeup, d->nmakeup));
	cJSON_AddStringToObject(o, "basis", fz_period_basis(&d->period));
	fz_json_put(o, "calendar", years_json(d, cal));
	return o;
}

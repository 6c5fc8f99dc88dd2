/*
 * Unit tests of clocks/calendar: day numbers in Asia/Shanghai, fazhi's
 * calendar JSON and ICS imports with errors naming the member or line, the
 * package's data against the State Council's notices, uncovered years, and
 * publishing through a slot.
 */
#include "support.h"

#include "fixture.h"

#include "clocks/calendar.h"
#include "core/clock.h"
#include "core/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int32_t D(const char *s)
{
	int32_t d = 0;

	if (fz_calendar_day_parse(s, &d))
		fail_msg("bad date %s in a test", s);
	return d;
}

static struct fz_calendar *notices(void)
{
	struct fz_calendar *cal = fz_calendar_new();
	struct fz_err err;

	fz_err_init(&err);
	if (fz_calendar_load_json(cal, notices_2025_2026, strlen(notices_2025_2026), NULL, 0, &err))
		fail_msg("fixture: %s (%s)", err.msg, err.field);
	return cal;
}

static enum fz_day_kind kind(const struct fz_calendar *cal, const char *date)
{
	struct fz_day day;
	struct fz_err err;

	fz_err_init(&err);
	if (fz_calendar_day(cal, D(date), &day, &err))
		fail_msg("%s: %s", date, err.msg);
	return day.kind;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *text;

	if (!f)
		fail_msg("cannot open %s (run: node scripts/gen-data.mjs BUILD/share)", path);
	text = malloc(4u << 20);
	*len = fread(text, 1, 4u << 20, f);
	fclose(f);
	return text;
}

static void days_are_shanghai_civil_dates(void **state)
{
	int64_t ms;
	char out[32];

	/* 2026-02-13T16:30Z is already 00:30 on the 14th in Shanghai */
	assert_int_equal(fz_time_parse("2026-02-13T16:30:00Z", &ms), 0);
	assert_int_equal(fz_calendar_day_of(ms), D("2026-02-14"));
	assert_int_equal(fz_calendar_day_of(ms - 30 * 60000 - 1), D("2026-02-13"));
	assert_int_equal(fz_calendar_day_start(D("2026-02-14")), ms - 30 * 60000);
	assert_int_equal(fz_calendar_day_of(0), 0);
	assert_int_equal(fz_calendar_day_of(-8 * 3600000LL - 1), -1);
	assert_string_equal(fz_calendar_day_format(D("2024-02-29"), out, sizeof(out)),
			    "2024-02-29");
	assert_string_equal(fz_calendar_day_format(-1, out, sizeof(out)), "1969-12-31");
	assert_int_equal(fz_calendar_weekday(D("2026-02-14")), 6);
	assert_int_equal(fz_calendar_weekday(D("2026-10-01")), 4);
	assert_string_equal(fz_calendar_weekday_name(D("2025-09-28")), "周日");
	assert_int_equal(fz_calendar_day_year(D("2026-12-31")), 2026);
	assert_string_equal(fz_calendar_local_format(ms, out, sizeof(out)), "2026-02-14 00:30");
	assert_string_equal(fz_calendar_local_format(ms + 5007, out, sizeof(out)),
			    "2026-02-14 00:30:05.007");
	for (const char *const *bad =
		     (const char *const[]){ "2026-02-29", "2026-13-01", "2026-1-01", "20260101",
					    "2026-01-01T", "", NULL };
	     *bad; bad++) {
		int32_t d;
		if (fz_calendar_day_parse(*bad, &d) != FZ_EINVAL)
			fail_msg("\"%s\" accepted as a date", *bad);
	}
}

static void json_knows_holidays_and_makeup_days(void **state)
{
	struct fz_calendar *cal = notices();
	struct fz_calendar_year_info info;
	struct fz_day day;

	assert_int_equal(kind(cal, "2026-02-14"), FZ_DAY_MAKEUP); /* a Saturday at work */
	assert_int_equal(kind(cal, "2026-02-15"), FZ_DAY_HOLIDAY);
	assert_int_equal(kind(cal, "2026-02-23"), FZ_DAY_HOLIDAY); /* a Monday off */
	assert_int_equal(kind(cal, "2026-02-24"), FZ_DAY_WORKDAY);
	assert_int_equal(kind(cal, "2026-03-07"), FZ_DAY_WEEKEND);
	assert_int_equal(kind(cal, "2025-09-28"), FZ_DAY_MAKEUP); /* a Sunday at work */
	assert_int_equal(kind(cal, "2025-10-08"), FZ_DAY_HOLIDAY);
	assert_int_equal(fz_calendar_day(cal, D("2025-10-06"), &day, NULL), 0);
	assert_string_equal(day.name, "中秋");
	assert_false(day.working);
	assert_int_equal(fz_calendar_day(cal, D("2026-02-14"), &day, NULL), 0);
	assert_true(day.working);
	assert_string_equal(day.name, "春节");
	assert_int_equal(fz_calendar_year_info(cal, 2026, &info), 0);
	assert_int_equal(info.holidays, 33);
	assert_int_equal(info.makeup, 6);
	assert_int_equal(info.imported_at, 0);
	assert_string_equal(info.source, "国务院办公厅通知（测试用）");
	assert_int_equal(fz_calendar_year_info(cal, 2025, &info), 0);
	assert_int_equal(info.holidays, 28);
	assert_int_equal(info.makeup, 5);
	assert_int_equal(fz_calendar_nyears(cal), 2);
	assert_int_equal(fz_calendar_next_year(cal, 0), 2025);
	assert_int_equal(fz_calendar_next_year(cal, 2025), 2026);
	assert_int_equal(fz_calendar_next_year(cal, 2026), 0);
	fz_calendar_unref(cal);
}

static void an_uncovered_year_is_reported_not_guessed(void **state)
{
	struct fz_calendar *cal = notices();
	struct fz_day day;
	struct fz_err err;

	fz_err_init(&err);
	/* 2027-01-04 is a Monday, but without 2027's notice nobody knows */
	assert_int_equal(fz_calendar_day(cal, D("2027-01-04"), &day, &err), FZ_ENOTFOUND);
	assert_string_equal(err.machine, "calendar_year_missing");
	assert_non_null(strstr(err.msg, "2027 年的节假日安排尚未导入"));
	assert_non_null(strstr(err.msg, "已有 2025–2026 年"));
	assert_non_null(strstr(err.msg, "fazhi calendar import"));
	assert_false(fz_calendar_covers(cal, 2027));
	assert_false(fz_calendar_covers(cal, 2024));
	assert_true(fz_calendar_covers(cal, 2026));
	fz_err_init(&err);
	assert_int_equal(fz_calendar_day(NULL, D("2026-01-05"), &day, &err), FZ_ENOTFOUND);
	assert_non_null(strstr(err.msg, "尚未导入任何年份"));
	fz_calendar_unref(cal);
}

static const struct {
	const char *json;
	int code;
	const char *field, *needle;
} bad_json[] = {
	{ "[2027]", FZ_EINVAL, "", "JSON 对象" },
	{ "{\"years\": [2027], \"holidays\": {\"2027-01-01\": \"元旦\"}", FZ_EINVAL, "",
	  "不是合法的 JSON" },
	{ "{\"years\": [2027], \"holidays\": {}, \"workdays\": {}, \"notes\": 1}", FZ_EINVAL,
	  "/notes", "未知字段" },
	{ "{\"years\": [2027], \"holidays\": {\"2027-01-01\": \"元旦\"}}", FZ_EINVAL, "/workdays",
	  "必填" },
	{ "{\"years\": [], \"holidays\": {}, \"workdays\": {}}", FZ_EINVAL, "/years", "非空" },
	{ "{\"years\": [2300], \"holidays\": {}, \"workdays\": {}}", FZ_EINVAL, "/years",
	  "1990 到 2199" },
	{ "{\"years\": [2027, 2027], \"holidays\": {}, \"workdays\": {}}", FZ_EINVAL, "/years",
	  "重复" },
	{ "{\"years\": [2027], \"holidays\": {\"2027-02-30\": \"春节\"}, \"workdays\": {}}",
	  FZ_EINVAL, "/holidays/2027-02-30", "不是日期" },
	{ "{\"years\": [2027], \"holidays\": {\"2027/02/06\": \"春节\"}, \"workdays\": {}}",
	  FZ_EINVAL, "/holidays/2027~102~106", "不是日期" },
	{ "{\"years\": [2027], \"holidays\": {\"2028-01-01\": \"元旦\"}, \"workdays\": {}}",
	  FZ_EINVAL, "/holidays/2028-01-01", "2028 年不在 years 中" },
	{ "{\"years\": [2027], \"holidays\": {\"2027-01-01\": 1}, \"workdays\": {}}", FZ_EINVAL,
	  "/holidays/2027-01-01", "节日名称" },
	{ "{\"years\": [2027], \"holidays\": {\"2027-01-01\": \"\"}, \"workdays\": {}}", FZ_EINVAL,
	  "/holidays/2027-01-01", "节日名称" },
	{ "{\"years\": [2027], \"holidays\": {\"2027-01-01\": \"元旦\", \"2027-01-01\": \"元旦\"},"
	  " \"workdays\": {}}",
	  FZ_EINVAL, "/holidays/2027-01-01", "日期重复" },
	{ "{\"years\": [2027], \"holidays\": {\"2027-01-01\": \"元旦\"},"
	  " \"workdays\": {\"2027-02-10\": \"春节\"}}",
	  FZ_EINVAL, "/workdays/2027-02-10", "是周三，调休上班日应为周六或周日" },
	{ "{\"years\": [2027], \"holidays\": {\"2027-02-06\": \"春节\"},"
	  " \"workdays\": {\"2027-02-06\": \"春节\"}}",
	  FZ_EINVAL, "/workdays/2027-02-06", "既是节假日又是调休上班日" },
	{ "{\"years\": [2026, 2027], \"holidays\": {\"2027-01-01\": \"元旦\"}, \"workdays\": {}}",
	  FZ_EINVAL, "/years", "2026 年没有任何节假日" },
	{ "{\"years\": [2027], \"holidays\": {\"2027-01-01\": \"元旦\"}, \"workdays\": {},"
	  " \"source\": 7}",
	  FZ_EINVAL, "/source", "来源说明" },
};

static void json_errors_name_the_member_and_change_nothing(void **state)
{
	struct fz_calendar *cal = notices();

	for (size_t i = 0; i < sizeof(bad_json) / sizeof(bad_json[0]); i++) {
		struct fz_err err;
		int rc;
		fz_err_init(&err);
		rc = fz_calendar_load_json(cal, bad_json[i].json, strlen(bad_json[i].json), NULL, 1,
					   &err);
		if (rc != bad_json[i].code || strcmp(err.field, bad_json[i].field) != 0 ||
		    !strstr(err.msg, bad_json[i].needle))
			fail_msg("case %zu: rc %d field \"%s\" msg \"%s\"", i, rc, err.field,
				 err.msg);
	}
	/* nothing of the refused files stuck */
	assert_int_equal(fz_calendar_nyears(cal), 2);
	assert_int_equal(kind(cal, "2026-02-14"), FZ_DAY_MAKEUP);
	fz_calendar_unref(cal);
}

static void json_larger_than_1_mib_is_refused(void **state)
{
	size_t n = FZ_CALENDAR_MAX_BYTES + 1;
	char *big = malloc(n);
	struct fz_calendar *cal = fz_calendar_new();
	struct fz_err err;

	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	fz_err_init(&err);
	assert_int_equal(fz_calendar_load_json(cal, big, n, NULL, 0, &err), FZ_ETOOBIG);
	assert_non_null(strstr(err.msg, "超过上限"));
	fz_err_init(&err);
	assert_int_equal(fz_calendar_import_ics(cal, big, n, (int[]){ 2027 }, 1, NULL, 0, &err),
			 FZ_ETOOBIG);
	free(big);
	fz_calendar_unref(cal);
}

static void a_later_source_replaces_whole_years(void **state)
{
	static const char fix_2026[] = "{\"source\": \"修订\", \"years\": [2026],"
				       " \"holidays\": {\"2026-03-03\": \"测试假日\"},"
				       " \"workdays\": {}}";
	struct fz_calendar *cal = notices();
	struct fz_calendar_year_info info;
	struct fz_err err;

	fz_err_init(&err);
	assert_int_equal(
		fz_calendar_load_json(cal, fix_2026, strlen(fix_2026), NULL, 1772413200000LL, &err),
		0);
	assert_int_equal(kind(cal, "2026-03-03"), FZ_DAY_HOLIDAY);
	assert_int_equal(kind(cal, "2026-02-16"), FZ_DAY_WORKDAY); /* the old 2026 is gone */
	assert_int_equal(kind(cal, "2026-02-14"), FZ_DAY_WEEKEND);
	assert_int_equal(kind(cal, "2025-10-01"), FZ_DAY_HOLIDAY); /* 2025 untouched */
	assert_int_equal(fz_calendar_year_info(cal, 2026, &info), 0);
	assert_string_equal(info.source, "修订");
	assert_int_equal(info.imported_at, 1772413200000LL);
	fz_calendar_unref(cal);
}

static void year_json_round_trips(void **state)
{
	struct fz_calendar *cal = notices(), *back = fz_calendar_new();
	char *text = fz_calendar_year_json(cal, 2026);
	struct fz_calendar_year_info a, b;
	struct fz_err err;

	assert_non_null(text);
	assert_non_null(strstr(text, "\"2026-02-14\":\"春节\""));
	assert_null(fz_calendar_year_json(cal, 2027));
	fz_err_init(&err);
	assert_int_equal(fz_calendar_load_json(back, text, strlen(text), NULL, 0, &err), 0);
	for (int32_t d = D("2026-01-01"); d <= D("2026-12-31"); d++) {
		struct fz_day x, y;
		assert_int_equal(fz_calendar_day(cal, d, &x, NULL), 0);
		assert_int_equal(fz_calendar_day(back, d, &y, NULL), 0);
		assert_int_equal(x.kind, y.kind);
		assert_string_equal(x.name, y.name);
	}
	assert_false(fz_calendar_covers(back, 2025));
	fz_calendar_year_info(cal, 2026, &a);
	fz_calendar_year_info(back, 2026, &b);
	assert_string_equal(a.source, b.source);
	free(text);
	fz_calendar_unref(back);
	fz_calendar_unref(cal);
}

/* Every day of year has the same kind in a and b. */
static void same_days(const struct fz_calendar *a, const struct fz_calendar *b, int year)
{
	char date[16];

	snprintf(date, sizeof(date), "%d-01-01", year);
	for (int32_t d = D(date); fz_calendar_day_year(d) == year; d++) {
		struct fz_day x, y;
		assert_int_equal(fz_calendar_day(a, d, &x, NULL), 0);
		assert_int_equal(fz_calendar_day(b, d, &y, NULL), 0);
		if (x.kind != y.kind)
			fail_msg("%s: kind %d here, %d there",
				 fz_calendar_day_format(d, date, sizeof(date)), x.kind, y.kind);
	}
}

static void package_data_matches_the_notices(void **state)
{
	char path[1024];
	const char *share = getenv("FAZHI_SHARE");
	struct fz_calendar *pkg = fz_calendar_new(), *ref = notices();
	struct fz_calendar_year_info info;
	struct fz_err err;
	size_t len;
	char *text;

	snprintf(path, sizeof(path), "%s/calendar-cn.json", share ? share : "build/share");
	text = slurp(path, &len);
	fz_err_init(&err);
	if (fz_calendar_load_json(pkg, text, len, NULL, 0, &err))
		fail_msg("%s: %s (%s)", path, err.msg, err.field);
	free(text);
	assert_int_equal(fz_calendar_next_year(pkg, 0), 2004);
	assert_int_equal(fz_calendar_nyears(pkg), 23); /* 2004-2026 */
	assert_false(fz_calendar_covers(pkg, 2027));
	assert_int_equal(fz_calendar_year_info(pkg, 2026, &info), 0);
	assert_non_null(strstr(info.source, "chinese-days"));
	same_days(pkg, ref, 2025);
	same_days(pkg, ref, 2026);
	/* 2015's one-off: 3 September (Victory Day, 70th anniversary) */
	assert_int_equal(kind(pkg, "2015-09-03"), FZ_DAY_HOLIDAY);
	assert_int_equal(kind(pkg, "2015-09-06"), FZ_DAY_MAKEUP);
	fz_calendar_unref(pkg);
	fz_calendar_unref(ref);
}

static struct fz_calendar *from_ics(const char *rel, const int *years, size_t n)
{
	char *path = ts_source(rel);
	struct fz_calendar *cal = fz_calendar_new();
	struct fz_err err;
	size_t len;
	char *text = slurp(path, &len);

	fz_err_init(&err);
	if (fz_calendar_import_ics(cal, text, len, years, n, NULL, 5, &err))
		fail_msg("%s: %s", rel, err.msg);
	free(text);
	free(path);
	return cal;
}

static void ics_of_the_package_reads_as_its_json(void **state)
{
	struct fz_calendar *ref = notices();
	struct fz_calendar *y25 =
		from_ics("node_modules/chinese-days/dist/years/2025.ics", (int[]){ 2025 }, 1);
	struct fz_calendar *all = from_ics("node_modules/chinese-days/dist/holidays.ics",
					   (int[]){ 2024, 2025, 2026 }, 3);
	struct fz_calendar_year_info info;
	struct fz_day day;

	same_days(y25, ref, 2025);
	same_days(all, ref, 2025);
	same_days(all, ref, 2026);
	assert_int_equal(fz_calendar_day(all, D("2026-02-15"), &day, NULL), 0);
	assert_string_equal(day.name, "春节"); /* "春节(休)" without its marker */
	assert_int_equal(fz_calendar_day(all, D("2026-02-28"), &day, NULL), 0);
	assert_string_equal(day.name, "春节");
	assert_int_equal(day.kind, FZ_DAY_MAKEUP);
	assert_int_equal(fz_calendar_year_info(all, 2026, &info), 0);
	assert_string_equal(info.source, "ICS: 中国节假日");
	assert_int_equal(info.imported_at, 5);
	assert_int_equal(fz_calendar_nyears(all), 3);
	/* a folded SUMMARY (2015's long name) is unfolded */
	fz_calendar_unref(y25);
	y25 = from_ics("node_modules/chinese-days/dist/years/2015.ics", (int[]){ 2015 }, 1);
	assert_int_equal(fz_calendar_day(y25, D("2015-09-06"), &day, NULL), 0);
	assert_int_equal(day.kind, FZ_DAY_MAKEUP);
	assert_string_equal(day.name, "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日");
	fz_calendar_unref(y25);
	fz_calendar_unref(all);
	fz_calendar_unref(ref);
}

/* A made-up 2027, as a user would import it before a release ships it. */
#define EV(start, end, summary)                                                                    \
	"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:" start "\r\nDTEND;VALUE=DATE:" end                    \
	"\r\nSUMMARY:" summary "\r\nEND:VEVENT\r\n"
#define CAL(events)                                                                                \
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-CALNAME:测试\r\n" events "END:VCALENDAR\r\n"
#define GOOD_2027                                                                                  \
	EV("20270101", "20270104", "元旦(休)")                                                     \
	EV("20270206", "20270215", "春节（休）") EV("20270220", "20270221", "春节补班")

static void ics_import_of_a_new_year(void **state)
{
	static const char lf[] = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20280101\n"
				 "SUMMARY:New Year's Day\n (Holiday)\nEND:VEVENT\nEND:VCALENDAR";
	static const char good[] = "\xEF\xBB\xBF" CAL(GOOD_2027);
	struct fz_calendar *cal = notices();
	struct fz_calendar_year_info info;
	struct fz_day day;
	struct fz_err err;

	fz_err_init(&err);
	if (fz_calendar_import_ics(cal, good, strlen(good), (int[]){ 2027 }, 1, "我的日历", 9,
				   &err))
		fail_msg("%s", err.msg);
	assert_int_equal(kind(cal, "2027-01-01"), FZ_DAY_HOLIDAY);
	assert_int_equal(kind(cal, "2027-01-04"), FZ_DAY_WORKDAY); /* DTEND is exclusive */
	assert_int_equal(kind(cal, "2027-02-14"), FZ_DAY_HOLIDAY);
	assert_int_equal(kind(cal, "2027-02-15"), FZ_DAY_WORKDAY);
	assert_int_equal(fz_calendar_day(cal, D("2027-02-20"), &day, NULL), 0);
	assert_int_equal(day.kind, FZ_DAY_MAKEUP);
	assert_string_equal(day.name, "春节补班");
	assert_int_equal(fz_calendar_day(cal, D("2027-02-06"), &day, NULL), 0);
	assert_string_equal(day.name, "春节");
	assert_int_equal(fz_calendar_year_info(cal, 2027, &info), 0);
	assert_string_equal(info.source, "我的日历");
	assert_int_equal(info.holidays, 12);
	assert_int_equal(info.makeup, 1);
	assert_int_equal(kind(cal, "2026-02-14"), FZ_DAY_MAKEUP); /* 2026 kept */

	/* bare LF line ends, a folded English SUMMARY, no DTEND (one day) */
	fz_err_init(&err);
	if (fz_calendar_import_ics(cal, lf, strlen(lf), (int[]){ 2028 }, 1, NULL, 0, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(fz_calendar_day(cal, D("2028-01-01"), &day, NULL), 0);
	assert_int_equal(day.kind, FZ_DAY_HOLIDAY);
	assert_string_equal(day.name, "New Year's Day");
	assert_int_equal(kind(cal, "2028-01-02"), FZ_DAY_WEEKEND);
	assert_int_equal(fz_calendar_year_info(cal, 2028, &info), 0);
	assert_string_equal(info.source, "ICS: 未命名日历");
	fz_calendar_unref(cal);
}

static const struct {
	const char *ics;
	int code;
	const char *field, *needle;
} bad_ics[] = {
	{ "BEGIN:VEVENT\r\nEND:VEVENT\r\n", FZ_EINVAL, "line 1", "应以 BEGIN:VCALENDAR 开始" },
	{ "", FZ_EINVAL, "line 1", "不是 iCalendar 文件" },
	{ CAL("BEGIN:VEVENT\r\nDTSTART:20270101T000000Z\r\nSUMMARY:元旦(休)\r\nEND:VEVENT\r\n"),
	  FZ_EINVAL, "line 5", "应为全天日期" },
	{ CAL("BEGIN:VEVENT\r\nDTSTART;VALUE=DATE-TIME:20270101\r\nSUMMARY:休\r\nEND:VEVENT\r\n"),
	  FZ_EINVAL, "line 5", "应为全天日期" },
	{ CAL(GOOD_2027 EV("20270301", "20270302", "元宵节")), FZ_EINVAL, "line 22",
	  "既不含“休”“假”（节假日）也不含“班”" },
	{ CAL(GOOD_2027 EV("20270104", "20270105", "元旦(班)")), FZ_EINVAL, "line 20",
	  "2027-01-04 是周一，调休上班日应为周六或周日" },
	{ CAL(EV("20261231", "20270104", "元旦(休)")), FZ_EINVAL, "line 5",
	  "2026-12-31 不在导入的年份内" },
	{ CAL(GOOD_2027 EV("20270102", "20270103", "元旦(班)")), FZ_EINVAL, "line 20",
	  "2027-01-02 已在第 5 行列为节假日" },
	{ CAL(EV("20270230", "20270301", "休")), FZ_EINVAL, "line 5", "“20270230” 不是日期" },
	{ CAL(EV("20270105", "20270105", "休")), FZ_EINVAL, "line 6", "DTEND 应晚于 DTSTART" },
	{ CAL(EV("20270101", "20270301", "休")), FZ_ETOOBIG, "line 6", "超过上限 31 天" },
	{ CAL(EV("20270102", "20270103", "元旦(班)")), FZ_EINVAL, "year", "2027 年没有任何节假日" },
	{ CAL("BEGIN:VEVENT\r\nDTSTART:20270101\r\nRRULE:FREQ=YEARLY\r\nSUMMARY:休\r\n"
	      "END:VEVENT\r\n"),
	  FZ_EINVAL, "line 6", "不支持 RRULE" },
	{ CAL("BEGIN:VEVENT\r\nSUMMARY:元旦(休)\r\nEND:VEVENT\r\n"), FZ_EINVAL, "line 4",
	  "缺少 DTSTART" },
	{ CAL("BEGIN:VEVENT\r\nDTSTART:20270101\r\nSUMMARY:休\r\nEND:VTODO\r\n"), FZ_EINVAL,
	  "line 7", "END:VTODO" },
	{ "BEGIN:VCALENDAR\r\n" EV("20270101", "20270102", "休"), FZ_EINVAL, "line 1",
	  "BEGIN:VCALENDAR 没有对应的 END" },
	{ CAL(GOOD_2027) "BEGIN:VEVENT\r\n", FZ_EINVAL, "line 20", "END:VCALENDAR 之后还有内容" },
	{ CAL("this line has no colon\r\n"), FZ_EINVAL, "line 4", "NAME:VALUE" },
	{ CAL("BEGIN:VEVENT\r\nDTSTART:20270101\r\nDTSTART:20270102\r\nEND:VEVENT\r\n"), FZ_EINVAL,
	  "line 6", "DTSTART 重复" },
	{ CAL("X-BAD:\x01\r\n"), FZ_EINVAL, "line 4", "控制字符" },
	{ CAL("X-BAD:\xff\xfe\r\n"), FZ_EINVAL, "line 4", "UTF-8" },
};

static void ics_errors_name_the_line_and_change_nothing(void **state)
{
	struct fz_calendar *cal = notices();

	for (size_t i = 0; i < sizeof(bad_ics) / sizeof(bad_ics[0]); i++) {
		struct fz_err err;
		int rc;
		fz_err_init(&err);
		rc = fz_calendar_import_ics(cal, bad_ics[i].ics, strlen(bad_ics[i].ics),
					    (int[]){ 2027 }, 1, NULL, 1, &err);
		if (rc != bad_ics[i].code || strcmp(err.field, bad_ics[i].field) != 0 ||
		    !strstr(err.msg, bad_ics[i].needle))
			fail_msg("case %zu: rc %d field \"%s\" msg \"%s\"", i, rc, err.field,
				 err.msg);
	}
	assert_int_equal(fz_calendar_nyears(cal), 2);
	fz_calendar_unref(cal);
}

static void ics_needs_years_and_has_limits(void **state)
{
	static const char good[] = CAL(GOOD_2027);
	struct fz_calendar *cal = fz_calendar_new();
	struct fz_err err;
	struct {
		char *p;
		size_t n;
	} big;
	size_t at;

	fz_err_init(&err);
	assert_int_equal(fz_calendar_import_ics(cal, good, strlen(good), NULL, 0, NULL, 0, &err),
			 FZ_EINVAL);
	assert_string_equal(err.field, "year");
	fz_err_init(&err);
	assert_int_equal(
		fz_calendar_import_ics(cal, good, strlen(good), (int[]){ 1800 }, 1, NULL, 0, &err),
		FZ_EINVAL);
	assert_non_null(strstr(err.msg, "1800"));

	/* a line longer than 8 KiB, even when folded */
	big.n = 40 + 2 * FZ_CALENDAR_MAX_LINE;
	big.p = malloc(big.n + 1);
	at = (size_t)sprintf(big.p, "BEGIN:VCALENDAR\r\nX-LONG:");
	while (at + 4 < big.n) {
		big.p[at++] = 'x';
		if (at % 70 == 0)
			at += (size_t)sprintf(big.p + at, "\r\n ");
	}
	big.p[at] = '\0';
	fz_err_init(&err);
	assert_int_equal(fz_calendar_import_ics(cal, big.p, at, (int[]){ 2027 }, 1, NULL, 0, &err),
			 FZ_ETOOBIG);
	assert_string_equal(err.field, "line 2");
	free(big.p);

	/* more events than FZ_CALENDAR_MAX_EVENTS */
	big.n = 128 * (FZ_CALENDAR_MAX_EVENTS + 2);
	big.p = malloc(big.n);
	at = (size_t)sprintf(big.p, "BEGIN:VCALENDAR\r\n");
	for (int i = 0; i <= FZ_CALENDAR_MAX_EVENTS; i++)
		at += (size_t)sprintf(big.p + at, "%s", EV("20270101", "20270102", "休"));
	at += (size_t)sprintf(big.p + at, "END:VCALENDAR\r\n");
	fz_err_init(&err);
	assert_int_equal(fz_calendar_import_ics(cal, big.p, at, (int[]){ 2027 }, 1, NULL, 0, &err),
			 FZ_ETOOBIG);
	assert_non_null(strstr(err.msg, "VEVENT 超过 2000 个"));
	free(big.p);
	assert_int_equal(fz_calendar_nyears(cal), 0);
	fz_calendar_unref(cal);
}

static void a_slot_publishes_new_calendars_to_readers(void **state)
{
	struct fz_calendar_slot slot;
	struct fz_calendar *add = fz_calendar_new(), *before, *after;
	static const char good[] = CAL(GOOD_2027);
	struct fz_err err;

	fz_err_init(&err);
	fz_calendar_slot_init(&slot, notices());
	assert_int_equal(
		fz_calendar_import_ics(add, good, strlen(good), (int[]){ 2027 }, 1, NULL, 0, &err),
		0);
	before = fz_calendar_slot_get(&slot);
	assert_int_equal(fz_calendar_slot_merge(&slot, add), 0);
	after = fz_calendar_slot_get(&slot);
	/* a reader keeps the calendar it took; new readers see 2027 */
	assert_false(fz_calendar_covers(before, 2027));
	assert_true(fz_calendar_covers(after, 2027));
	assert_true(fz_calendar_covers(after, 2026));
	fz_calendar_unref(before);
	fz_calendar_unref(after);
	fz_calendar_unref(add);
	fz_calendar_slot_release(&slot);

	fz_calendar_slot_init(&slot, NULL);
	assert_null(fz_calendar_slot_get(&slot));
	fz_calendar_slot_release(&slot);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(days_are_shanghai_civil_dates),
		cmocka_unit_test(json_knows_holidays_and_makeup_days),
		cmocka_unit_test(an_uncovered_year_is_reported_not_guessed),
		cmocka_unit_test(json_errors_name_the_member_and_change_nothing),
		cmocka_unit_test(json_larger_than_1_mib_is_refused),
		cmocka_unit_test(a_later_source_replaces_whole_years),
		cmocka_unit_test(year_json_round_trips),
		cmocka_unit_test(package_data_matches_the_notices),
		cmocka_unit_test(ics_of_the_package_reads_as_its_json),
		cmocka_unit_test(ics_import_of_a_new_year),
		cmocka_unit_test(ics_errors_name_the_line_and_change_nothing),
		cmocka_unit_test(ics_needs_years_and_has_limits),
		cmocka_unit_test(a_slot_publishes_new_calendars_to_readers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

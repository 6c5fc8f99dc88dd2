/*
 * Unit tests of correction/supervision with the pack's rules.json:
 * electronic-location orders (3 months, extensions after re-assessment,
 * refused with the basis), the sanction ladder, and a person's day: leaving
 * the county, the curfew, a prohibited place, failed and missed check-ins,
 * lost contact, approved leave, unknown devices and stale pings.
 */
#include "support.h"

#include "core/err.h"
#include "correction/supervision.h"
#include "geo/geofence.h"
#include "geo/polygon.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_MS	60000LL
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS	(24 * HOUR_MS)
/* 2026-03-02 00:00 Asia/Shanghai */
#define T0 1772380800000LL

static struct fz_correction_rules rules;

static int setup(void **state)
{
	char *path = ts_source("apps/correction/rules.json");
	struct fz_err err;

	(void)state;
	fz_err_init(&err);
	if (fz_correction_rules_load(path, &rules, &err))
		fail_msg("rules: %s", err.msg);
	free(path);
	return 0;
}

static void rules_come_from_the_pack(void **state)
{
	(void)state;
	assert_int_equal(rules.location_max_months, 3);
	assert_int_equal(rules.curfew_start, 22 * 60);
	assert_int_equal(rules.curfew_end, 6 * 60);
	assert_string_equal(rules.ladder[0].title, "训诫");
	assert_string_equal(rules.ladder[2].sanction, "revocation");
	assert_non_null(strstr(rules.location_basis, "第二十九条"));
}

/* rules.json with the first `from` replaced by `to`, loaded: the refusal */
static int load_edited(const char *from, const char *to, struct fz_err *err)
{
	char *src = ts_source("apps/correction/rules.json"), *path = ts_tmpfile("rules.json");
	FILE *in = fopen(src, "rb"), *out = fopen(path, "wb");
	static char text[1 << 16];
	size_t n = in ? fread(text, 1, sizeof(text) - 1, in) : 0;
	char *at;
	struct fz_correction_rules r;
	int rc;

	text[n] = 0;
	at = strstr(text, from);
	assert_non_null(at);
	assert_non_null(out);
	fwrite(text, 1, (size_t)(at - text), out);
	fputs(to, out);
	fputs(at + strlen(from), out);
	fclose(out);
	fclose(in);
	fz_err_init(err);
	rc = fz_correction_rules_load(path, &r, err);
	free(src);
	free(path);
	return rc;
}

static void broken_rules_are_refused_naming_file_and_pointer(void **state)
{
	struct fz_correction_rules r;
	struct fz_err err;

	(void)state;
	assert_int_equal(load_edited("\"22:00-06:00\"", "\"22:00\"", &err), FZ_EINVAL);
	assert_string_equal(err.field, "/curfew/window");
	assert_non_null(strstr(err.msg, "rules.json: /curfew/window: 应为 HH:MM-HH:MM"));
	assert_int_equal(load_edited("\"min_score\": 0.8", "\"min_score\": 8", &err), FZ_EINVAL);
	assert_string_equal(err.field, "/checkin/min_score");
	assert_non_null(strstr(err.msg, "/checkin/min_score: 应为 0..1 之间的数"));
	assert_int_equal(load_edited("{", "{{", &err), FZ_EINVAL);
	assert_non_null(strstr(err.msg, "rules.json: "));
	fz_err_init(&err);
	assert_true(fz_correction_rules_load("/nonexistent/rules.json", &r, &err) < 0);
	assert_non_null(strstr(err.msg, "/nonexistent/rules.json"));
}

static int64_t local_date(int y, int m, int d)
{
	/* days from 2026-03-02 by a table of month lengths (2026 is not a leap year) */
	static const int len[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int64_t days = 0;
	int yy = 2026, mm = 3, dd = 2;

	while (yy != y || mm != m || dd != d) {
		if (++dd > len[mm - 1] + (mm == 2 && yy % 4 == 0)) {
			dd = 1;
			if (++mm > 12) {
				mm = 1;
				yy++;
			}
		}
		days++;
	}
	return T0 + days * DAY_MS;
}

static void orders_last_three_months_at_most(void **state)
{
	struct fz_location_order o = { "司法局张局长", local_date(2026, 3, 2),
				       local_date(2026, 6, 2), 0, 0 };
	struct fz_err err;

	(void)state;
	fz_err_init(&err);
	assert_int_equal(fz_correction_check_order(&rules, &o, &err), 0);
	o.end = local_date(2026, 6, 3);
	assert_int_equal(fz_correction_check_order(&rules, &o, &err), FZ_EINVAL);
	assert_string_equal(err.field, "end");
	assert_non_null(strstr(err.msg, "3 个月"));
	assert_non_null(strstr(err.msg, "第二十九条"));
	/* 30 November + 3 months is the last day of February */
	o.start = local_date(2026, 11, 30);
	o.end = local_date(2027, 2, 28) + 12 * HOUR_MS;
	fz_err_init(&err);
	assert_int_equal(fz_correction_check_order(&rules, &o, &err), FZ_EINVAL);
	o.end = local_date(2027, 2, 28);
	assert_int_equal(fz_correction_check_order(&rules, &o, &err), 0);
	/* approval is required */
	o.approved_by = "";
	fz_err_init(&err);
	assert_int_equal(fz_correction_check_order(&rules, &o, &err), FZ_EINVAL);
	assert_string_equal(err.field, "approved_by");
}

static void extensions_need_a_reassessment(void **state)
{
	struct fz_location_order o = { "司法局张局长", local_date(2026, 6, 2),
				       local_date(2026, 9, 2), local_date(2026, 6, 2), 0 };
	struct fz_err err;

	(void)state;
	fz_err_init(&err);
	assert_int_equal(fz_correction_check_order(&rules, &o, &err), FZ_EINVAL);
	assert_string_equal(err.field, "reassessed_at");
	o.reassessed_at = local_date(2026, 5, 28);
	fz_err_init(&err);
	assert_int_equal(fz_correction_check_order(&rules, &o, &err), 0);
	o.end = local_date(2026, 9, 10);
	assert_int_equal(fz_correction_check_order(&rules, &o, &err), FZ_EINVAL);
	assert_non_null(strstr(err.msg, "每次延长"));
	o.end = local_date(2026, 8, 1);
	o.start = local_date(2026, 6, 5); /* a gap after the previous order */
	fz_err_init(&err);
	assert_int_equal(fz_correction_check_order(&rules, &o, &err), FZ_EINVAL);
	assert_string_equal(err.field, "start");
}

static void the_ladder_climbs_with_history(void **state)
{
	struct fz_sanction_history h = { 0, 0, 0 };

	(void)state;
	assert_string_equal(fz_correction_next_sanction(&rules, &h, 0)->title, "训诫");
	assert_string_equal(fz_correction_next_sanction(&rules, &h, 1)->title, "警告");
	h.admonitions = 2;
	assert_string_equal(fz_correction_next_sanction(&rules, &h, 0)->title, "警告");
	h.warnings = 2;
	assert_string_equal(fz_correction_next_sanction(&rules, &h, 0)->sanction, "revocation");
	h = (struct fz_sanction_history){ 0, 0, 11 };
	assert_string_equal(fz_correction_next_sanction(&rules, &h, 0)->sanction, "warning");
	h.out_of_supervision_days = 31;
	assert_string_equal(fz_correction_next_sanction(&rules, &h, 0)->sanction, "revocation");
}

struct seen {
	struct fz_violation v[32];
	int n;
};

static void collect(void *ctx, const struct fz_violation *v)
{
	struct seen *s = ctx;

	if (s->n < 32)
		s->v[s->n++] = *v;
}

#define HOME_X 119.65
#define HOME_Y 29.08

static struct fz_polygon_set *county(void)
{
	static const char square[] =
		"{\"type\":\"Feature\",\"properties\":{\"code\":\"330702\",\"name\":\"婺城区\"},\"geometry\":{\"type\":"
		"\"Polygon\",\"coordinates\":[[[119.5,29.0],[119.8,29.0],[119.8,29.2],[119.5,29.2],"
		"[119.5,29.0]]]}}";
	struct fz_polygon_set *s = NULL;
	struct fz_err err;

	fz_err_init(&err);
	if (fz_polygon_set_parse(square, strlen(square), NULL, 0, &s, &err))
		fail_msg("%s", err.msg);
	return s;
}

static struct fz_supervision *supervise(struct fz_polygon_set *c, int *person)
{
	static const struct fz_prohibited_place bar = { "ktv", 119.70, 29.10, 100 };
	struct fz_correction_person p = { "SQJZ-0001", "dev-0001", 42,	 &c->items[0],
					  HOME_X,      HOME_Y,	   &bar, 1 };
	struct fz_supervision *s = NULL;
	struct fz_err err;

	fz_err_init(&err);
	assert_int_equal(fz_supervision_new(&rules, &s, &err), 0);
	assert_int_equal(fz_supervision_add_person(s, &p, T0, person, &err), 0);
	fz_err_init(&err);
	assert_int_equal(fz_supervision_add_person(s, &p, T0, person, &err), FZ_ECONFLICT);
	return s;
}

/* Pings every 30 s from t for minutes at (x, y). */
static int64_t stay(struct fz_supervision *s, int64_t t, int minutes, double x, double y,
		    struct seen *seen)
{
	struct fz_err err;

	for (int i = 0; i < minutes * 2; i++, t += 30000) {
		fz_err_init(&err);
		assert_int_equal(
			fz_supervision_ping(s, "dev-0001", t, x, y, 10, collect, seen, &err), 0);
	}
	return t;
}

static void a_day_under_supervision(void **state)
{
	struct fz_polygon_set *c = county();
	struct seen seen = { .n = 0 };
	struct fz_err err;
	int person;
	struct fz_supervision *s = supervise(c, &person);
	int64_t t = T0 + 8 * HOUR_MS;

	(void)state;
	/* morning at home and at work in the county: nothing */
	t = stay(s, t, 60, HOME_X, HOME_Y, &seen);
	t = stay(s, t, 120, 119.60, 29.15, &seen);
	assert_int_equal(seen.n, 0);
	/* unknown devices and bad or stale pings are refused, nothing changes */
	fz_err_init(&err);
	assert_int_equal(
		fz_supervision_ping(s, "dev-9999", t, HOME_X, HOME_Y, 0, collect, &seen, &err),
		FZ_ENOTFOUND);
	assert_string_equal(err.field, "device");
	fz_err_init(&err);
	assert_int_equal(
		fz_supervision_ping(s, "dev-0001", t - 60000, 121, 31, 0, collect, &seen, &err),
		FZ_GEOFENCE_STALE);
	fz_err_init(&err);
	assert_int_equal(fz_supervision_ping(s, "dev-0001", t, NAN, 31, 0, collect, &seen, &err),
			 FZ_EINVAL);
	/* a face check-in that fails */
	fz_err_init(&err);
	assert_int_equal(
		fz_supervision_checkin(s, "dev-0001", t, 0.42, 119.6, 29.15, collect, &seen, &err),
		0);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.v[0].kind, FZ_VIOLATION_CHECKIN_FAILED);
	assert_int_equal(seen.v[0].office_unit_id, 42);
	assert_non_null(strstr(seen.v[0].detail, "0.42"));
	t += 30000;
	assert_int_equal(
		fz_supervision_checkin(s, "dev-0001", t, 0.93, 119.6, 29.15, collect, &seen, &err),
		0);
	assert_int_equal(seen.n, 1);
	/* the afternoon in Yiwu, outside the county, without leave: out of area, admonition */
	t = stay(s, t + 30000, 30, 120.07, 29.30, &seen);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.v[1].kind, FZ_VIOLATION_OUT_OF_AREA);
	assert_string_equal(seen.v[1].suggested->title, "训诫");
	assert_string_equal(seen.v[1].person_id, "SQJZ-0001");
	/* explained in words, with how far past the edge: Yiwu is ~28 km out */
	assert_non_null(strstr(seen.v[1].detail, "离开婺城区，距边界约 28."));
	/* suggestions alone are no history: nothing was decided yet */
	assert_int_equal(fz_supervision_history(s, person)->admonitions, 0);
	/* a prohibited place: serious, a warning */
	t = stay(s, t, 10, 119.70, 29.10, &seen);
	assert_int_equal(seen.n, 3);
	assert_int_equal(seen.v[2].kind, FZ_VIOLATION_PROHIBITED_PLACE);
	assert_string_equal(seen.v[2].suggested->title, "警告");
	assert_string_equal(seen.v[2].detail, "位于「ktv」禁入范围内，距其边界约 100 米");
	/* the office decided one admonition: the curfew breach is still an admonition */
	assert_int_equal(fz_supervision_decided(s, person, "admonition"), 0);
	assert_int_equal(fz_supervision_decided(s, person, "fine"), FZ_EINVAL);
	t = stay(s, T0 + 22 * HOUR_MS + 30 * MIN_MS, 40, 119.62, 29.12, &seen);
	assert_int_equal(seen.n, 4);
	assert_int_equal(seen.v[3].kind, FZ_VIOLATION_CURFEW);
	assert_non_null(strstr(seen.v[3].detail, "宵禁时段不在居所，在居所 "));
	assert_string_equal(seen.v[3].suggested->title, "训诫");
	/* after a second decided admonition, and two decided warnings */
	assert_int_equal(fz_supervision_decided(s, person, "admonition"), 0);
	assert_int_equal(fz_supervision_decided(s, person, "warning"), 0);
	assert_int_equal(fz_supervision_decided(s, person, "warning"), 0);
	assert_int_equal(fz_supervision_history(s, person)->warnings, 2);
	/* home by midnight, then silence: lost contact after an hour, once; after two
	 * warnings the ladder's top */
	t = stay(s, t, 20, HOME_X, HOME_Y, &seen);
	fz_supervision_tick(s, t + 59 * MIN_MS, collect, &seen);
	assert_int_equal(seen.n, 4);
	fz_supervision_tick(s, t + 61 * MIN_MS, collect, &seen);
	assert_int_equal(seen.n, 5);
	assert_int_equal(seen.v[4].kind, FZ_VIOLATION_LOST_CONTACT);
	assert_string_equal(seen.v[4].suggested->title, "提请撤销缓刑、假释或者收监执行");
	/* the next day passes without a check-in */
	fz_supervision_tick(s, t + 61 * MIN_MS + DAY_MS, collect, &seen);
	assert_int_equal(seen.v[seen.n - 1].kind, FZ_VIOLATION_CHECKIN_MISSED);
	fz_supervision_free(s);
	fz_polygon_set_free(c);
}

static void approved_leave_opens_the_county(void **state)
{
	struct fz_polygon_set *c = county();
	struct seen seen = { .n = 0 };
	struct fz_err err;
	int person;
	struct fz_supervision *s = supervise(c, &person);
	int64_t t = T0 + 8 * HOUR_MS;

	(void)state;
	fz_err_init(&err);
	/* leave to Hangzhou (20 km around its centre) for the day */
	assert_int_equal(
		fz_supervision_leave(s, person, t, t + 12 * HOUR_MS, 120.155, 30.274, 20000, &err),
		0);
	t = stay(s, t, 60, 120.16, 30.27, &seen);
	assert_int_equal(seen.n, 0);
	/* a detour to Shanghai is still out of area */
	t = stay(s, t, 30, 121.47, 31.23, &seen);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.v[0].kind, FZ_VIOLATION_OUT_OF_AREA);
	assert_int_equal(fz_supervision_leave(s, person, t, t, 0, 0, 0, &err), FZ_EINVAL);
	fz_supervision_free(s);
	fz_polygon_set_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rules_come_from_the_pack),
		cmocka_unit_test(orders_last_three_months_at_most),
		cmocka_unit_test(extensions_need_a_reassessment),
		cmocka_unit_test(the_ladder_climbs_with_history),
		cmocka_unit_test(broken_rules_are_refused_naming_file_and_pointer),
		cmocka_unit_test(a_day_under_supervision),
		cmocka_unit_test(approved_leave_opens_the_county),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}

/* Unit tests of rules/: the shipped overload rule turns weighings into the
 * levels and explanations a traffic officer would check by hand; broken
 * rule files are refused naming the file, pointer and Lua line; the Lua
 * sandbox holds. Records are fed directly as struct fz_record values. */
#include "support.h"

#include "core/err.h"
#include "rules/expr.h"
#include "rules/rule.h"
#include "rules/ruleset.h"
#include "rules/script.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400000LL
#define T0 1767225600000LL /* 2026-01-01 00:00 UTC = 08:00 Shanghai */

static struct fz_rule *shipped(const char *pack, const char *name)
{
	char rel[200];
	char *path;
	struct fz_rule *r = NULL;
	struct fz_err err;

	snprintf(rel, sizeof(rel), "apps/%s/rules/%s.json", pack, name);
	path = ts_source(rel);
	fz_err_init(&err);
	if (fz_ruleset_compile_file(pack, path, &r, &err))
		fail_msg("%s", err.msg);
	free(path);
	return r;
}

struct hits {
	int n, last_level, reds;
	char last_key[32];
	double last_score;
};

static int on_hit(void *ctx, const struct fz_rule_hit *h)
{
	struct hits *x = ctx;
	x->n++;
	x->last_level = h->level;
	x->last_score = h->score;
	x->reds += h->level == FZ_LEVEL_RED && h->prev_level != FZ_LEVEL_RED;
	snprintf(x->last_key, sizeof(x->last_key), "%s", h->key);
	return 0;
}

static int weigh(struct fz_rule *r, int64_t id, int64_t at, const char *plate, int axles,
		 const char *kind, int gross, const char *station)
{
	cJSON *f = cJSON_CreateObject();
	struct fz_record rec = { .id = id, .source = "jt-wim", .type = "overload.weighing",
				 .external_id = "x", .at = at, .received_at = at, .region = "330702",
				 .fields = f };
	struct fz_err err;
	int rc;

	cJSON_AddStringToObject(f, "plate", plate);
	cJSON_AddNumberToObject(f, "axles", axles);
	cJSON_AddStringToObject(f, "vehicle_kind", kind);
	cJSON_AddNumberToObject(f, "gross_kg", gross);
	cJSON_AddStringToObject(f, "station", station);
	fz_err_init(&err);
	rc = fz_rule_eval(r, &rec, &err);
	if (rc)
		fail_msg("eval: %s", err.msg);
	cJSON_Delete(f);
	return rc;
}

static const cJSON *contrib(const cJSON *x, const char *id)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(x, "contributions")) if (
		strcmp(fz_json_str(c, "id"), id) == 0) return c;
	return NULL;
}

static void overload_levels_and_explanation(void **state)
{
	struct fz_rule *r = shipped("overload", "repeat_offender");
	struct hits h = { 0 };
	struct fz_rule_stats st;
	cJSON *x;
	const cJSON *c;

	(void)state;
	fz_rule_set_emit(r, on_hit, &h);
	/* within limits: a 2-axle truck at 18 t, a 6-axle combination at 49 t */
	weigh(r, 1, T0, "浙G12345", 2, "truck", 18000, "S1");
	weigh(r, 2, T0 + 1000, "浙G12345", 6, "combination", 49000, "S1");
	assert_int_equal(h.n, 0);
	fz_rule_stats(r, &st);
	assert_int_equal(st.keys, 0); /* no evidence, no state */

	/* one overload: green (the weighing's own fine handles it), explained
	 * with the fine of the Zhejiang tiers:
	 * 30 t on an 18 t truck is 66.7 % over: 30 % of 18 t (5.4 t) at 300
	 * yuan plus 16.7 % of 18 t (3 t) at 500 yuan = 1 620 + 1 500 = 3 120 */
	weigh(r, 3, T0 + DAY - 7 * 3600000LL, "浙G12345", 2, "truck", 30000, "S1"); /* 01:00 */
	assert_int_equal(h.n, 0);
	x = fz_rule_explain(r, "浙G12345");
	assert_non_null(x);
	c = contrib(x, "latest_fine");
	assert_non_null(c);
	assert_non_null(strstr(fz_json_str(c, "text"), "应罚款 3120 元"));
	assert_non_null(strstr(fz_json_str(contrib(x, "violation"), "text"), "100% 发生在凌晨"));
	assert_null(contrib(x, "repeat"));
	cJSON_Delete(x);

	/* a second one: yellow; two more (4 in a year, more than 3): red */
	weigh(r, 4, T0 + 10 * DAY, "浙G12345", 3, "truck", 26000, "S2");
	assert_int_equal(h.n, 1);
	assert_int_equal(h.last_level, FZ_LEVEL_YELLOW);
	weigh(r, 5, T0 + 20 * DAY, "浙G12345", 3, "truck", 26000, "S2");
	assert_int_equal(h.last_level, FZ_LEVEL_YELLOW);
	weigh(r, 6, T0 + 30 * DAY, "浙G12345", 3, "truck", 26000, "S3");
	assert_int_equal(h.last_level, FZ_LEVEL_RED);
	assert_int_equal(h.reds, 1);
	x = fz_rule_explain(r, "浙G12345");
	c = contrib(x, "repeat");
	assert_non_null(c);
	assert_non_null(strstr(fz_json_str(c, "text"), "近一年超限 4 次"));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(c, "records")), 4);
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(c, "records"), 0)->valuestring, "6");
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(x, "aggregates"),
								  "stations"), "value")->valuedouble,
			 3);
	assert_string_equal(fz_json_str(x, "level"), "red");
	cJSON_Delete(x);

	/* a year after the first overload, it has left the window: 3 remain */
	weigh(r, 7, T0 + 366 * DAY + 3600000LL, "浙G12345", 2, "truck", 19000, "S1");
	assert_int_equal(h.last_level, FZ_LEVEL_RED); /* 4 within 365 d of day 366 */
	weigh(r, 8, T0 + 380 * DAY, "浙G12345", 2, "truck", 19000, "S1");
	x = fz_rule_explain(r, "浙G12345");
	assert_non_null(strstr(fz_json_str(contrib(x, "violation"), "text"), "近一年超限 4 次"));
	cJSON_Delete(x);

	/* any weighing above 100 t is red at once, for another plate */
	weigh(r, 9, T0, "浙GA0001", 6, "combination", 101000, "S9");
	assert_string_equal(h.last_key, "浙GA0001");
	assert_int_equal(h.last_level, FZ_LEVEL_RED);
	fz_rule_stats(r, &st);
	assert_int_equal(st.keys, 2);
	fz_rule_free(r);
}

static void hour_of_week_profile(void **state)
{
	struct fz_rule *r = shipped("overload", "repeat_offender");
	const cJSON *hours, *top;
	cJSON *x;

	(void)state;
	/* Tuesdays 02:00 Shanghai (Monday 18:00 UTC): 2026-01-05 is a Monday */
	for (int w = 0; w < 5; w++)
		weigh(r, 100 + w, T0 + 4 * DAY + 18 * 3600000LL + w * 7 * DAY, "浙G99999", 2, "truck",
		      25000, "S5");
	weigh(r, 200, T0 + 2 * DAY + 6 * 3600000LL, "浙G99999", 2, "truck", 25000, "S6");
	x = fz_rule_explain(r, "浙G99999");
	hours = cJSON_GetObjectItem(cJSON_GetObjectItem(x, "aggregates"), "hours");
	top = cJSON_GetArrayItem(cJSON_GetObjectItem(hours, "top"), 0);
	assert_int_equal(cJSON_GetObjectItem(top, "weekday")->valueint, 1); /* Tuesday */
	assert_int_equal(cJSON_GetObjectItem(top, "hour")->valueint, 2);
	assert_int_equal(cJSON_GetObjectItem(top, "count")->valueint, 5);
	top = cJSON_GetArrayItem(
		cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(x, "aggregates"),
							"stations"),
				    "top"),
		0);
	assert_string_equal(fz_json_str(top, "value"), "S5");
	cJSON_Delete(x);
	fz_rule_free(r);
}

static void assert_refused(const char *json, const char *lua, const char *want)
{
	struct fz_rule *r = NULL;
	struct fz_err err;

	fz_err_init(&err);
	assert_int_equal(fz_rule_compile("t", "rules/x.json", json, strlen(json), "rules/x.lua", lua,
					 lua ? strlen(lua) : 0, &r, &err),
			 FZ_EINVAL);
	assert_null(r);
	if (!strstr(err.msg, want))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, want);
}

#define BASE                                                                                   \
	"{\"name\":\"x\",\"title\":\"测试\",\"triggers\":[\"t.a\"],\"key\":\"k\","                  \
	"\"levels\":{\"red\":2,\"yellow\":1},"

static void broken_rules_are_refused(void **state)
{
	(void)state;
	assert_refused("{", NULL, "rules/x.json");
	assert_refused(BASE "\"aggregates\":[{\"name\":\"n\",\"op\":\"count\",\"window\":\"5x\"}],"
			    "\"contributions\":[{\"id\":\"a\",\"points\":1,\"text\":\"t\"}]}",
		       NULL, "rules/x.json: /aggregates/0/window");
	assert_refused(BASE "\"filter\":\"v > \","
			    "\"aggregates\":[{\"name\":\"n\",\"op\":\"count\",\"window\":\"1d\"}],"
			    "\"contributions\":[{\"id\":\"a\",\"points\":1,\"text\":\"t\"}]}",
		       NULL, "/filter");
	assert_refused(BASE "\"aggregates\":[{\"name\":\"n\",\"op\":\"count\",\"window\":\"1d\"}],"
			    "\"contributions\":[{\"id\":\"a\",\"points\":\"nope + 1\",\"text\":\"t\"}]}",
		       NULL, "/contributions/0/points");
	assert_refused(BASE "\"aggregates\":[{\"name\":\"n\",\"op\":\"count\",\"window\":\"1d\"}],"
			    "\"contributions\":[{\"id\":\"a\",\"points\":{\"lua\":\"f\"},\"text\":\"t\"}]}",
		       "function g(t) return 1 end", "没有定义函数 f");
	/* a Lua syntax error names the file and line */
	assert_refused(BASE "\"aggregates\":[{\"name\":\"n\",\"op\":\"count\",\"window\":\"1d\"}],"
			    "\"contributions\":[{\"id\":\"a\",\"points\":1,\"text\":\"t\"}]}",
		       "function f(t)\n  return 1 +\nend", "rules/x.lua:3:");
	/* the sandbox has no io, os or require */
	assert_refused(BASE "\"aggregates\":[{\"name\":\"n\",\"op\":\"count\",\"window\":\"1d\"}],"
			    "\"contributions\":[{\"id\":\"a\",\"points\":1,\"text\":\"t\"}]}",
		       "local f = io.open('/etc/passwd')", "rules/x.lua:1:");
	assert_refused(BASE "\"aggregates\":[{\"name\":\"n\",\"op\":\"count\",\"window\":\"1d\"}],"
			    "\"contributions\":[{\"id\":\"a\",\"points\":1,\"text\":\"t\"}]}",
		       "os.exit(1)", "rules/x.lua:1:");
	assert_refused(BASE "\"aggregates\":[{\"name\":\"n\",\"op\":\"count\",\"window\":\"1d\"}],"
			    "\"contributions\":[{\"id\":\"a\",\"points\":1,\"text\":\"t\"}]}",
		       "require('socket')", "rules/x.lua:1:");
	/* a load-time endless loop stops at the instruction limit */
	assert_refused(BASE "\"aggregates\":[{\"name\":\"n\",\"op\":\"count\",\"window\":\"1d\"}],"
			    "\"contributions\":[{\"id\":\"a\",\"points\":1,\"text\":\"t\"}]}",
		       "while true do end", "指令上限");
	/* and memory at its limit */
	assert_refused(BASE "\"aggregates\":[{\"name\":\"n\",\"op\":\"count\",\"window\":\"1d\"}],"
			    "\"contributions\":[{\"id\":\"a\",\"points\":1,\"text\":\"t\"}]}",
		       "local t = {} for i = 1, 1e8 do t[i] = string.rep('x', 100) .. i end",
		       "memory");
}

static void lua_call_limits(void **state)
{
	struct fz_script *s = NULL;
	struct fz_err err;
	double v;
	const char *src = "function loop(t) while true do end end\n"
			  "function add(t) return t.a + t.b end\n";
	struct fz_script_arg args[] = { { "a", 2, NULL }, { "b", 3, NULL } };

	(void)state;
	fz_err_init(&err);
	assert_int_equal(fz_script_load("x.lua", src, strlen(src), "", &s, &err), 0);
	assert_int_equal(fz_script_call(s, "add", args, 2, &v, &err), 0);
	assert_true(v == 5);
	assert_int_equal(fz_script_call(s, "loop", args, 2, &v, &err), FZ_EINVAL);
	assert_non_null(strstr(err.msg, "指令上限"));
	/* the state is usable after a failed call */
	fz_err_init(&err);
	assert_int_equal(fz_script_call(s, "add", args, 2, &v, &err), 0);
	fz_script_free(s);
}

static int num_resolve(void *ctx, const char *name, int want, int *kind)
{
	*kind = strcmp(name, "s") == 0 ? FZ_EXPR_STR : FZ_EXPR_NUM;
	return name[0] == 'a' ? 0 : name[0] == 'b' ? 1 : name[0] == 's' ? 0 : -1;
}
static int num_str_id(void *ctx, const char *s)
{
	return strcmp(s, "x") == 0 ? 7 : 8;
}

static void expressions(void **state)
{
	struct fz_expr_scope sc = { num_resolve, num_str_id, NULL };
	static const struct {
		const char *text;
		double want;
	} cases[] = {
		{ "a + b * 2", 7 },	      { "(a + b) * 2", 10 },  { "a > 2 && b < 2", 0 },
		{ "a > 2 || b < 2", 1 },      { "a >= 3 ? 10 : 20", 10 }, { "min(a, b) + max(a, b)", 5 },
		{ "s == 'x'", 1 },	      { "s != 'x'", 0 },	   { "!(a == 3)", 0 },
		{ "-a + 1", -2 },	      { "b / 0", 0 },		   { "a % 2", 1 },
		{ "a < 2 ? 1 : a < 4 ? 2 : 3", 2 },
	};
	double num[2] = { 3, 2 };
	int32_t str[1] = { 7 };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fz_expr *e;
		struct fz_err err;
		fz_err_init(&err);
		if (fz_expr_compile(cases[i].text, &sc, "/x", &e, &err))
			fail_msg("%s: %s", cases[i].text, err.msg);
		if (fz_expr_eval(e, num, str) != cases[i].want)
			fail_msg("%s = %g, want %g", cases[i].text, fz_expr_eval(e, num, str),
				 cases[i].want);
		fz_expr_free(e);
	}
}

static void feed(struct fz_rule *r, int64_t id, int64_t at, const char *type, const char *json)
{
	cJSON *f = cJSON_Parse(json);
	struct fz_record rec = { .id = id, .source = "s", .type = type, .external_id = "x", .at = at,
				 .received_at = at, .region = "330702", .fields = f };
	struct fz_err err;

	fz_err_init(&err);
	if (fz_rule_eval(r, &rec, &err))
		fail_msg("eval: %s", err.msg);
	cJSON_Delete(f);
}

static void family_decay_explains_each_item(void **state)
{
	struct fz_rule *r = shipped("family", "person_risk");
	struct hits h = { 0 };
	const cJSON *c;
	cJSON *x;

	(void)state;
	fz_rule_set_emit(r, on_hit, &h);
	/* a warning letter (20) and a dv call (20) today: 40, yellow */
	feed(r, 1, T0, "family.police", "{\"person_id\":\"P1\",\"item\":\"warning_letter\"}");
	feed(r, 2, T0, "family.police", "{\"person_id\":\"P1\",\"item\":\"dv_call\"}");
	assert_int_equal(h.last_level, FZ_LEVEL_YELLOW);
	assert_true(h.last_score > 39.99 && h.last_score < 40.01);
	assert_int_equal(h.n, 1); /* the first alone (20) was green: nothing said */
	/* an unknown item weighs nothing and is not evidence */
	feed(r, 3, T0, "family.police", "{\"person_id\":\"P1\",\"item\":\"nonsense\"}");
	assert_int_equal(h.n, 1);
	/* 180 days (one half-life) later a violated protection order (35):
	 * 40 / 2 + 35 = 55, still yellow; a threat (25) the same day: 80, red */
	feed(r, 4, T0 + 180 * DAY, "family.court",
	     "{\"person_id\":\"P1\",\"item\":\"protection_order_violated\"}");
	assert_true(h.last_score > 54.99 && h.last_score < 55.01);
	assert_int_equal(h.last_level, FZ_LEVEL_YELLOW);
	feed(r, 5, T0 + 180 * DAY, "family.police", "{\"person_id\":\"P1\",\"item\":\"threat\"}");
	assert_int_equal(h.last_level, FZ_LEVEL_RED);
	x = fz_rule_explain(r, "P1");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(x, "contributions")), 4);
	c = cJSON_GetArrayItem(cJSON_GetObjectItem(x, "contributions"), 0);
	assert_string_equal(fz_json_str(c, "text"), "违反人身安全保护令：1 条，按时间衰减后计 35 分");
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(c, "records"), 0)->valuestring,
			    "4");
	c = cJSON_GetArrayItem(cJSON_GetObjectItem(x, "contributions"), 3); /* ties: table order */
	assert_string_equal(fz_json_str(c, "text"), "家庭暴力告诫书：1 条，按时间衰减后计 10 分");
	cJSON_Delete(x);
	fz_rule_free(r);
}

static void dispute_repeated_calls_and_failed_mediation(void **state)
{
	struct fz_rule *r = shipped("dispute", "person_level");
	struct fz_rule *byc = shipped("dispute", "case_level");
	struct hits h = { 0 }, hc = { 0 };

	(void)state;
	fz_rule_set_emit(r, on_hit, &h);
	fz_rule_set_emit(byc, on_hit, &hc);
	feed(r, 1, T0, "dispute.call", "{\"caller_id\":\"A\",\"other_id\":\"B\",\"case_code\":\"C1\"}");
	assert_int_equal(h.n, 0); /* one call: 20 points, green */
	feed(r, 2, T0 + DAY, "dispute.mediation",
	     "{\"party_ids\":[\"A\",\"B\"],\"result\":\"failed\",\"case_code\":\"C1\"}");
	assert_int_equal(h.n, 2); /* both parties: 20 + 25 = 45, yellow */
	assert_int_equal(h.last_level, FZ_LEVEL_YELLOW);
	feed(r, 3, T0 + 2 * DAY, "dispute.mediation",
	     "{\"party_ids\":[\"A\",\"B\"],\"result\":\"success\"}"); /* not evidence */
	assert_int_equal(h.n, 2);
	feed(r, 4, T0 + 3 * DAY, "dispute.mediation",
	     "{\"party_ids\":[\"B\"],\"result\":\"failed\"}");
	assert_string_equal(h.last_key, "B");
	assert_int_equal(h.last_level, FZ_LEVEL_RED); /* two failed mediations */
	feed(r, 5, T0 + 4 * DAY, "dispute.call", "{\"caller_id\":\"A\"}");
	feed(r, 6, T0 + 5 * DAY, "dispute.call", "{\"caller_id\":\"A\"}");
	assert_string_equal(h.last_key, "A");
	assert_int_equal(h.last_level, FZ_LEVEL_RED); /* three calls in 90 days */
	/* the dispute itself, by its code */
	feed(byc, 1, T0, "dispute.call", "{\"caller_id\":\"A\",\"case_code\":\"C1\"}");
	feed(byc, 2, T0 + DAY, "dispute.mediation",
	     "{\"party_ids\":[\"A\"],\"result\":\"failed\",\"case_code\":\"C1\"}");
	assert_string_equal(hc.last_key, "C1");
	assert_int_equal(hc.last_level, FZ_LEVEL_YELLOW);
	fz_rule_free(r);
	fz_rule_free(byc);
}

static void shipped_packs_load(void **state)
{
	char *apps = ts_source("apps");
	struct fz_ruleset *s;
	struct fz_ruleset_report rep;
	struct fz_err err;

	(void)state;
	fz_err_init(&err);
	assert_int_equal(fz_ruleset_load(apps, &s, &rep, &err), 0);
	if (rep.nproblems)
		fail_msg("%s", rep.problems[0]);
	assert_non_null(fz_ruleset_find(s, "overload.repeat_offender"));
	assert_non_null(fz_ruleset_find(s, "family.person_risk"));
	assert_non_null(fz_ruleset_find(s, "dispute.person_level"));
	assert_non_null(fz_ruleset_find(s, "dispute.case_level"));
	fz_ruleset_free(s);
	free(apps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(overload_levels_and_explanation),
		cmocka_unit_test(hour_of_week_profile),
		cmocka_unit_test(broken_rules_are_refused),
		cmocka_unit_test(lua_call_limits),
		cmocka_unit_test(expressions),
		cmocka_unit_test(family_decay_explains_each_item),
		cmocka_unit_test(dispute_repeated_calls_and_failed_mediation),
		cmocka_unit_test(shipped_packs_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

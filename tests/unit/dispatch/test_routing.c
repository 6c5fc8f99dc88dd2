/* Unit tests of dispatch/routing: routes.json parsing (errors name file and
 * JSON pointer) and resolving the unit on duty up the region tree. */
#include "support.h"

#include "core/err.h"
#include "dispatch/routing.h"
#include "registry/region_tree.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse(struct fz_routes *t, const char *text, struct fz_err *err)
{
	fz_err_init(err);
	return fz_routes_parse(t, "community", "community/routes.json", text, strlen(text), err);
}

static void loads_the_shipped_tables(void **state)
{
	char *apps = ts_source("apps");
	struct fz_routes t = { 0 };
	struct fz_err err;
	const struct fz_event_route *r;

	(void)state;
	fz_err_init(&err);
	assert_int_equal(fz_routes_load(&t, apps, &err), 0);
	r = fz_routes_find(&t, "community.fire_lane");
	assert_non_null(r);
	assert_string_equal(r->title, "消防通道占用");
	assert_int_equal(r->nto, 1);
	assert_string_equal(r->to[0].unit_kind, "property_control");
	assert_string_equal(r->to[0].level, "village");
	assert_int_equal(r->nesc, 1);
	assert_string_equal(r->esc[0].unit_kind, "fire_rescue");
	assert_string_equal(r->case_type, "fire_lane");
	assert_null(fz_routes_find(&t, "community.nothing"));
	/* Overloads to the district's traffic police; minors' reports to the
	 * township's police, civil affairs and education. */
	r = fz_routes_find(&t, "overload.overweight");
	assert_non_null(r);
	assert_string_equal(r->to[0].unit_kind, "traffic_police");
	assert_string_equal(r->to[0].level, "district");
	/* raised by red repeat-offender alerts, cleared as intercepted or not */
	assert_ptr_equal(fz_routes_for_alert(&t, "overload.repeat_offender", "red"), r);
	assert_null(fz_routes_for_alert(&t, "overload.repeat_offender", "yellow"));
	assert_null(fz_routes_for_alert(&t, "family.risk", "red"));
	assert_string_equal(fz_route_clear_title(r, "intercepted"), "已拦截");
	assert_null(fz_route_clear_title(r, "towed"));
	/* a route without "clear" keeps the fire-lane ways */
	assert_string_equal(fz_route_clear_title(fz_routes_find(&t, "community.fire_lane"), "towed"),
			    "拖移");
	r = fz_routes_find(&t, "minor.report");
	assert_non_null(r);
	assert_ptr_equal(fz_routes_for_case(&t, "minor"), r);
	assert_null(fz_routes_for_case(&t, "dispute"));
	assert_string_equal(fz_route_clear_title(r, "on_site"), "已到场核查处置");
	assert_int_equal(r->nto, 3);
	assert_string_equal(r->to[1].unit_kind, "civil_affairs");
	assert_string_equal(r->to[2].level, "township");
	fz_routes_release(&t);
	free(apps);
}

static void errors_name_the_pointer(void **state)
{
	static const struct {
		const char *text, *field, *says;
	} cases[] = {
		{ "{\"routes\": [{\"event\": \"community.x\", \"title\": \"t\", \"to\": "
		  "[{\"unit_kind\": \"spaceship\", \"level\": \"village\"}]}]}",
		  "/routes/0/to/0", "没有单位类型“spaceship”" },
		{ "{\"routes\": [{\"event\": \"community.x\", \"title\": \"t\", \"to\": "
		  "[{\"unit_kind\": \"psb\", \"level\": \"planet\"}]}]}",
		  "/routes/0/to/0", "level: “planet”无效" },
		{ "{\"routes\": [{\"event\": \"overload.x\", \"title\": \"t\", \"to\": "
		  "[{\"unit_kind\": \"psb\", \"level\": \"district\"}]}]}",
		  "/routes/0/event", "应以应用包名开头" },
		{ "{\"routes\": [{\"event\": \"community.x\", \"title\": \"t\", \"to\": []}]}",
		  "/routes/0/to", "应为非空数组" },
		{ "{\"routes\": [{\"event\": \"community.x\", \"to\": "
		  "[{\"unit_kind\": \"psb\", \"level\": \"district\"}]}]}",
		  "/routes/0/title", "应为非空字符串" },
		{ "{\"routes\": [{\"event\": \"community.x\", \"title\": \"t\", \"to\": "
		  "[{\"unit_kind\": \"psb\", \"level\": \"district\"}], \"escalate\": {\"to\": 3}}]}",
		  "/routes/0/escalate/to", "应为非空数组" },
		{ "{\"routes\": [{\"event\": \"community.x\", \"title\": \"t\", \"to\": "
		  "[{\"unit_kind\": \"psb\", \"level\": \"district\"}]}, {\"event\": \"community.x\", "
		  "\"title\": \"t\", \"to\": [{\"unit_kind\": \"psb\", \"level\": \"district\"}]}]}",
		  "/routes/1", "重复" },
		{ "{\"routes\": [{\"event\": \"community.x\", \"title\": \"t\", \"to\": "
		  "[{\"unit_kind\": \"psb\", \"level\": \"district\"}], \"clear\": "
		  "[{\"how\": \"a\", \"title\": \"A\"}, {\"how\": \"a\", \"title\": \"B\"}]}]}",
		  "/routes/0/clear/1", "处置方式“a”重复" },
		{ "{\"routes\": [{\"event\": \"community.x\", \"title\": \"t\", \"to\": "
		  "[{\"unit_kind\": \"psb\", \"level\": \"district\"}], \"clear\": [{\"how\": \"a\"}]}]}",
		  "/routes/0/clear/0/title", "应为非空字符串" },
		{ "{\"routes\": [{\"event\": \"community.x\", \"title\": \"t\", \"to\": "
		  "[{\"unit_kind\": \"psb\", \"level\": \"district\"}], \"raised_by\": "
		  "{\"alert\": \"community.r\", \"level\": \"purple\"}}]}",
		  "/routes/0/raised_by/level", "应为 red 或 yellow" },
		{ "{\"rout\": []}", "/routes", "应为数组" },
		{ "[1, 2", "", "community/routes.json" },
	};
	struct fz_routes t = { 0 };
	struct fz_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(&t, cases[i].text, &err), FZ_EINVAL);
		assert_string_equal(err.field, cases[i].field);
		if (!strstr(err.msg, cases[i].says) || !strstr(err.msg, "community/routes.json"))
			fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, err.msg,
				 cases[i].says);
		assert_int_equal(t.n, 0); /* nothing half-added */
	}
}

static void refuses_what_is_too_big(void **state)
{
	struct fz_routes t = { 0 };
	struct fz_err err;
	size_t n = FZ_ROUTES_MAX_FILE + 10;
	char *big = malloc(n + 1);

	(void)state;
	memset(big, ' ', n);
	big[n] = '\0';
	assert_int_equal(parse(&t, big, &err), FZ_ETOOBIG);
	free(big);
	/* Too deep. */
	assert_int_not_equal(parse(&t, "{\"routes\": [[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]}", &err), 0);
	assert_int_equal(t.n, 0);
}

/* Units of the test: region|kind -> id. */
static int64_t unit_at(void *ctx, const char *region, const char *kind)
{
	static const struct {
		const char *region, *kind;
		int64_t id;
	} units[] = {
		{ "330702001", "police_station", 11 },
		{ "330702", "civil_affairs", 21 },
		{ "330702", "fire_rescue", 31 },
		{ "330700", "committee", 41 },
	};
	(void)ctx;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(units[i].region, region) == 0 && strcmp(units[i].kind, kind) == 0)
			return units[i].id;
	return 0;
}

static void resolves_up_the_tree(void **state)
{
	struct fz_store *s = ts_store();
	struct fz_region_tree *tree = NULL;
	struct fz_err err;
	struct fz_route_target police = { "police_station", "township" },
			       civil = { "civil_affairs", "township" },
			       fire = { "fire_rescue", "district" },
			       edu = { "education", "township" },
			       committee = { "committee", "village" };

	(void)state;
	fz_err_init(&err);
	assert_int_equal(fz_region_tree_load(s, &tree, &err), 0);
	/* At the exact level. */
	assert_int_equal(fz_routes_resolve(&police, tree, "330702001", unit_at, NULL), 11);
	/* The township has no civil affairs: the district's bureau. */
	assert_int_equal(fz_routes_resolve(&civil, tree, "330702001", unit_at, NULL), 21);
	/* A township place, a district target. */
	assert_int_equal(fz_routes_resolve(&fire, tree, "330702001", unit_at, NULL), 31);
	/* Another district has none of its own and the city has none: 0. */
	assert_int_equal(fz_routes_resolve(&fire, tree, "330703001", unit_at, NULL), 0);
	assert_int_equal(fz_routes_resolve(&edu, tree, "330702001", unit_at, NULL), 0);
	/* A place above the target's level starts at the place itself. */
	assert_int_equal(fz_routes_resolve(&committee, tree, "330700", unit_at, NULL), 41);
	/* A place outside the tree: 0. */
	assert_int_equal(fz_routes_resolve(&police, tree, "110101", unit_at, NULL), 0);
	fz_region_tree_free(tree);
	fz_store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loads_the_shipped_tables),
		cmocka_unit_test(errors_name_the_pointer),
		cmocka_unit_test(refuses_what_is_too_big),
		cmocka_unit_test(resolves_up_the_tree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests of the HTTP edge's pure parts: route matching and problem+json. */
#include "support.h"

#include "core/err.h"
#include "http/http.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int match(const char *pattern, const char *path, const char **params, struct fz_arena *a)
{
	for (int i = 0; i < FZ_MAX_PARAMS; i++)
		params[i] = NULL;
	return fz_route_match(pattern, path, a, params);
}

static void literal_routes_match_exactly(void **state)
{
	struct fz_arena a;
	const char *p[FZ_MAX_PARAMS];

	fz_arena_init(&a);
	assert_true(match("/api/v1/users", "/api/v1/users", p, &a));
	assert_false(match("/api/v1/users", "/api/v1/user", p, &a));
	assert_false(match("/api/v1/users", "/api/v1/userss", p, &a));
	assert_false(match("/api/v1/users", "/api/v1/Users", p, &a));
	assert_false(match("/api/v1/users", "", p, &a));
	fz_arena_release(&a);
}

static void params_are_captured(void **state)
{
	struct fz_arena a;
	const char *p[FZ_MAX_PARAMS];

	fz_arena_init(&a);
	assert_true(match("/api/v1/users/{id}", "/api/v1/users/42", p, &a));
	assert_string_equal(p[0], "42");
	assert_true(
		match("/api/v1/regions/{code}/children", "/api/v1/regions/330702/children", p, &a));
	assert_string_equal(p[0], "330702");
	assert_true(
		match("/api/v1/units/{id}/users/{uid}", "/api/v1/units/7/users/zhang.san", p, &a));
	assert_string_equal(p[0], "7");
	assert_string_equal(p[1], "zhang.san");
	/* params are copies, terminated at the segment's end */
	assert_int_equal(strlen(p[0]), 1);
	fz_arena_release(&a);
}

static void trailing_slash_does_not_match(void **state)
{
	struct fz_arena a;
	const char *p[FZ_MAX_PARAMS];

	fz_arena_init(&a);
	assert_false(match("/api/v1/users/{id}", "/api/v1/users/42/", p, &a));
	assert_false(match("/api/v1/users", "/api/v1/users/", p, &a));
	fz_arena_release(&a);
}

static void extra_segments_do_not_match(void **state)
{
	struct fz_arena a;
	const char *p[FZ_MAX_PARAMS];

	fz_arena_init(&a);
	assert_false(match("/api/v1/users/{id}", "/api/v1/users/42/roles", p, &a));
	assert_false(match("/api/v1/users/{id}/roles", "/api/v1/users/42", p, &a));
	assert_false(match("/api/v1/regions/{code}/children",
			   "/api/v1/regions/330702/330702001/children", p, &a));
	fz_arena_release(&a);
}

static void empty_param_does_not_match(void **state)
{
	struct fz_arena a;
	const char *p[FZ_MAX_PARAMS];

	fz_arena_init(&a);
	assert_false(match("/api/v1/users/{id}", "/api/v1/users/", p, &a));
	assert_false(match("/api/v1/users/{id}/roles", "/api/v1/users//roles", p, &a));
	assert_false(match("/api/v1/users/{id}", "/api/v1/users", p, &a));
	fz_arena_release(&a);
}

/* Renders err and parses the body back. */
static cJSON *problem(const struct fz_err *err, const char *instance, struct fz_resp *resp)
{
	struct fz_err perr;
	cJSON *doc;

	memset(resp, 0, sizeof(*resp));
	fz_resp_problem(resp, err, instance);
	assert_non_null(resp->body);
	assert_non_null(resp->content_type);
	assert_int_equal(strncmp(resp->content_type, "application/problem+json", 24), 0);
	assert_int_equal(strlen(resp->body), resp->len);
	fz_err_init(&perr);
	doc = fz_json_parse(resp->body, resp->len, 8, &perr);
	assert_non_null(doc);
	return doc;
}

static void problem_names_code_field_and_title(void **state)
{
	struct fz_resp resp;
	struct fz_err err;
	int64_t status = 0;
	cJSON *doc;

	fz_err_init(&err);
	fz_err_set(&err, FZ_EINVAL, "unknown_field", "nmae", "nmae: 未知字段");
	doc = problem(&err, "/api/v1/users", &resp);
	assert_int_equal(resp.status, 400);
	assert_true(fz_json_int(doc, "status", &status));
	assert_int_equal(status, 400);
	assert_string_equal(fz_json_str(doc, "code"), "unknown_field");
	assert_string_equal(fz_json_str(doc, "field"), "nmae");
	assert_string_equal(fz_json_str(doc, "title"), "未知字段");
	assert_string_equal(fz_json_str(doc, "detail"), "nmae: 未知字段");
	assert_string_equal(fz_json_str(doc, "type"), "/problems/unknown_field");
	assert_string_equal(fz_json_str(doc, "instance"), "/api/v1/users");
	assert_null(cJSON_GetObjectItemCaseSensitive(doc, "retry_after"));
	cJSON_Delete(doc);
	free(resp.body);
}

static void problem_without_field_has_null_field(void **state)
{
	struct fz_resp resp;
	struct fz_err err;
	cJSON *doc;

	fz_err_init(&err);
	fz_err_set(&err, FZ_ENOTFOUND, NULL, NULL, "用户 9 不存在");
	doc = problem(&err, NULL, &resp);
	assert_int_equal(resp.status, 404);
	assert_string_equal(fz_json_str(doc, "code"), "not_found");
	assert_string_equal(fz_json_str(doc, "title"), "对象不存在");
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(doc, "field")));
	assert_null(cJSON_GetObjectItemCaseSensitive(doc, "instance"));
	cJSON_Delete(doc);
	free(resp.body);
}

static void problem_for_locked_has_retry_after(void **state)
{
	struct fz_resp resp;
	struct fz_err err;
	int64_t retry = 0;
	cJSON *doc;

	fz_err_init(&err);
	fz_err_set(&err, FZ_ELOCKED, NULL, "password", "账号已锁定，请 900 秒后再试");
	err.retry_after = 900;
	doc = problem(&err, "/api/v1/sessions", &resp);
	assert_int_equal(resp.status, 429);
	assert_string_equal(fz_json_str(doc, "code"), "locked");
	assert_string_equal(fz_json_str(doc, "title"), "账号已临时锁定");
	assert_true(fz_json_int(doc, "retry_after", &retry));
	assert_int_equal(retry, 900);
	cJSON_Delete(doc);
	free(resp.body);
}

static void problem_statuses_follow_codes(void **state)
{
	static const struct {
		int code, status;
		const char *machine;
	} cases[] = {
		{ FZ_EFORBIDDEN, 403, "forbidden" }, { FZ_ECONFLICT, 409, "conflict" },
		{ FZ_ETOOBIG, 413, "too_big" },	     { FZ_EUNAUTH, 401, "unauthorized" },
		{ FZ_ESTORE, 500, "store_error" },   { -ENOENT, 500, "internal" },
	};
	struct fz_resp resp;
	struct fz_err err;
	int64_t status;
	cJSON *doc;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fz_err_init(&err);
		fz_err_set(&err, cases[i].code, NULL, NULL, "x");
		doc = problem(&err, NULL, &resp);
		assert_int_equal(resp.status, cases[i].status);
		assert_true(fz_json_int(doc, "status", &status));
		assert_int_equal(status, cases[i].status);
		assert_string_equal(fz_json_str(doc, "code"), cases[i].machine);
		cJSON_Delete(doc);
		free(resp.body);
	}
}

static void problem_of_empty_err_is_internal(void **state)
{
	/* a handler that failed without filling err still gets a 500, not a 200 */
	struct fz_resp resp;
	struct fz_err err;
	cJSON *doc;

	fz_err_init(&err);
	doc = problem(&err, NULL, &resp);
	assert_int_equal(resp.status, 500);
	assert_string_equal(fz_json_str(doc, "code"), "internal");
	assert_string_equal(fz_json_str(doc, "title"), "内部错误");
	assert_string_equal(fz_json_str(doc, "detail"), "内部错误");
	cJSON_Delete(doc);
	free(resp.body);
}

static void every_machine_code_has_its_own_title(void **state)
{
	/* the machine codes that src/ sets; each needs a specific Chinese
	 * title, not the generic fallback */
	static const char *machines[] = {
		"invalid_field", "unknown_field", "missing_field",    "malformed_json",
		"weak_password", "not_found",	  "forbidden",	      "conflict",
		"too_big",	 "unauthorized",  "locked",	      "store_error",
		"wrong_version", "internal",	  "account_disabled",
	};
	const char *fallback = fz_err_title("no_such_machine_code");

	for (size_t i = 0; i < sizeof(machines) / sizeof(machines[0]); i++)
		if (strcmp(fz_err_title(machines[i]), fallback) == 0)
			fail_msg("machine code %s has no title", machines[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(literal_routes_match_exactly),
		cmocka_unit_test(params_are_captured),
		cmocka_unit_test(trailing_slash_does_not_match),
		cmocka_unit_test(extra_segments_do_not_match),
		cmocka_unit_test(empty_param_does_not_match),
		cmocka_unit_test(problem_names_code_field_and_title),
		cmocka_unit_test(problem_without_field_has_null_field),
		cmocka_unit_test(problem_for_locked_has_retry_after),
		cmocka_unit_test(problem_statuses_follow_codes),
		cmocka_unit_test(problem_of_empty_err_is_internal),
		cmocka_unit_test(every_machine_code_has_its_own_title),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

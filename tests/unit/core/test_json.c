/* Unit tests of core/json: parse limits, field checks, UTF-8 validation. */
#include "support.h"

#include "core/err.h"
#include "core/json.h"

#include <stdlib.h>
#include <string.h>

static const struct fz_json_field spec[] = {
	{ "name", FZ_JSON_STRING, 1, 8, "1-8 字节的名称" },
	{ "age", FZ_JSON_INT, 0, 0, "整数" },
	{ "active", FZ_JSON_BOOL, 0, 0, "true 或 false" },
	{ "tags", FZ_JSON_STRINGS, 0, 2, "最多 2 个字符串" },
	{ "meta", FZ_JSON_OBJECT, 0, 0, "对象" },
	{ "phone", FZ_JSON_NULLABLE_STRING, 0, 0, "字符串或 null" },
	{ NULL, 0, 0, 0, NULL },
};

/* Parses text (must succeed) and runs fz_json_check; returns its code. */
static int check_text(const char *text, struct fz_err *err)
{
	struct fz_err perr;
	cJSON *obj;
	int rc;

	fz_err_init(&perr);
	fz_err_init(err);
	obj = fz_json_parse(text, strlen(text), 8, &perr);
	if (!obj)
		fail_msg("parse of %s failed: %s", text, perr.msg);
	rc = fz_json_check(obj, spec, err);
	cJSON_Delete(obj);
	return rc;
}

/* "[[[...]]]" nested depth deep; caller frees. */
static char *nested(int depth)
{
	char *s = malloc((size_t)depth * 2 + 1);

	for (int i = 0; i < depth; i++) {
		s[i] = '[';
		s[depth * 2 - 1 - i] = ']';
	}
	s[depth * 2] = '\0';
	return s;
}

static void parse_accepts_depth_at_limit(void **state)
{
	char *s = nested(16);
	struct fz_err err;
	cJSON *t;

	fz_err_init(&err);
	t = fz_json_parse(s, strlen(s), 16, &err);
	assert_non_null(t);
	assert_int_equal(err.code, 0);
	cJSON_Delete(t);
	free(s);
}

static void parse_refuses_depth_past_limit(void **state)
{
	char *s = nested(17);
	struct fz_err err;

	fz_err_init(&err);
	assert_null(fz_json_parse(s, strlen(s), 16, &err));
	assert_int_equal(err.code, FZ_ETOOBIG);
	assert_string_equal(err.machine, "too_big");
	free(s);
}

static void parse_ignores_brackets_inside_strings(void **state)
{
	const char *s = "{\"a\":\"[[[[{{{{\\\"[[[[\"}";
	struct fz_err err;
	cJSON *t;

	fz_err_init(&err);
	t = fz_json_parse(s, strlen(s), 1, &err);
	assert_non_null(t);
	assert_string_equal(fz_json_str(t, "a"), "[[[[{{{{\"[[[[");
	cJSON_Delete(t);
}

static void parse_refuses_malformed_json(void **state)
{
	static const char *bad[] = { "{\"a\":}", "{\"a\" 1}",	       "[1,2", "{'a':1}", "",
				     "nul",	 "{\"a\":\"\\ud800\"}" };
	struct fz_err err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fz_err_init(&err);
		assert_null(fz_json_parse(bad[i], strlen(bad[i]), 8, &err));
		assert_int_equal(err.code, FZ_EINVAL);
		assert_string_equal(err.machine, "malformed_json");
	}
}

static void parse_refuses_trailing_garbage(void **state)
{
	const char *s = "{\"a\":1} x";
	struct fz_err err;

	fz_err_init(&err);
	assert_null(fz_json_parse(s, strlen(s), 8, &err));
	assert_int_equal(err.code, FZ_EINVAL);
	assert_string_equal(err.machine, "malformed_json");
	/* the message locates the garbage: byte 8 */
	assert_non_null(strstr(err.msg, "8"));

	fz_err_init(&err);
	s = "{\"a\":1}{\"b\":2}";
	assert_null(fz_json_parse(s, strlen(s), 8, &err));
	assert_string_equal(err.machine, "malformed_json");
}

static void parse_accepts_trailing_whitespace(void **state)
{
	const char *s = " {\"a\":1}\r\n\t ";
	struct fz_err err;
	int64_t v = 0;
	cJSON *t;

	fz_err_init(&err);
	t = fz_json_parse(s, strlen(s), 8, &err);
	assert_non_null(t);
	assert_true(fz_json_int(t, "a", &v));
	assert_int_equal(v, 1);
	cJSON_Delete(t);
}

static void parse_reads_only_len_bytes(void **state)
{
	/* not NUL-terminated after the value: the bytes past len are ignored */
	const char buf[] = { '{', '"', 'a', '"', ':', '2', '}', 'X', 'Y', 'Z' };
	struct fz_err err;
	int64_t v = 0;
	cJSON *t;

	fz_err_init(&err);
	t = fz_json_parse(buf, 7, 8, &err);
	assert_non_null(t);
	assert_true(fz_json_int(t, "a", &v));
	assert_int_equal(v, 2);
	cJSON_Delete(t);
}

static void check_accepts_valid_object(void **state)
{
	struct fz_err err;

	assert_int_equal(check_text("{\"name\":\"张三\",\"age\":30,\"active\":true,"
				    "\"tags\":[\"a\",\"b\"],\"meta\":{},\"phone\":null}",
				    &err),
			 0);
	assert_int_equal(err.code, 0);
}

static void check_names_unknown_field(void **state)
{
	struct fz_err err;

	assert_int_equal(check_text("{\"name\":\"a\",\"nmae\":\"b\"}", &err), FZ_EINVAL);
	assert_string_equal(err.machine, "unknown_field");
	assert_string_equal(err.field, "nmae");
	assert_non_null(strstr(err.msg, "nmae"));
}

static void check_names_missing_required_field(void **state)
{
	struct fz_err err;

	assert_int_equal(check_text("{\"age\":3}", &err), FZ_EINVAL);
	assert_string_equal(err.machine, "missing_field");
	assert_string_equal(err.field, "name");
	/* the message says what is expected */
	assert_non_null(strstr(err.msg, "1-8 字节的名称"));
}

static void check_refuses_wrong_types(void **state)
{
	static const struct {
		const char *text, *field;
	} cases[] = {
		{ "{\"name\":5}", "name" },
		{ "{\"name\":\"a\",\"age\":\"30\"}", "age" },
		{ "{\"name\":\"a\",\"age\":1.5}", "age" },
		{ "{\"name\":\"a\",\"active\":1}", "active" },
		{ "{\"name\":\"a\",\"tags\":\"x\"}", "tags" },
		{ "{\"name\":\"a\",\"tags\":[\"x\",3]}", "tags" },
		{ "{\"name\":\"a\",\"meta\":[]}", "meta" },
		{ "{\"name\":null}", "name" },
		{ "{\"name\":\"a\",\"phone\":7}", "phone" },
	};
	struct fz_err err;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(check_text(cases[i].text, &err), FZ_EINVAL);
		assert_string_equal(err.field, cases[i].field);
		assert_string_equal(err.machine, "invalid_field");
	}
}

static void check_refuses_non_object(void **state)
{
	struct fz_err err;

	assert_int_equal(check_text("[{\"name\":\"a\"}]", &err), FZ_EINVAL);
	assert_int_equal(check_text("\"name\"", &err), FZ_EINVAL);
}

static void check_refuses_too_long(void **state)
{
	struct fz_err err;

	/* 8 bytes is the limit: "abcdefgh" passes, 9 bytes do not */
	assert_int_equal(check_text("{\"name\":\"abcdefgh\"}", &err), 0);
	assert_int_equal(check_text("{\"name\":\"abcdefghi\"}", &err), FZ_EINVAL);
	assert_string_equal(err.field, "name");
	/* bytes, not characters: 3 Chinese characters are 9 bytes */
	assert_int_equal(check_text("{\"name\":\"张三丰\"}", &err), FZ_EINVAL);
	assert_string_equal(err.field, "name");
	/* arrays: items */
	assert_int_equal(check_text("{\"name\":\"a\",\"tags\":[\"a\",\"b\",\"c\"]}", &err),
			 FZ_EINVAL);
	assert_string_equal(err.field, "tags");
}

static void check_refuses_duplicate_keys(void **state)
{
	struct fz_err err;

	assert_int_equal(check_text("{\"name\":\"a\",\"age\":1,\"name\":\"b\"}", &err), FZ_EINVAL);
	assert_string_equal(err.field, "name");
}

static void check_refuses_invalid_utf8(void **state)
{
	struct fz_err err;

	/* overlong "/" passes cJSON untouched: the check must catch it */
	assert_int_equal(check_text("{\"name\":\"\xC0\xAF\"}", &err), FZ_EINVAL);
	assert_string_equal(err.field, "name");
	assert_int_equal(check_text("{\"name\":\"a\",\"tags\":[\"\xFF\"]}", &err), FZ_EINVAL);
	assert_string_equal(err.field, "tags");
}

static void check_refuses_control_characters(void **state)
{
	struct fz_err err;

	assert_int_equal(check_text("{\"name\":\"a\\u0001b\"}", &err), FZ_EINVAL);
	assert_string_equal(err.field, "name");
	assert_int_equal(check_text("{\"name\":\"a\\rb\"}", &err), FZ_EINVAL);
	assert_string_equal(err.field, "name");
	/* tab and newline are allowed */
	assert_int_equal(check_text("{\"name\":\"a\\tb\\n\"}", &err), 0);
}

static void check_refuses_nul_escape(void **state)
{
	/* "\u0000" is a C0 control too; it must not silently cut the string
	 * ("admin\u0000x" would otherwise be stored as "admin") */
	static const char text[] = "{\"name\":\"ad\\u0000x\"}";
	struct fz_err err;

	fz_err_init(&err);
	assert_null(fz_json_parse(text, strlen(text), 8, &err));
	assert_int_equal(err.code, FZ_EINVAL);
	assert_non_null(strstr(err.msg, "\\u0000"));
	/* an escaped backslash before u0000 is not a NUL */
	static const char escaped[] = "{\"name\":\"a\\\\u0000\"}";
	cJSON *ok;

	fz_err_init(&err);
	ok = fz_json_parse(escaped, strlen(escaped), 8, &err);
	assert_non_null(ok);
	cJSON_Delete(ok);
}

static void utf8_accepts_valid_text(void **state)
{
	assert_true(fz_json_utf8_ok("", 0));
	assert_true(fz_json_utf8_ok("plain ascii\twith tab\n", 21));
	assert_true(fz_json_utf8_ok("金华市婺城区", strlen("金华市婺城区")));
	assert_true(fz_json_utf8_ok("\xC2\x80", 2));	     /* U+0080 */
	assert_true(fz_json_utf8_ok("\xE0\xA0\x80", 3));     /* U+0800 */
	assert_true(fz_json_utf8_ok("\xED\x9F\xBF", 3));     /* U+D7FF */
	assert_true(fz_json_utf8_ok("\xEE\x80\x80", 3));     /* U+E000 */
	assert_true(fz_json_utf8_ok("\xF0\x90\x80\x80", 4)); /* U+10000 */
	assert_true(fz_json_utf8_ok("\xF4\x8F\xBF\xBF", 4)); /* U+10FFFF */
	assert_true(fz_json_utf8_ok("\xF0\x9F\x98\x80", 4)); /* emoji */
	/* only len bytes are looked at */
	assert_true(fz_json_utf8_ok("ab\x01", 2));
}

static void utf8_refuses_overlong_encodings(void **state)
{
	assert_false(fz_json_utf8_ok("\xC0\xAF", 2));	      /* "/" in 2 */
	assert_false(fz_json_utf8_ok("\xC1\xBF", 2));	      /* U+7F in 2 */
	assert_false(fz_json_utf8_ok("\xE0\x80\xAF", 3));     /* "/" in 3 */
	assert_false(fz_json_utf8_ok("\xE0\x9F\xBF", 3));     /* U+7FF in 3 */
	assert_false(fz_json_utf8_ok("\xF0\x80\x80\xAF", 4)); /* "/" in 4 */
	assert_false(fz_json_utf8_ok("\xF0\x8F\xBF\xBF", 4)); /* U+FFFF in 4 */
	assert_false(fz_json_utf8_ok("\xC0\x80", 2));	      /* NUL in 2 */
}

static void utf8_refuses_surrogates_and_out_of_range(void **state)
{
	assert_false(fz_json_utf8_ok("\xED\xA0\x80", 3));	      /* U+D800 */
	assert_false(fz_json_utf8_ok("\xED\xBF\xBF", 3));	      /* U+DFFF */
	assert_false(fz_json_utf8_ok("\xED\xA0\xBD\xED\xB8\x80", 6)); /* CESU pair */
	assert_false(fz_json_utf8_ok("\xF4\x90\x80\x80", 4));	      /* U+110000 */
	assert_false(fz_json_utf8_ok("\xF8\x88\x80\x80\x80", 5));     /* 5-byte form */
}

static void utf8_refuses_broken_sequences(void **state)
{
	assert_false(fz_json_utf8_ok("\x80", 1));	  /* lone continuation */
	assert_false(fz_json_utf8_ok("\xE4\xB8", 2));	  /* truncated 中 */
	assert_false(fz_json_utf8_ok("\xE4\xB8\xAD", 2)); /* cut by len */
	assert_false(fz_json_utf8_ok("\xE4"
				     "a\xAD",
				     3)); /* not a continuation */
	assert_false(fz_json_utf8_ok("\xFF", 1));
	assert_false(fz_json_utf8_ok("a\x01", 2));
	assert_false(fz_json_utf8_ok("a\x1F", 2));
	assert_false(fz_json_utf8_ok("a\x1B[31m", 6)); /* terminal escape */
}

static void getters_read_typed_members(void **state)
{
	const char *s = "{\"s\":\"x\",\"i\":42,\"f\":1.5,\"b\":false,\"n\":null}";
	struct fz_err err;
	int64_t i = -1;
	int b = -1;
	cJSON *t;

	fz_err_init(&err);
	t = fz_json_parse(s, strlen(s), 8, &err);
	assert_non_null(t);
	assert_string_equal(fz_json_str(t, "s"), "x");
	assert_null(fz_json_str(t, "i"));
	assert_null(fz_json_str(t, "missing"));
	assert_true(fz_json_int(t, "i", &i));
	assert_int_equal(i, 42);
	assert_false(fz_json_int(t, "f", &i));
	assert_false(fz_json_int(t, "s", &i));
	assert_true(fz_json_bool(t, "b", &b));
	assert_int_equal(b, 0);
	assert_false(fz_json_bool(t, "n", &b));
	cJSON_Delete(t);
}

/* A pack's definition file: errors name the file, the pointer and the form. */
static void file_errors_name_file_and_pointer(void **state)
{
	struct fz_err err;
	cJSON *t = (cJSON *)1;
	char *deep = nested(9);

	fz_err_init(&err);
	assert_int_equal(fz_json_file_err(&err, "invalid_rule", "rules/a.json", "/window",
					  "“%s”不是时长", "3 天"),
			 FZ_EINVAL);
	assert_string_equal(err.machine, "invalid_rule");
	assert_string_equal(err.field, "/window");
	assert_string_equal(err.msg, "rules/a.json: /window: “3 天”不是时长");

	fz_err_init(&err);
	assert_int_equal(fz_json_parse_file("types/b.json", "{\"a\":", 5, 16, "invalid_definition",
					    &t, &err),
			 FZ_EINVAL);
	assert_null(t);
	assert_string_equal(err.machine, "invalid_definition");
	assert_string_equal(err.field, "");
	assert_non_null(strstr(err.msg, "types/b.json: "));
	assert_non_null(strstr(err.msg, "JSON"));

	fz_err_init(&err);
	assert_int_equal(fz_json_parse_file("routes.json", deep, strlen(deep), 8, "invalid_routes",
					    &t, &err),
			 FZ_ETOOBIG);
	assert_non_null(strstr(err.msg, "routes.json: "));
	free(deep);

	assert_int_equal(fz_json_parse_file("c.json", "{}", 2, 8, "x", &t, &err), 0);
	assert_non_null(t);
	cJSON_Delete(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_accepts_depth_at_limit),
		cmocka_unit_test(parse_refuses_depth_past_limit),
		cmocka_unit_test(parse_ignores_brackets_inside_strings),
		cmocka_unit_test(parse_refuses_malformed_json),
		cmocka_unit_test(parse_refuses_trailing_garbage),
		cmocka_unit_test(parse_accepts_trailing_whitespace),
		cmocka_unit_test(parse_reads_only_len_bytes),
		cmocka_unit_test(file_errors_name_file_and_pointer),
		cmocka_unit_test(check_accepts_valid_object),
		cmocka_unit_test(check_names_unknown_field),
		cmocka_unit_test(check_names_missing_required_field),
		cmocka_unit_test(check_refuses_wrong_types),
		cmocka_unit_test(check_refuses_non_object),
		cmocka_unit_test(check_refuses_too_long),
		cmocka_unit_test(check_refuses_duplicate_keys),
		cmocka_unit_test(check_refuses_invalid_utf8),
		cmocka_unit_test(check_refuses_control_characters),
		cmocka_unit_test(check_refuses_nul_escape),
		cmocka_unit_test(utf8_accepts_valid_text),
		cmocka_unit_test(utf8_refuses_overlong_encodings),
		cmocka_unit_test(utf8_refuses_surrogates_and_out_of_range),
		cmocka_unit_test(utf8_refuses_broken_sequences),
		cmocka_unit_test(getters_read_typed_members),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

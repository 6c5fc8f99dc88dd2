/* Unit tests of cases/casetype: the shipped packs compile, broken ones are
 * refused naming the file and the JSON pointer. */
#include "support.h"

#include "cases/casetype.h"
#include "core/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *rel, size_t *len)
{
	char *path = ts_source(rel), *text;
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = malloc((size_t)n + 1);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	text[n] = '\0';
	fclose(f);
	free(path);
	*len = (size_t)n;
	return text;
}

static struct fz_casetype *compile_shipped(const char *pack)
{
	char rel[128];
	struct fz_casetype *t = NULL;
	struct fz_err err;
	size_t len;
	char *text;

	snprintf(rel, sizeof(rel), "apps/%s/case-types/%s.json", pack, pack);
	text = slurp(rel, &len);
	fz_err_init(&err);
	if (fz_casetype_compile(pack, rel, text, len, &t, &err))
		fail_msg("%s", err.msg);
	free(text);
	return t;
}

static void shipped_packs_compile(void **state)
{
	static const char *const packs[] = { "dispute", "xingxing", "legality", "minor" };

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		struct fz_casetype *t = compile_shipped(packs[i]);
		assert_string_equal(t->type, packs[i]);
		assert_true(t->nstates >= 4);
		assert_true(t->ntransitions >= 3);
		assert_true(t->nclocks >= 1);
		for (int k = 0; k < t->nclocks; k++)
			assert_true(strlen(t->clocks[k].basis) >
				    10); /* every clock names its law */
		fz_casetype_free(t);
	}
}

static void xingxing_encodes_decree_310(void **state)
{
	struct fz_casetype *t = compile_shipped("xingxing");
	int tr = fz_casetype_transition(t, "transfer");
	int k;

	(void)state;
	assert_true(tr >= 0);
	assert_int_equal(t->transitions[tr].kind, FZ_TR_HANDOFF);
	assert_int_equal(t->transitions[tr].ndocs, 4); /* 移送书, 调查报告, 物品清单, 检验报告 */
	for (k = 0; k < t->nclocks && strcmp(t->clocks[k].name, "transfer"); k++)
		;
	assert_int_equal(t->clocks[k].amount, 24);
	assert_int_equal(t->clocks[k].unit, FZ_CLOCK_HOURS);
	assert_non_null(strstr(t->clocks[k].basis, "第五条"));
	assert_string_equal(t->observer_kinds[0], "procuratorate");
	fz_casetype_free(t);
}

static void expect_error(const char *text, const char *pointer, const char *words)
{
	struct fz_casetype *t = NULL;
	struct fz_err err;

	fz_err_init(&err);
	assert_int_equal(
		fz_casetype_compile("p", "apps/p/case-types/x.json", text, strlen(text), &t, &err),
		FZ_EINVAL);
	assert_null(t);
	assert_string_equal(err.field, pointer);
	assert_non_null(strstr(err.msg, "apps/p/case-types/x.json"));
	if (!strstr(err.msg, words))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, words);
}

#define BASE                                                                                       \
	"\"type\":\"t\",\"title\":\"T\",\"code_prefix\":\"T\","                                    \
	"\"fields\":[{\"name\":\"a\",\"title\":\"A\",\"type\":\"string\"}],"                       \
	"\"states\":[{\"name\":\"s1\",\"title\":\"S1\",\"initial\":true},"                         \
	"{\"name\":\"s2\",\"title\":\"S2\",\"final\":true}]"

static void broken_definitions_name_the_pointer(void **state)
{
	(void)state;
	expect_error("{" BASE
		     ",\"transitions\":[{\"name\":\"go\",\"title\":\"Go\",\"from\":[\"s1\"],"
		     "\"to\":\"nowhere\",\"roles\":[\"handler\"]}]}",
		     "/transitions/0", "nowhere");
	expect_error("{" BASE
		     ",\"transitions\":[{\"name\":\"go\",\"title\":\"Go\",\"from\":[\"s1\","
		     "\"s9\"],\"to\":\"s2\",\"roles\":[\"handler\"]}]}",
		     "/transitions/0/from/1", "s9");
	expect_error("{" BASE
		     ",\"transitions\":[{\"name\":\"go\",\"title\":\"Go\",\"from\":[\"s1\"],"
		     "\"to\":\"s2\",\"roles\":[\"judge\"]}]}",
		     "/transitions/0", "judge");
	expect_error(
		"{" BASE ",\"transitions\":[{\"name\":\"go\",\"title\":\"Go\",\"from\":[\"s1\"],"
		"\"to\":\"s2\",\"roles\":[\"handler\"]}],\"clocks\":[{\"name\":\"k\",\"title\":"
		"\"K\",\"states\":[\"s1\"],\"amount\":3,\"unit\":\"weeks\",\"basis\":\"某法\"}]}",
		"/clocks/0", "weeks");
	expect_error("{" BASE
		     ",\"transitions\":[{\"name\":\"go\",\"title\":\"Go\",\"from\":[\"s1\"],"
		     "\"to\":\"s2\",\"roles\":[\"handler\"],\"colour\":\"red\"}]}",
		     "/transitions/0/colour", "colour");
	expect_error(
		"{" BASE ",\"transitions\":[{\"name\":\"go\",\"title\":\"Go\",\"from\":[\"s1\"],"
		"\"to\":\"s2\",\"roles\":[\"handler\"]}],\"clocks\":[{\"name\":\"k\",\"title\":"
		"\"K\",\"states\":[\"s1\"],\"amount\":3,\"unit\":\"days\"}]}",
		"/clocks/0/basis", "必填");
	expect_error("{\"type\":\"t\",", "", "JSON");
}

static void field_values_are_checked(void **state)
{
	struct fz_casetype *t = compile_shipped("dispute");
	struct fz_err err;
	cJSON *v;

	(void)state;
	v = cJSON_Parse("{\"summary\":\"漏水\",\"parties\":\"甲、乙\",\"category\":\"neighbour\"}");
	fz_err_init(&err);
	assert_int_equal(fz_casetype_check_fields(t, v, 1, &err), 0);
	cJSON_Delete(v);
	v = cJSON_Parse("{\"summary\":\"漏水\",\"parties\":\"甲\",\"category\":\"war\"}");
	assert_int_equal(fz_casetype_check_fields(t, v, 1, &err), FZ_EINVAL);
	assert_string_equal(err.field, "fields/category");
	cJSON_Delete(v);
	v = cJSON_Parse("{\"summary\":\"漏水\",\"category\":\"family\"}");
	fz_err_init(&err);
	assert_int_equal(fz_casetype_check_fields(t, v, 1, &err), FZ_EINVAL);
	assert_string_equal(err.field, "fields/parties");
	cJSON_Delete(v);
	v = cJSON_Parse("{\"contact_phone\":\"12\"}");
	fz_err_init(&err);
	assert_int_equal(fz_casetype_check_fields(t, v, 0, &err), FZ_EINVAL);
	cJSON_Delete(v);
	v = cJSON_Parse("{\"amount\":-5}");
	fz_err_init(&err);
	assert_int_equal(fz_casetype_check_fields(t, v, 0, &err), FZ_EINVAL);
	assert_string_equal(err.field, "fields/amount");
	cJSON_Delete(v);
	fz_casetype_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shipped_packs_compile),
		cmocka_unit_test(xingxing_encodes_decree_310),
		cmocka_unit_test(broken_definitions_name_the_pointer),
		cmocka_unit_test(field_values_are_checked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

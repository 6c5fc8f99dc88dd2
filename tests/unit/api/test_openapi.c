/*
 * docs/openapi.json documents exactly the route table (src/api/routes.c):
 * every row is there with its summary and the right security, no operation
 * in the document lacks a row, and every $ref resolves inside components.
 *
 * FAZHI_OPENAPI names another document to check (to see the test fail on a
 * doctored copy); by default it is docs/openapi.json of the source tree.
 */
#include "support.h"

#include "api/app.h"
#include "core/err.h"
#include "core/json.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_DOC	  (4u << 20)
#define MAX_DEPTH 64

static const char *const http_methods[] = {
	"get", "put", "post", "delete", "options", "head", "patch", "trace", NULL,
};

/* The whole file at path, NUL-terminated, its length in *len; caller frees. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *text = malloc(MAX_DOC + 1);

	if (!f || !text)
		fail_msg("cannot open %s", path);
	*len = fread(text, 1, MAX_DOC + 1, f);
	fclose(f);
	if (*len > MAX_DOC)
		fail_msg("%s is larger than %u bytes", path, MAX_DOC);
	text[*len] = '\0';
	return text;
}

static int load_doc(void **state)
{
	const char *env = getenv("FAZHI_OPENAPI");
	char *path = env && env[0] ? strdup(env) : ts_source("docs/openapi.json");
	struct fz_err err;
	size_t len;
	char *text = slurp(path, &len);
	cJSON *doc;

	fz_err_init(&err);
	doc = fz_json_parse(text, len, MAX_DEPTH, &err);
	if (!doc)
		fail_msg("%s: %s", path, err.msg);
	free(text);
	free(path);
	*state = doc;
	return 0;
}

static int free_doc(void **state)
{
	cJSON_Delete(*state);
	return 0;
}

static const cJSON *member(const cJSON *obj, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(obj, name);
}

/* The lower-case method of a row ("GET" -> "get") into out. */
static void lower(const char *method, char *out, size_t size)
{
	size_t i = 0;

	for (; method[i] && i + 1 < size; i++)
		out[i] = (char)tolower((unsigned char)method[i]);
	out[i] = '\0';
}

/* NULL when op's security suits roles, else what is wrong. */
static const char *security_problem(const cJSON *op, unsigned roles)
{
	const cJSON *sec = member(op, "security"), *req;

	if (!cJSON_IsArray(sec))
		return "no security array";
	if (roles == FZ_PUBLIC && cJSON_GetArraySize(sec) != 0)
		return "public route must declare security: []";
	if (roles == FZ_PUBLIC)
		return NULL;
	req = cJSON_GetArrayItem(sec, 0);
	if (cJSON_GetArraySize(sec) != 1 || !cJSON_IsObject(req) || cJSON_GetArraySize(req) != 1 ||
	    !cJSON_IsArray(member(req, "bearer")))
		return "signed-in route must declare security: [{\"bearer\": []}]";
	return NULL;
}

/* Counts (and prints) what is wrong with the document's entry for row r. */
static int check_row(const cJSON *paths, const struct fz_route *r)
{
	const cJSON *item = member(paths, r->pattern), *op, *summary;
	const char *why;
	char method[16];

	lower(r->method, method, sizeof(method));
	if (!cJSON_IsObject(item) || !cJSON_IsObject(op = member(item, method))) {
		print_error("%s %s: route missing from the OpenAPI document\n", r->method,
			    r->pattern);
		return 1;
	}
	summary = member(op, "summary");
	if (!cJSON_IsString(summary) || strcmp(summary->valuestring, r->summary) != 0) {
		print_error("%s %s: summary is \"%s\", the route table says \"%s\"\n", r->method,
			    r->pattern, cJSON_IsString(summary) ? summary->valuestring : "(none)",
			    r->summary);
		return 1;
	}
	if ((why = security_problem(op, r->roles))) {
		print_error("%s %s: %s\n", r->method, r->pattern, why);
		return 1;
	}
	return 0;
}

static void every_route_is_documented(void **state)
{
	const cJSON *paths = member(*state, "paths");
	int bad = 0;

	assert_true(cJSON_IsObject(paths));
	assert_true(fz_api_nroutes > 0);
	for (size_t i = 0; i < fz_api_nroutes; i++)
		bad += check_row(paths, &fz_api_routes[i]);
	if (bad)
		fail_msg("%d route(s) of fz_api_routes wrongly documented (see above)", bad);
}

static int is_method(const char *key)
{
	for (const char *const *m = http_methods; *m; m++)
		if (strcmp(*m, key) == 0)
			return 1;
	return 0;
}

static int in_table(const char *method, const char *pattern)
{
	for (size_t i = 0; i < fz_api_nroutes; i++)
		if (strcasecmp(fz_api_routes[i].method, method) == 0 &&
		    strcmp(fz_api_routes[i].pattern, pattern) == 0)
			return 1;
	return 0;
}

static void document_has_no_phantom_routes(void **state)
{
	const cJSON *paths = member(*state, "paths");
	int bad = 0, seen = 0;

	assert_true(cJSON_IsObject(paths));
	for (const cJSON *item = paths->child; item; item = item->next) {
		for (const cJSON *op = item->child; op; op = op->next) {
			if (!is_method(op->string))
				continue;
			seen++;
			if (in_table(op->string, item->string))
				continue;
			print_error("%s %s: documented but not in the route table\n", op->string,
				    item->string);
			bad++;
		}
	}
	if (bad)
		fail_msg("%d phantom operation(s) in the OpenAPI document (see above)", bad);
	assert_true(seen > 0);
}

/* The node at a local reference "#/components/...", NULL if none. */
static const cJSON *resolve(const cJSON *doc, const char *ref)
{
	const cJSON *node = doc;
	char seg[256];

	if (strncmp(ref, "#/components/", 13) != 0)
		return NULL;
	for (const char *p = ref + 1; *p == '/' && node;) {
		size_t n = 0;
		for (p++; *p && *p != '/' && n + 1 < sizeof(seg); p++) {
			if (p[0] == '~' && (p[1] == '0' || p[1] == '1'))
				seg[n++] = *++p == '0' ? '~' : '/';
			else
				seg[n++] = *p;
		}
		seg[n] = '\0';
		node = cJSON_IsObject(node) ? member(node, seg) : NULL;
	}
	return cJSON_IsObject(node) ? node : NULL;
}

/* Appends "/" and key to where as a JSON pointer segment (~ and / escaped). */
static void append_key(char *where, size_t size, const char *key)
{
	size_t n = strlen(where);

	if (n + 1 < size)
		where[n++] = '/';
	for (; *key && n + 2 < size; key++) {
		if (*key == '~' || *key == '/') {
			where[n++] = '~';
			where[n++] = *key == '~' ? '0' : '1';
		} else {
			where[n++] = *key;
		}
	}
	where[n] = '\0';
}

/* 0 if ref (a "$ref" member found at where) resolves, else 1 after saying so. */
static int check_ref(const cJSON *doc, const cJSON *ref, const char *where)
{
	const char *target = cJSON_IsString(ref) ? ref->valuestring : "(not a string)";

	if (cJSON_IsString(ref) && resolve(doc, target))
		return 0;
	print_error("%s: $ref %s does not resolve to a components entry\n", where, target);
	return 1;
}

/* Counts (and prints) the $refs under node that do not resolve; where is its path. */
static int check_refs(const cJSON *doc, const cJSON *node, char *where, size_t size)
{
	size_t len = strlen(where);
	int bad = 0;

	for (const cJSON *child = node->child; child; child = child->next) {
		if (child->string && strcmp(child->string, "$ref") == 0) {
			bad += check_ref(doc, child, where);
			continue;
		}
		append_key(where, size, child->string ? child->string : "[]");
		bad += check_refs(doc, child, where, size);
		where[len] = '\0';
	}
	return bad;
}

static void every_ref_resolves(void **state)
{
	const cJSON *schemas = member(member(*state, "components"), "schemas");
	char where[1024] = "#";
	int bad;

	assert_true(cJSON_IsObject(schemas));
	assert_non_null(resolve(*state, "#/components/schemas/Problem"));
	assert_null(resolve(*state, "#/components/schemas/NoSuchSchema"));
	bad = check_refs(*state, *state, where, sizeof(where));
	if (bad)
		fail_msg("%d $ref(s) do not resolve (see above)", bad);
}

static void info_names_the_api(void **state)
{
	const cJSON *info = member(*state, "info"), *v = member(*state, "openapi");

	assert_true(cJSON_IsString(v));
	assert_string_equal(v->valuestring, "3.1.0");
	assert_true(cJSON_IsString(member(info, "title")));
	assert_string_equal(member(info, "title")->valuestring, "fazhi API");
	assert_true(cJSON_IsString(member(info, "version")));
	assert_string_equal(member(info, "version")->valuestring, "0.1.0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(info_names_the_api),
		cmocka_unit_test(every_route_is_documented),
		cmocka_unit_test(document_has_no_phantom_routes),
		cmocka_unit_test(every_ref_resolves),
	};

	return cmocka_run_group_tests(tests, load_doc, free_doc);
}

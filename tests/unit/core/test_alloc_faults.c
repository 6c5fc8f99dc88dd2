/*
 * Faults on purpose: an allocator that fails the Nth allocation (SQLite's
 * test_malloc idea), installed under cJSON with fz_json_use_allocator. For
 * every N a request body is parsed and checked and a user is rendered into
 * a response; each failure must come back as NULL or FZ_ENOMEM, never as a
 * crash, a leak (AddressSanitizer watches) or a response with members
 * missing, and from some N on everything succeeds.
 */
#include "support.h"

#include "api/app.h"
#include "core/err.h"
#include "core/json.h"
#include "http/http.h"

#include <stdlib.h>
#include <string.h>

static long countdown = -1; /* allocations left before failing; -1: never */

static void *failing_malloc(size_t n)
{
	if (countdown == 0)
		return NULL;
	if (countdown > 0)
		countdown--;
	return malloc(n);
}

static const char body[] =
	"{\"username\":\"wang.wu\",\"display_name\":\"王五\",\"password\":\"Strong#Pass2026\","
	"\"unit_id\":16,\"roles\":[\"handler\",\"grid\"],\"phone\":\"13900001111\"}";

static const struct fz_json_field spec[] = {
	{ "username", FZ_JSON_STRING, 1, 63, "name" },
	{ "display_name", FZ_JSON_STRING, 1, 120, "name" },
	{ "password", FZ_JSON_STRING, 1, 256, "password" },
	{ "unit_id", FZ_JSON_INT, 1, 0, "id" },
	{ "roles", FZ_JSON_STRINGS, 1, 6, "roles" },
	{ "phone", FZ_JSON_STRING, 0, 11, "phone" },
	{ NULL, 0, 0, 0, NULL },
};

/* One round of what a request handler does with JSON. 1 if all succeeded. */
static int round_trip(void)
{
	struct fz_user u;
	struct fz_err err;
	struct fz_resp resp;
	cJSON *tree;
	int ok, rc;

	fz_err_init(&err);
	tree = fz_json_parse(body, strlen(body), 8, &err);
	if (!tree)
		return 0;
	ok = fz_json_check(tree, spec, &err) == 0;
	cJSON_Delete(tree);
	memset(&u, 0, sizeof(u));
	u.id = 42;
	u.roles = FZ_ROLE_HANDLER | FZ_ROLE_GRID;
	strcpy(u.username, "wang.wu");
	strcpy(u.display_name, "王五");
	strcpy(u.phone, "13900001111");
	memset(&resp, 0, sizeof(resp));
	rc = fz_resp_json(&resp, 200, fz_app_user_json(&u, 0));
	if (rc == 0) {
		/* a response that was sent is complete */
		assert_non_null(strstr(resp.body, "\"phone\":\"139****1111\""));
		assert_non_null(strstr(resp.body, "\"roles\":[\"handler\",\"grid\"]"));
		assert_non_null(strstr(resp.body, "\"last_login_at\":null"));
	} else {
		assert_int_equal(rc, FZ_ENOMEM);
		assert_null(resp.body);
	}
	free(resp.body);
	return ok && rc == 0;
}

static void every_allocation_failure_is_clean(void **state)
{
	long n;

	(void)state;
	fz_json_use_allocator(failing_malloc, free);
	for (n = 0; n < 10000; n++) {
		countdown = n;
		(void)fz_json_take_failures();
		if (round_trip())
			break;
	}
	countdown = -1;
	/* it took some allocations, and with enough of them it all worked */
	assert_true(n > 10);
	assert_true(n < 10000);
	assert_true(round_trip());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_allocation_failure_is_clean),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

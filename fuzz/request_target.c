/*
 * Fuzz driver: what a client controls in a request line and query string.
 * The input is split at the first NUL into a path and a parameter value; the
 * path is matched against every route of the real table, and the value goes
 * through each query-parameter parser (time, id, region code) and each
 * field validator (username, phone, password policy).
 */
#include "api/app.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/err.h"
#include "registry/region.h"
#include "registry/user.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_arena arena;
	struct fz_err err;
	const char *params[FZ_MAX_PARAMS];
	char *path, *value;
	int64_t v;
	size_t cut;

	if (size > 4096)
		return 0;
	path = malloc(size + 1);
	memcpy(path, data, size);
	path[size] = '\0';
	cut = strlen(path);
	value = cut < size ? path + cut + 1 : path + cut;
	fz_arena_init(&arena);
	for (size_t i = 0; i < fz_api_nroutes; i++)
		(void)fz_route_match(fz_api_routes[i].pattern, path, &arena, params);
	fz_err_init(&err);
	/* what the strict parser reads, the loose one reads the same */
	if (!fz_time_parse(value, &v)) {
		int64_t w = v + 1;
		if (fz_time_parse_loose(value, &w) || w != v)
			abort();
	} else {
		(void)fz_time_parse_loose(value, &v);
	}
	(void)fz_app_parse_id(value, "id", 0, &v, &err);
	(void)fz_region_code_ok(value);
	fz_err_init(&err);
	(void)fz_user_check_username(value, &err);
	fz_err_init(&err);
	(void)fz_user_check_phone(value, &err);
	fz_err_init(&err);
	(void)fz_user_check_password(value, path, 10, &err);
	fz_arena_release(&arena);
	free(path);
	return 0;
}

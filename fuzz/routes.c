/*
 * Fuzz driver: the routing-table parser (apps/<pack>/routes.json). Any bytes
 * must give a table or an error naming the file and a JSON pointer, never
 * a crash, a leak or a half-added table; a parsed table must look its
 * routes up by name.
 */
#include "core/err.h"
#include "dispatch/routing.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_routes t = { 0 };
	struct fz_err err;
	int rc;

	fz_err_init(&err);
	rc = fz_routes_parse(&t, "community", "community/routes.json", (const char *)data, size,
			     &err);
	if (rc) {
		if (t.n != 0 || !err.msg[0] || !strstr(err.msg, "community/routes.json"))
			abort();
	} else {
		for (size_t i = 0; i < t.n; i++)
			if (fz_routes_find(&t, t.r[i].event) != &t.r[i] || t.r[i].nto < 1)
				abort();
	}
	fz_routes_release(&t);
	return 0;
}

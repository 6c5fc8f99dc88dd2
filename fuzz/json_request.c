/*
 * Fuzz driver: request JSON decoding as the API does it. The input is a
 * request body; it is parsed with the depth limit and checked against the
 * user-creation field table (the widest one), then every accessor is used.
 * Nothing may crash, leak or read out of bounds, whatever the bytes.
 */
#include "core/err.h"
#include "core/json.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct fz_json_field spec[] = {
	{ "username", FZ_JSON_STRING, 1, 63, "name" },
	{ "display_name", FZ_JSON_STRING, 1, 120, "name" },
	{ "password", FZ_JSON_STRING, 1, 256, "password" },
	{ "unit_id", FZ_JSON_INT, 1, 0, "id" },
	{ "roles", FZ_JSON_STRINGS, 1, 6, "roles" },
	{ "scope", FZ_JSON_NULLABLE_STRING, 0, 12, "code" },
	{ "disabled", FZ_JSON_BOOL, 0, 0, "bool" },
	{ "extra", FZ_JSON_OBJECT, 0, 0, "object" },
	{ NULL, 0, 0, 0, NULL },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_err err;
	cJSON *tree;
	int64_t i;
	int b;

	fz_err_init(&err);
	if (size > 1 << 20)
		return 0;
	tree = fz_json_parse((const char *)data, size, 32, &err);
	if (!tree)
		return 0;
	if (fz_json_check(tree, spec, &err) == 0) {
		(void)fz_json_str(tree, "username");
		(void)fz_json_int(tree, "unit_id", &i);
		(void)fz_json_bool(tree, "disabled", &b);
	}
	free(fz_json_print(tree));
	cJSON_Delete(tree);
	return 0;
}

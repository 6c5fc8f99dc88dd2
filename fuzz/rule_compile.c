/*
 * Fuzz driver: the rule compiler (rules/rule.h) on a rule JSON and its Lua
 * source, as a pack or a backtest request hands them over. The input is the
 * JSON text, optionally followed by a line "--lua--" and the Lua text. A rule
 * that compiles is then fed a few records and explained, so that compiled
 * operator programs, windows and the Lua sandbox (instruction and memory
 * limits) run too. Nothing may crash, leak or hang, whatever the bytes.
 */
#include "core/err.h"
#include "core/json.h"
#include "rules/rule.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void feed(struct fz_rule *r)
{
	static const char *const bodies[] = {
		"{\"plate\":\"浙G1\",\"axles\":6,\"vehicle_kind\":\"truck\",\"gross_kg\":120000,"
		"\"station\":\"S1\",\"item\":\"dv_call\",\"person_id\":\"P\",\"k\":\"K\"}",
		"{\"plate\":\"浙G1\",\"axles\":2,\"vehicle_kind\":\"combination\",\"gross_kg\":1,"
		"\"station\":\"S2\",\"party_ids\":[\"A\",\"B\"],\"result\":\"failed\",\"k\":\"K\"}",
	};
	struct fz_err err;

	for (int i = 0; i < 6; i++) {
		cJSON *f = cJSON_Parse(bodies[i % 2]);
		struct fz_record rec = { .id = i + 1, .source = "s", .type = "t.a", .external_id = "x",
					 .at = 1767225600000LL + i * 3600000LL, .region = "",
					 .fields = f };
		fz_err_init(&err);
		fz_rule_eval(r, &rec, &err);
		cJSON_Delete(f);
	}
	cJSON_Delete(fz_rule_explain(r, "浙G1"));
	cJSON_Delete(fz_rule_explain(r, "K"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *sep;
	struct fz_rule *r = NULL;
	struct fz_err err;
	size_t jlen = size;
	const char *lua = NULL;
	size_t llen = 0;
	char *copy;

	if (size > 1 << 18)
		return 0;
	copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, text, size);
	copy[size] = '\0';
	sep = strstr(copy, "\n--lua--\n");
	if (sep) {
		jlen = (size_t)(sep - copy);
		lua = sep + 9;
		llen = size - jlen - 9;
	}
	fz_err_init(&err);
	if (fz_rule_compile("t", "rules/x.json", copy, jlen, "rules/x.lua", lua, llen, &r, &err) ==
	    0) {
		feed(r);
		fz_rule_free(r);
	}
	free(copy);
	return 0;
}

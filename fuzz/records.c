/*
 * Fuzz driver: NDJSON records validated against a record type (the shipped
 * overload.weighing and a family type, as JSON values and as the text
 * values of a CSV row). Nothing may crash or leak; a verdict holds together:
 * ok exactly when there is no reason, every reason has a code and a
 * message, an accepted record has its fields, a time and an external id,
 * and a location only inside China's bounds.
 */
#include "core/err.h"
#include "core/json.h"
#include "datahub/recordtype.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW 1772413200000LL

static const char weighing[] =
	"{\"type\":\"overload.weighing\",\"title\":\"称重\",\"external_id\":\"id\",\"time\":\"at\","
	"\"location\":{\"lon\":\"lon\",\"lat\":\"lat\",\"crs\":\"gcj02\"},"
	"\"fields\":{\"station\":{\"type\":\"string\",\"required\":true,\"max_length\":32,"
	"\"subject\":\"place\"},\"at\":{\"type\":\"time\",\"required\":true},"
	"\"plate\":{\"type\":\"plate\",\"required\":true,\"subject\":\"vehicle\"},"
	"\"axles\":{\"type\":\"int\",\"required\":true,\"min\":2,\"max\":8},"
	"\"vehicle_kind\":{\"type\":\"enum\",\"values\":{\"truck\":\"货车\",\"combination\":\"汽车列车\"}},"
	"\"single\":{\"type\":\"bool\"},\"gross_kg\":{\"type\":\"int\",\"min\":500},"
	"\"speed\":{\"type\":\"number\"},\"lon\":{\"type\":\"number\"},\"lat\":{\"type\":\"number\"}}}";
static const char family[] =
	"{\"type\":\"family.police\",\"title\":\"公安\",\"external_id\":\"id\",\"time\":\"at\","
	"\"fields\":{\"person_id\":{\"type\":\"id_number\",\"required\":true,\"subject\":\"person\"},"
	"\"others\":{\"type\":\"id_number\",\"many\":true,\"subject\":\"person\"},"
	"\"mobile\":{\"type\":\"mobile\"},\"org\":{\"type\":\"uscc\",\"subject\":\"organisation\"},"
	"\"at\":{\"type\":\"time\",\"required\":true},\"detail\":{\"type\":\"string\",\"max_length\":100}}}";

static struct fz_recordtype *types[2];

static void check(const struct fz_rt_result *r)
{
	if (r->ok != (r->nreasons == 0) || r->ok != (r->fields != NULL))
		abort();
	for (size_t i = 0; i < r->nreasons; i++)
		if (!r->reasons[i].code[0] || !r->reasons[i].msg[0])
			abort();
	if (r->ok && (!r->external_id[0] || !cJSON_IsObject(r->fields)))
		abort();
	if (r->has_location && (r->lon < 72 || r->lon > 137 || r->lat < 2 || r->lat > 55))
		abort();
	if (r->nsubjects > FZ_RT_MAX_SUBJECTS)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;

	if (!types[0]) {
		struct fz_err err;
		fz_err_init(&err);
		if (fz_recordtype_compile("overload", "w.json", weighing, strlen(weighing), &types[0],
					  &err) ||
		    fz_recordtype_compile("family", "f.json", family, strlen(family), &types[1], &err))
			abort();
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);
		cJSON *obj = fz_json_parse(p, len, 16, NULL);
		if (obj) {
			for (int t = 0; t < 2; t++)
				for (int text = 0; text < 2; text++) {
					struct fz_rt_result r;
					if (fz_recordtype_validate(types[t], obj, text, NOW, NULL, &r) == 0) {
						check(&r);
						fz_rt_result_release(&r);
					}
				}
			cJSON_Delete(obj);
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

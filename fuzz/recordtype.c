/*
 * Fuzz driver: the record-type compiler (apps/<pack>/record-types). Any
 * bytes as a definition: nothing may crash or leak; a refusal names the
 * file in its message and carries a JSON pointer; an accepted type has a
 * required time field among at most FZ_RT_MAX_FIELDS fields.
 */
#include "core/err.h"
#include "datahub/recordtype.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_recordtype *t = NULL;
	struct fz_err err;
	int rc;

	fz_err_init(&err);
	rc = fz_recordtype_compile("ov", "apps/ov/record-types/f.json", (const char *)data, size, &t,
				   &err);
	if (rc) {
		if (t || (rc == FZ_EINVAL && !strstr(err.msg, "apps/ov/record-types/f.json")))
			abort();
		return 0;
	}
	if (!t || t->nfields == 0 || t->nfields > FZ_RT_MAX_FIELDS || strncmp(t->type, "ov.", 3))
		abort();
	{
		int has_time = 0;
		for (size_t i = 0; i < t->nfields; i++)
			has_time |= !strcmp(t->fields[i].name, t->time) &&
				    t->fields[i].type == FZ_RT_TIME && t->fields[i].required;
		if (!has_time)
			abort();
	}
	fz_recordtype_free(t);
	return 0;
}

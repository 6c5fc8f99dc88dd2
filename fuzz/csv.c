/*
 * Fuzz driver: the RFC 4180 CSV reader (datahub/csv) that file imports and
 * POST /api/v1/records with text/csv go through. Any bytes: nothing may
 * crash or read out of bounds; every record's fields lie within the limit;
 * the reader always advances and ends.
 */
#include "core/err.h"
#include "datahub/csv.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_csv c;
	size_t records = 0;
	int r;

	fz_csv_init(&c, (const char *)data, size, 256);
	while ((r = fz_csv_next(&c)) != 0) {
		if (r == FZ_ENOMEM)
			break;
		if (r == 1) {
			size_t total = 0;
			if (c.nfields == 0 || c.nfields > FZ_CSV_MAX_FIELDS)
				abort();
			for (size_t i = 0; i < c.nfields; i++) {
				if (strlen(c.fields[i]) > c.lens[i])
					abort(); /* a NUL inside a field ends it early, never later */
				total += c.lens[i];
			}
			if (total > 256)
				abort();
		} else if (r != FZ_EINVAL && r != FZ_ETOOBIG) {
			abort();
		}
		if (c.record < (const char *)data || c.record + c.record_len > (const char *)data + size)
			abort();
		if (++records > size + 1)
			abort(); /* each call consumes input */
	}
	fz_csv_release(&c);
	return 0;
}

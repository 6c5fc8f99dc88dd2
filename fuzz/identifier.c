/*
 * Fuzz driver: identifier validation. The input is a value as a record or
 * a request would carry it, checked as each of the four kinds. Nothing may
 * crash, leak or read out of bounds; and the result must hold together:
 * valid exactly when there is no reason, a normalised value that is UTF-8
 * of at most 64 bytes and normalises to itself with the same verdict, a
 * masked form of the same number of characters, a 15-digit number whose
 * 18-digit form is itself valid.
 */
#include "core/json.h"
#include "datahub/identifier.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW 1772413200000LL /* 2026-03-02 09:00 in Shanghai */

static size_t characters(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static void check_result(const struct fz_identifier *r, enum fz_identifier_kind kind)
{
	struct fz_identifier again;
	char masked[FZ_IDENTIFIER_MAX_VALUE + 1];
	size_t len = strlen(r->value);
	cJSON *j;

	if (r->valid != (r->nreasons == 0) || len > FZ_IDENTIFIER_MAX_VALUE ||
	    !fz_json_utf8_ok(r->value, len))
		abort();
	for (size_t i = 0; i < r->nreasons; i++)
		if (!r->reasons[i].code[0] || !r->reasons[i].msg[0])
			abort();
	fz_identifier_mask(kind, r->value, masked, sizeof(masked));
	if (characters(masked) != characters(r->value))
		abort();
	if (len && fz_identifier_validate(&again, kind, r->value, len, NOW, NULL) == 0 &&
	    (again.valid != r->valid || strcmp(again.value, r->value) != 0))
		abort(); /* normalising is idempotent and the verdict stable */
	if (r->person.id18[0] && (fz_identifier_validate(&again, FZ_IDENTIFIER_ID_NUMBER,
							 r->person.id18, 18, NOW, NULL) ||
				  (r->valid && !again.valid)))
		abort();
	j = fz_identifier_json(r);
	free(fz_json_print(j));
	cJSON_Delete(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum fz_identifier_kind kinds[] = {
		FZ_IDENTIFIER_ID_NUMBER,
		FZ_IDENTIFIER_USCC,
		FZ_IDENTIFIER_PLATE,
		FZ_IDENTIFIER_MOBILE,
	};
	struct fz_identifier r;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (fz_identifier_validate(&r, kinds[i], (const char *)data, size, NOW, NULL))
			abort();
		check_result(&r, kinds[i]);
	}
	return 0;
}

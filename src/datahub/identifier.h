/*
 * identifier: validation of the identifiers that records carry: resident ID
 * numbers (居民身份证号码, GB 11643-1999, and the 15-digit numbers issued
 * before it), unified social credit codes (统一社会信用代码, GB 32100-2015,
 * with the GB 11714 organisation code inside), motor-vehicle plates
 * (机动车号牌, GA 36-2018, ordinary and new-energy) and mainland mobile
 * numbers. docs/internals/datahub.md lists every rule and its source.
 *
 * fz_identifier_validate() normalises a value (surrounding whitespace,
 * full-width digits and letters, lower case; the separators people write
 * inside plates and mobile numbers), then checks every rule of its kind and
 * keeps EVERY failed one as a reason: a stable code naming the part
 * ("check_digit.mismatch") and a Chinese message naming the bad part and the
 * expected form ("校验码为 X，应为 7"). It also decodes what the value says,
 * as far as the parts that are themselves well formed allow: region, birth
 * date, sex and age; registering authority and type; province, issuing
 * letter and plate class. "Invalid" is a verdict, not an error: the function
 * fails only on bad arguments.
 *
 * Invariants: a value longer than FZ_IDENTIFIER_MAX_VALUE bytes, not UTF-8
 * or holding a control character once trimmed is refused with one reason
 * and not read further (its value is ""); valid is 1 exactly when nreasons
 * is 0.
 *
 * Pure: no store, no wall clock (now is passed in), no allocation except
 * fz_identifier_json(); the region tree, when given, is only read. Any
 * thread. fz_identifier_mask() gives the form shown by default (DESIGN.md:
 * personal identifiers are masked unless a user unmasks them).
 */
#ifndef FZ_DATAHUB_IDENTIFIER_H
#define FZ_DATAHUB_IDENTIFIER_H

#include <stddef.h>
#include <stdint.h>

#include "core/json.h"

struct fz_region_tree;

#define FZ_IDENTIFIER_MAX_VALUE	  64 /* bytes of the raw value */
#define FZ_IDENTIFIER_MAX_REASONS 8

enum fz_identifier_kind {
	FZ_IDENTIFIER_ID_NUMBER = 1, /* "id_number" 居民身份证号码 */
	FZ_IDENTIFIER_USCC,	     /* "uscc" 统一社会信用代码 */
	FZ_IDENTIFIER_PLATE,	     /* "plate" 机动车号牌 */
	FZ_IDENTIFIER_MOBILE,	     /* "mobile" 手机号码 */
};

enum fz_identifier_sex {
	FZ_SEX_UNKNOWN = 0,
	FZ_SEX_MALE = 1, /* GB/T 2261.1 codes */
	FZ_SEX_FEMALE = 2,
};

struct fz_identifier_reason {
	char code[40]; /* "birth_date.invalid": the part, then the problem */
	char msg[320]; /* Chinese, names the bad part and the expected form */
};

struct fz_identifier_region {
	char code[7];	/* "" when not decoded */
	char name[128]; /* the fullest name known, "浙江省金华市婺城区"; "" if none */
	int known;	/* 1 when the region tree names this very code */
};

struct fz_identifier {
	enum fz_identifier_kind kind;
	char value[FZ_IDENTIFIER_MAX_VALUE + 1]; /* normalised; "" when refused unread */
	int valid;
	size_t nreasons;
	struct fz_identifier_reason reasons[FZ_IDENTIFIER_MAX_REASONS];
	struct fz_identifier_region region; /* id_number, uscc */
	struct {
		char birth_date[11]; /* "1990-03-07"; "" unless real, past and after 1900 */
		enum fz_identifier_sex sex;
		int age;       /* full years (周岁) at now, -1 without a birth date */
		int legacy;    /* 1 for a 15-digit number */
		char id18[19]; /* its 18-digit form, "" unless legacy and all digits */
	} person;
	struct {
		char authority; /* '9'; 0 unless a known authority */
		const char *authority_name;
		char type; /* '1'; 0 unless a known type of that authority */
		const char *type_name;
		char org_code[11]; /* "M000100Y-4", "" unless well formed */
	} org;
	struct {
		char province[4]; /* "浙" (UTF-8), "" unless a known abbreviation */
		const char *province_name;
		char letter;	    /* issuing authority letter, 0 unless valid */
		const char *issuer; /* its city where known (Zhejiang), else NULL */
		int new_energy;
		const char *size;  /* "small", "large" or NULL (the colour says, not the text) */
		const char *power; /* new-energy: "electric" (D) or "non_electric" (F) */
		const char *use;   /* "trailer", "coach", "police", "hong_kong", "macao", NULL */
	} plate;
};

/* "id_number", "uscc", "plate" or "mobile" into *kind. 0 or FZ_EINVAL. */
int fz_identifier_kind_parse(const char *name, enum fz_identifier_kind *kind /* OUT */);
/* The name of kind ("id_number"), NULL if not a kind. Static. */
const char *fz_identifier_kind_name(enum fz_identifier_kind kind);
/* The Chinese title of kind ("居民身份证号码"), NULL if not a kind. Static. */
const char *fz_identifier_kind_title(enum fz_identifier_kind kind);

/*
 * Validates len bytes of value (need not be NUL-terminated) as kind into
 * self, which it fills entirely. now (UTC ms) is "today" for birth dates and
 * ages, in Asia/Shanghai. regions, which may be NULL, names region codes.
 * Returns 0 whatever the verdict (see self->valid and self->reasons), or
 * FZ_EINVAL for an unknown kind or a NULL value (self then says nothing).
 * Borrows regions only during the call; self holds static strings only.
 */
int fz_identifier_validate(struct fz_identifier *self, enum fz_identifier_kind kind,
			   const char *value, size_t len, int64_t now,
			   const struct fz_region_tree *regions);

/*
 * The display form of a normalised value into out (at least
 * FZ_IDENTIFIER_MAX_VALUE + 1 bytes to hold any): characters kept at each
 * end and '*' for each one between, counted in characters, not bytes:
 * ID numbers keep 4 + 4 (3307**********1234), mobile numbers 3 + 4
 * (138****1234), credit codes 8 + 2 (authority, type and region stay
 * readable: 91330702********5X), plates 2 + 2 (浙G***45). A value too short
 * to hide anything that way is all '*'. Returns out.
 */
char *fz_identifier_mask(enum fz_identifier_kind kind, const char *value, char *out, size_t size);

/*
 * {kind, value, valid, reasons: [{code, message}], encodes: {...}, masked}
 * of self ("" value when refused unread). Caller frees with cJSON_Delete;
 * NULL on no memory.
 */
cJSON *fz_identifier_json(const struct fz_identifier *self);

#endif

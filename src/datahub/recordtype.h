/*
 * recordtype: the record types that app packs declare in
 * apps/<pack>/record-types/ (*.json), compiled, and the validation of one
 * incoming record against its type.
 *
 * A definition names the type ("<pack>.<name>"), a Chinese title, the input
 * key that carries the source's own id (external_id), the time field, an
 * optional location (lon and lat fields and their CRS, wgs84 or gcj02) and
 * the fields: type (string, int, number, bool, time, enum, or an identifier
 * kind: id_number, uscc, plate, mobile), required, min/max, max_length,
 * enum values with Chinese titles, many (a list), and subject (person,
 * vehicle, organisation, place): the subject an identifier links the record
 * to. The compiler refuses a definition with errors naming the file and the
 * JSON pointer (docs/internals/datahub.md has the format).
 *
 * fz_recordtype_validate() checks one input object (JSON values, or text
 * values from a CSV row) and gives either a normalised record (fields with
 * identifiers in canonical form, times as UTC ms, numbers as numbers) or
 * EVERY reason it fails, each with its field. Pure; any thread.
 *
 * struct fz_recordtypes is the immutable, reference-counted set of every
 * type of every pack, loaded at start and on reload; a pack with a broken
 * file is refused as a whole and reported, the others load.
 */
#ifndef FZ_DATAHUB_RECORDTYPE_H
#define FZ_DATAHUB_RECORDTYPE_H

#include <stddef.h>
#include <stdint.h>

#include "core/json.h"
#include "datahub/identifier.h"
#include "geo/crs.h"

struct fz_err;
struct fz_region_tree;

#define FZ_RT_MAX_FIELDS  48
#define FZ_RT_MAX_REASONS 16
#define FZ_RT_MAX_SUBJECTS 8
#define FZ_RT_MAX_TEXT	  4096 /* bytes of a string field */
#define FZ_RT_MAX_EXTERNAL_ID 128

enum fz_rt_ftype {
	FZ_RT_STRING = 1,
	FZ_RT_INT,
	FZ_RT_NUMBER,
	FZ_RT_BOOL,
	FZ_RT_TIME,
	FZ_RT_ENUM,
	FZ_RT_IDENT, /* an identifier of kind ident */
};

struct fz_rt_field {
	char name[48];
	char title[96];
	enum fz_rt_ftype type;
	enum fz_identifier_kind ident;
	int required, many;
	int has_min, has_max;
	double min, max;
	size_t max_length;
	char subject[16]; /* "" or person, vehicle, organisation, place */
	size_t nvalues;	  /* enum */
	char (*values)[48];
	char (*value_titles)[96];
};

struct fz_recordtype {
	char type[64];
	char pack[32];
	char title[96];
	char external_id[48]; /* input key of the source's id */
	char time[48];	      /* the time field */
	int has_location;
	char lon[48], lat[48];
	enum fz_geo_crs crs;
	size_t nfields;
	struct fz_rt_field fields[FZ_RT_MAX_FIELDS];
	char *text; /* the definition as loaded */
};

struct fz_rt_reason {
	char field[48];
	char code[40];
	char msg[320];
};

struct fz_rt_subject {
	char kind[16];
	char key[FZ_IDENTIFIER_MAX_VALUE + 1];
	char field[48];
};

struct fz_rt_result {
	int ok;
	int64_t at;
	char external_id[FZ_RT_MAX_EXTERNAL_ID + 1];
	int has_location;
	double lon, lat; /* WGS-84 */
	cJSON *fields;	 /* normalised, owned (NULL unless ok) */
	size_t nreasons;
	struct fz_rt_reason reasons[FZ_RT_MAX_REASONS];
	size_t nsubjects;
	struct fz_rt_subject subjects[FZ_RT_MAX_SUBJECTS];
};

/*
 * Compiles len bytes of a definition read from file (named in errors) of
 * pack. 0 with *out (free with fz_recordtype_free) or FZ_EINVAL with err
 * naming file and JSON pointer, FZ_ENOMEM.
 */
int fz_recordtype_compile(const char *pack, const char *file, const char *text, size_t len,
			  struct fz_recordtype **out /* OUT */, struct fz_err *err);
void fz_recordtype_free(struct fz_recordtype *t);

/*
 * Validates in (an object). text: values are strings from a CSV row, where
 * "" means absent. Fills out entirely; release with fz_rt_result_release().
 * Returns 0 whatever the verdict (out->ok), FZ_ENOMEM.
 */
int fz_recordtype_validate(const struct fz_recordtype *t, const cJSON *in, int text,
			   int64_t now, const struct fz_region_tree *regions,
			   struct fz_rt_result *out /* OUT */);
void fz_rt_result_release(struct fz_rt_result *r);
/* Adds a reason (kept when there is room). */
void fz_rt_reason_add(struct fz_rt_result *r, const char *field, const char *code,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* [{field, code, message}] of r's reasons; NULL on no memory. */
cJSON *fz_rt_reasons_json(const struct fz_rt_result *r);
/* The definition as JSON for the API; NULL on no memory. */
cJSON *fz_recordtype_json(const struct fz_recordtype *t);

/*
 * Parses a time: RFC 3339 with Z or an offset, "YYYY-MM-DD HH:MM[:SS]" or
 * "YYYY-MM-DDTHH:MM[:SS]" in Asia/Shanghai, or digits (UTC ms). 0 or -1.
 */
int fz_rt_parse_time(const char *s, int64_t *ms /* OUT */);

/* ---- the set of all packs' types ---- */

#define FZ_RT_MAX_PROBLEMS 16

struct fz_recordtypes_report {
	int packs, types;
	int nproblems;
	char problems[FZ_RT_MAX_PROBLEMS][400];
};

struct fz_recordtypes;

/* Loads apps_dir/<pack>/record-types/ (each .json). 0 (even with refused packs: see
 * report) or FZ_ENOMEM. Caller drops with fz_recordtypes_put(). */
int fz_recordtypes_load(const char *apps_dir, struct fz_recordtypes **out /* OUT */,
			struct fz_recordtypes_report *report /* OUT */, struct fz_err *err);
void fz_recordtypes_hold(struct fz_recordtypes *s);
void fz_recordtypes_put(struct fz_recordtypes *s);
/* The type named, NULL if none. Borrowed while s is held. */
const struct fz_recordtype *fz_recordtypes_find(const struct fz_recordtypes *s, const char *type);
size_t fz_recordtypes_count(const struct fz_recordtypes *s);
const struct fz_recordtype *fz_recordtypes_at(const struct fz_recordtypes *s, size_t i);

#endif

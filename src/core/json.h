/*
 * json: the JSON module, over cJSON. It is the only module that includes
 * cJSON.h; it re-exports cJSON's tree type so that handlers build responses
 * with cJSON_Add*, and adds what cJSON lacks: a depth and size limit on
 * parsing, declarative field checks (unknown fields, types, lengths, UTF-8)
 * with errors that name the field, and typed getters.
 *
 * Trees are owned by whoever parsed or created them (free with
 * cJSON_Delete). Thread-safe: no global state is used (parse errors are
 * located through cJSON's return_parse_end, not cJSON_GetErrorPtr).
 */
#ifndef FZ_CORE_JSON_H
#define FZ_CORE_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

struct fz_err;

enum fz_json_type {
	FZ_JSON_STRING = 1,
	FZ_JSON_INT,
	FZ_JSON_BOOL,
	FZ_JSON_STRINGS, /* array of strings */
	FZ_JSON_OBJECT,
	FZ_JSON_NULLABLE_STRING, /* a string, or null to clear */
	FZ_JSON_ARRAY,		 /* any array (its items checked by the caller) */
};

struct fz_json_field {
	const char *name;
	enum fz_json_type type;
	int required;
	size_t max_len;	      /* strings: bytes; arrays: items; 0 for none */
	const char *expected; /* Chinese description of the expected form */
};

/*
 * Parses len bytes (need not be NUL-terminated). Refuses nesting deeper than
 * max_depth (FZ_ETOOBIG) and malformed text (FZ_EINVAL, "malformed_json",
 * with the byte offset). Returns the tree (caller frees) or NULL with err set.
 */
cJSON *fz_json_parse(const char *text, size_t len, int max_depth, struct fz_err *err);

/*
 * Definition files of packs (case types, record types, rules, routes): the
 * same parse as fz_json_parse, with the error message prefixed by file
 * ("types/x.json: JSON 之后有多余内容...") and the machine code machine
 * ("invalid_definition", "invalid_rule", ...); the code stays the parser's
 * (FZ_EINVAL, or FZ_ETOOBIG when too deep). 0 with the tree in *out (caller
 * frees), or that code with *out NULL and err set.
 */
int fz_json_parse_file(const char *file, const char *text, size_t len, int max_depth,
		       const char *machine, cJSON **out /* OUT */, struct fz_err *err);
/*
 * Records FZ_EINVAL in a definition file: machine code machine, field ptr
 * (the JSON pointer of the bad value, "" for the whole document) and the
 * message "file: ptr: what", what being printf-formatted (cut at 300 bytes).
 * Returns FZ_EINVAL, for `return fz_json_file_err(...)`.
 */
int fz_json_file_err(struct fz_err *err, const char *machine, const char *file, const char *ptr,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * Checks that obj is an object whose members are all in spec (a table ended
 * by a row with name NULL), of the declared types and lengths, with every
 * required one present, strings valid UTF-8 without control characters.
 * 0, or FZ_EINVAL naming the first bad field.
 */
int fz_json_check(const cJSON *obj, const struct fz_json_field *spec, struct fz_err *err);

/* Member as a string, NULL when absent or not a string. Borrowed. */
const char *fz_json_str(const cJSON *obj, const char *name);
/* Member as an integer into *out: 1 if present and integral, else 0. */
int fz_json_int(const cJSON *obj, const char *name, int64_t *out /* OUT */);
/* Member as a bool into *out: 1 if present, else 0. */
int fz_json_bool(const cJSON *obj, const char *name, int *out /* OUT */);

/*
 * Adds an integer member. Integers are stored as raw text, so printing needs
 * no floating-point round trip (cJSON prints numbers with sprintf and checks
 * them with sscanf, the largest cost of rendering a response) and ids above
 * 2^53 stay exact. Returns the item, NULL on no memory.
 */
cJSON *fz_json_add_int(cJSON *obj, const char *name, int64_t v);

/*
 * Adds item to an object (put), to the end of an array (push) or to its
 * front (push_front). Unlike cJSON's own functions they take ownership in
 * every case: on failure the item is freed. 0 or FZ_ENOMEM.
 */
int fz_json_put(cJSON *obj, const char *name, cJSON *item);
int fz_json_push(cJSON *arr, cJSON *item);
int fz_json_push_front(cJSON *arr, cJSON *item);

/*
 * Installs the allocator under cJSON (NULL, NULL: malloc and free), wrapped
 * so that failed allocations are counted per thread. Call once at start,
 * before threads; tests pass an allocator that fails on purpose.
 */
void fz_json_use_allocator(void *(*alloc)(size_t), void (*release)(void *));
/*
 * Failed allocations on this thread since the last call, and resets the
 * count. A tree built while one failed may be missing members, so
 * fz_resp_json() refuses to send it.
 */
unsigned fz_json_take_failures(void);

struct fz_buf;
/* Appends s as a quoted, escaped JSON string. 0 or a buf error. */
int fz_json_quote(struct fz_buf *b, const char *s);

/* Unformatted text of a tree; caller frees with free(). NULL on no memory. */
char *fz_json_print(const cJSON *tree);

/* 1 when s (len bytes) is valid UTF-8 without C0 controls other than tab/newline. */
int fz_json_utf8_ok(const char *s, size_t len);

#endif

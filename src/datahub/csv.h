/*
 * csv: a reader of RFC 4180 comma-separated values over a buffer in
 * memory: fields separated by commas, records by CRLF or LF, a field in
 * double quotes may hold commas, line breaks and doubled quotes (""). A
 * UTF-8 byte-order mark at the start is skipped. Limits: at most
 * FZ_CSV_MAX_FIELDS fields per record and max_record bytes per record
 * (FZ_ETOOBIG, the reader then skips to the end of that record).
 *
 * The reader does not copy the input: fz_csv_next() writes the unquoted
 * fields of one record into the reader's own scratch buffer, valid until
 * the next call. One reader belongs to one thread.
 */
#ifndef FZ_DATAHUB_CSV_H
#define FZ_DATAHUB_CSV_H

#include <stddef.h>

#define FZ_CSV_MAX_FIELDS 128

struct fz_csv {
	const char *p, *end;
	size_t max_record;
	size_t line;	    /* 1-based line where the last record began */
	size_t next_line;   /* line where the next record begins */
	const char *record; /* raw text of the last record (without its line break) */
	size_t record_len;
	char *scratch;	    /* unquoted fields, NUL-terminated each */
	size_t scratch_cap;
	size_t nfields;
	const char *fields[FZ_CSV_MAX_FIELDS];
	size_t lens[FZ_CSV_MAX_FIELDS];
};

/* Starts reading len bytes of text. Cannot fail. */
void fz_csv_init(struct fz_csv *c, const char *text, size_t len, size_t max_record);
/* Frees the scratch buffer. */
void fz_csv_release(struct fz_csv *c);
/*
 * Reads the next record into c->fields / c->lens (nfields of them).
 * Returns 1 for a record, 0 at the end, FZ_EINVAL for an unterminated
 * quote or text after a closing quote, FZ_ETOOBIG past the limits,
 * FZ_ENOMEM. After an error the reader is past the bad record.
 * Blank lines are skipped.
 */
int fz_csv_next(struct fz_csv *c);

#endif

/*
 * ingest: the one path by which records enter fazhi, shared by
 * POST /api/v1/records, the console's file import, `fazhi import`, the
 * demo and quarantine resubmission.
 *
 * fz_ingest_submit() splits a body (one JSON object, NDJSON, or CSV with a
 * header row) into lines, validates each against its record type
 * (datahub/recordtype.h), and writes chunks of up to FZ_INGEST_CHUNK lines
 * through the store's group-commit writer: accepted records (idempotent on
 * source and external id: a replay is counted as duplicate and adds
 * nothing), their subject links, and every failing line into the
 * quarantine with all its reasons. It returns only once everything it
 * counts is durable. Nothing is dropped: a line that is not even JSON is
 * quarantined with its raw text.
 *
 * After a commit the committed records go, in commit order, to the sinks
 * (fz_ingest_add_sink, registered before fz_ingest_start) on the ingest
 * thread (datahub/record.h states the contract). The record types are an
 * immutable snapshot swapped by fz_ingest_reload().
 *
 * Threads: submit, reload and the source functions from any thread; add_sink
 * and start from the thread that owns the ingest, before submissions.
 */
#ifndef FZ_DATAHUB_INGEST_H
#define FZ_DATAHUB_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "core/json.h"
#include "datahub/record.h"
#include "datahub/recordtype.h"

struct fz_err;
struct fz_atlas_slot;
struct fz_region_tree;
struct fz_store;

#define FZ_INGEST_CHUNK	     4096 /* lines per write (one savepoint in a group commit) */
#define FZ_INGEST_MAX_ISSUES 1000 /* per-line reports kept in a summary */
#define FZ_INGEST_MAX_SINKS  16

enum fz_ingest_format {
	FZ_INGEST_JSON = 1, /* one object */
	FZ_INGEST_NDJSON,   /* one object per line */
	FZ_INGEST_CSV,	    /* RFC 4180 with a header row naming the fields */
};

struct fz_ingest_config {
	struct fz_store *store;
	const struct fz_region_tree *regions; /* for region paths and ID regions */
	struct fz_atlas_slot *atlas; /* point -> village, township, district (geo/atlas.h);
				      NULL: records unlocated */
	const char *apps_dir;
	size_t max_line;  /* bytes per line or CSV record (default 64 KiB) */
	size_t max_lines; /* lines per submission (default 1 000 000) */
};

/* A line that did not become a new record. */
struct fz_ingest_issue {
	size_t line; /* 1-based line (CSV: counting the header) */
	char external_id[FZ_RT_MAX_EXTERNAL_ID + 1];
	const char *status; /* "duplicate", "quarantined" or "already_quarantined" (the same input is in the quarantine already: not stored twice) (static) */
	int64_t quarantine_id;
	int64_t record_id; /* the existing record, for a duplicate */
	cJSON *reasons;	   /* [{field, code, message}], owned */
};

struct fz_ingest_summary {
	size_t lines, accepted, duplicates, quarantined;
	size_t transactions; /* writes it took */
	int64_t first_id, last_id; /* of the accepted records, 0 if none */
	size_t nissues;		   /* at most FZ_INGEST_MAX_ISSUES kept */
	struct fz_ingest_issue *issues;
};

struct fz_ingest;

/* Loads the record types and opens. 0 (see report for refused packs) or an error. */
int fz_ingest_new(const struct fz_ingest_config *cfg, struct fz_ingest **out /* OUT */,
		  struct fz_recordtypes_report *report /* OUT */, struct fz_err *err);
/* Stops the ingest thread after delivering what is queued, and frees. */
void fz_ingest_free(struct fz_ingest *in);

/*
 * Registers a sink for records whose type starts with type_prefix ("" all).
 * Before fz_ingest_start(); 0, FZ_EINVAL (started already, too many).
 */
int fz_ingest_add_sink(struct fz_ingest *in, const char *type_prefix, fz_record_sink_fn fn,
		       void *ctx);
/*
 * A pack's own check of a record that passed its type's validation, made
 * before it is stored (the corrections pack: is the device bound to a
 * supervised person?). Returns 1 to accept, or 0 with err naming the field
 * and the problem: the record is then quarantined with that reason, like a
 * validation failure. Runs on the submitting thread, any thread: it must be
 * thread-safe and must not write to the store.
 */
typedef int (*fz_record_check_fn)(void *ctx, const char *type, const cJSON *fields,
				  struct fz_err *err);
/* Registers a check for types starting with type_prefix; as add_sink. */
int fz_ingest_add_check(struct fz_ingest *in, const char *type_prefix, fz_record_check_fn fn,
			void *ctx);
/* Starts the thread that hands committed records to the sinks. 0 or -errno. */
int fz_ingest_start(struct fz_ingest *in);

/* Lines per write (default FZ_INGEST_CHUNK; 0 restores it): a bulk import
 * commits fewer, larger transactions, at the price of memory per submission. */
void fz_ingest_set_chunk(struct fz_ingest *in, size_t lines);

/*
 * Ingests body from the named source. type is the record type of lines
 * that do not name one ("type" member), or NULL. Fills out (release with
 * fz_ingest_summary_release). Returns 0 when every line was either stored,
 * found a duplicate or quarantined (durably); FZ_ENOTFOUND / FZ_EFORBIDDEN
 * for an unknown or revoked source, FZ_ETOOBIG past the line limit,
 * FZ_EINVAL for a CSV without a header or a format/type problem that
 * concerns the whole body, FZ_ESTORE if a write failed (the lines of the
 * failed write are not counted).
 */
int fz_ingest_submit(struct fz_ingest *in, const char *source, const char *type, const char *body,
		     size_t len, enum fz_ingest_format fmt, int64_t now,
		     struct fz_ingest_summary *out /* OUT */, struct fz_err *err);
void fz_ingest_summary_release(struct fz_ingest_summary *s);
/* {lines, accepted, duplicates, quarantined, transactions, issues: [...]}; NULL no memory. */
cJSON *fz_ingest_summary_json(const struct fz_ingest_summary *s);

/*
 * Validates a corrected quarantined record (record: an object; NULL keeps
 * the stored input) again. If it passes it becomes a record (or the
 * duplicate it repeats) and the row is marked resubmitted by who; else the
 * row stays open with the new reasons. *record_id is the record, 0 when it
 * stayed. FZ_ENOTFOUND, FZ_ECONFLICT (not open), store errors.
 */
int fz_ingest_resubmit(struct fz_ingest *in, int64_t quarantine_id, const cJSON *record,
		       const char *who, int64_t now, int64_t *record_id /* OUT */,
		       cJSON **reasons /* OUT, caller frees; NULL when it passed */,
		       struct fz_err *err);

/* Reloads the record types from apps_dir; a broken pack keeps nothing (see report). */
int fz_ingest_reload(struct fz_ingest *in, struct fz_recordtypes_report *report /* OUT */,
		     struct fz_err *err);
/* The current types, held: drop with fz_recordtypes_put(). */
struct fz_recordtypes *fz_ingest_types(struct fz_ingest *in);

/* Records delivered to sinks and sink failures since start (for /metrics). */
uint64_t fz_ingest_delivered(struct fz_ingest *in);
uint64_t fz_ingest_sink_errors(struct fz_ingest *in);

/* "YYYY-MM-DD" in Asia/Shanghai of ms. */
void fz_ingest_day(int64_t ms, char out[11]);

#endif

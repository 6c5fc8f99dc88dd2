/*
 * audit_store: SQL for the audit chain. The chain's logic (hashing,
 * verification) is in src/audit/; this file only moves rows.
 */
#ifndef FZ_STORE_AUDIT_STORE_H
#define FZ_STORE_AUDIT_STORE_H

#include <stdint.h>

#include "audit/audit.h"

struct fz_db;
struct fz_err;

/* The head (last seq and its hash); seq 0 and hash "" for an empty chain. */
int fz_store_audit_head(struct fz_db *db, int64_t *seq /* OUT */,
			char hash[FZ_SHA256_HEX] /* OUT */, struct fz_err *err);
/* Inserts e (with seq and hash set) and moves the head to it. */
int fz_store_audit_insert(struct fz_db *db, const struct fz_audit_entry *e, struct fz_err *err);

struct fz_audit_filter {
	const char *scope_path; /* required */
	const char *actor;	/* username, or NULL */
	const char *action;	/* exact, or a prefix ending in '.', or NULL */
	const char *object_type;
	const char *object_id;
	int64_t since, until; /* ms, 0 for open */
	int64_t before_seq;   /* cursor: entries older than this; 0 for newest */
	int limit;
};
typedef int (*fz_audit_each_fn)(void *ctx, const struct fz_audit_entry *e);
/* Entries newest first. */
int fz_store_audit_list(struct fz_db *db, const struct fz_audit_filter *f, fz_audit_each_fn each,
			void *ctx, struct fz_err *err);
/* Every entry in seq order (for verification). */
int fz_store_audit_scan(struct fz_db *db, fz_audit_each_fn each, void *ctx, struct fz_err *err);

#endif

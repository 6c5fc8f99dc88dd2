/*
 * audit: the append-only, hash-chained record of every change and every read
 * of personal data. Entry n stores the hash of entry n-1 (prev_hash) and its
 * own hash = SHA-256 over prev_hash and every field; the store keeps the
 * head (last seq and hash) beside the entries, so that an edited, inserted
 * or deleted entry, including the last, breaks the chain at a place that
 * fz_audit_verify() names.
 *
 * fz_audit_append() must run inside a store write (the writer thread
 * serialises appends, so the chain has one order).
 */
#ifndef FZ_AUDIT_AUDIT_H
#define FZ_AUDIT_AUDIT_H

#include <stdint.h>

#include "core/digest.h"

struct fz_db;
struct fz_err;
struct fz_store;

struct fz_audit_entry {
	int64_t seq;
	int64_t at;
	int64_t actor_id; /* 0: the system or an anonymous caller */
	char actor[64];
	char ip[64];
	char action[48];      /* "user.create" */
	char object_type[24]; /* "user" */
	char object_id[64];
	char region[16]; /* region of the object, for scope; "" if none */
	char region_name[128];
	char region_path[128];
	char summary[256];
	char before_digest[FZ_SHA256_HEX]; /* "" when there was no before */
	char after_digest[FZ_SHA256_HEX];
	char prev_hash[FZ_SHA256_HEX];
	char hash[FZ_SHA256_HEX];
};

/* The hash of an entry (over prev_hash and every field) into out. */
void fz_audit_hash(const struct fz_audit_entry *e, char out[FZ_SHA256_HEX]);

/*
 * Digest of a before/after state (e.g. a JSON rendering of the object)
 * into out; "" for NULL.
 */
void fz_audit_digest(const char *state, char out[FZ_SHA256_HEX]);

/*
 * Appends e (seq, prev_hash and hash are filled in) inside a write. 0 or a
 * store error.
 */
int fz_audit_append(struct fz_db *db, struct fz_audit_entry *e, struct fz_err *err);

struct fz_audit_report {
	int ok;
	int64_t checked;
	int64_t first_bad; /* seq of the first bad entry, 0 if none */
	char reason[256];
};

/* Walks the whole chain. 0 (see report->ok) or a store error. */
int fz_audit_verify(struct fz_db *db, struct fz_audit_report *report /* OUT */, struct fz_err *err);

#endif

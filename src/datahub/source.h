/*
 * source: the registered senders of records (a department's system, a
 * weigh-in-motion network, a camera platform): name, Chinese title, owning
 * unit, the record types each may send, and an API key.
 *
 * A key is "fzs_" + 8 characters of prefix + "_" + 32 of secret (base64url
 * of random bytes). The store keeps the visible prefix ("fzs_XXXXXXXX") and
 * the SHA-256 of the whole key; the key itself is shown once, when it is
 * made (add, rotate). Rotating replaces the key (the old one stops at
 * once); revoking stops the source until its key is rotated.
 * Any thread; writes go through fz_store_write().
 */
#ifndef FZ_DATAHUB_SOURCE_H
#define FZ_DATAHUB_SOURCE_H

#include <stdint.h>

#include "core/json.h"
#include "store/record_store.h"

struct fz_err;
struct fz_store;
struct fz_db;

#define FZ_SOURCE_KEY_LEN    46 /* "fzs_" 8 "_" 32, plus NUL */
#define FZ_SOURCE_KEY_PREFIX "fzs_"
#define FZ_SOURCE_RATE_MINUTES 5

/*
 * Registers a source (types: a JSON array of record type names, checked by
 * the caller) and makes its key. FZ_EINVAL naming the field, FZ_ECONFLICT
 * for a taken name. key receives the secret to show once.
 */
int fz_source_add(struct fz_store *store, const char *name, const char *title, int64_t unit_id,
		  const cJSON *types, int64_t now, char key[FZ_SOURCE_KEY_LEN] /* OUT */,
		  struct fz_err *err);
/* A new key for the named source (and un-revokes it). */
int fz_source_rotate(struct fz_store *store, const char *name, int64_t now,
		     char key[FZ_SOURCE_KEY_LEN] /* OUT */, struct fz_err *err);
int fz_source_revoke(struct fz_store *store, const char *name, int64_t now, struct fz_err *err);
/*
 * The source whose key this is: 0 with *out, FZ_EUNAUTH for an unknown or
 * wrong key, FZ_EFORBIDDEN for a revoked source.
 */
int fz_source_authenticate(struct fz_db *db, const char *key, struct fz_source_row *out /* OUT */,
			   struct fz_err *err);
#endif

/*
 * registry_store: SQL for regions, boundaries, units, users and sessions.
 * Read functions take a reader (fz_store_reader), write functions the db of a
 * write callback (fz_store_write). Results are copied into caller-owned
 * structs; list functions call `each` per row (return non-zero to stop).
 * Scope filters are region paths: a row is visible when its region's path
 * starts with the scope path.
 */
#ifndef FZ_STORE_REGISTRY_STORE_H
#define FZ_STORE_REGISTRY_STORE_H

#include <stdint.h>

#include "registry/region.h"
#include "registry/unit.h"
#include "registry/user.h"

struct fz_db;
struct fz_err;

/* Regions. get: 0 or FZ_ENOTFOUND. */
int fz_store_region_get(struct fz_db *db, const char *code, struct fz_region *out /* OUT */,
			struct fz_err *err);
typedef int (*fz_region_each_fn)(void *ctx, const struct fz_region *r);
int fz_store_region_children(struct fz_db *db, const char *code, fz_region_each_fn each, void *ctx,
			     struct fz_err *err);
/* Every region, in code order. */
int fz_store_region_all(struct fz_db *db, fz_region_each_fn each, void *ctx, struct fz_err *err);
int fz_store_region_put(struct fz_db *db, const struct fz_region *r, struct fz_err *err);
/* Recomputes paths and child counts of every region from parents. */
int fz_store_region_finish(struct fz_db *db, struct fz_err *err);
int fz_store_region_count(struct fz_db *db, int64_t *out /* OUT */, struct fz_err *err);

/* Boundaries: GeoJSON text; *out is malloc'd, caller frees. */
int fz_store_boundary_get(struct fz_db *db, const char *code, char **out /* OUT */,
			  struct fz_err *err);
int fz_store_boundary_put(struct fz_db *db, const char *code, const char *geojson,
			  const char *source, struct fz_err *err);

/* Units. insert sets u->id. */
struct fz_unit_filter {
	const char *scope_path;	 /* required */
	const char *region_path; /* subtree, or NULL */
	const char *kind;	 /* or NULL */
	const char *q;		 /* substring of the name, or NULL */
	int64_t after_id;
	int limit;
};
typedef int (*fz_unit_each_fn)(void *ctx, const struct fz_unit *u);
int fz_store_unit_get(struct fz_db *db, int64_t id, struct fz_unit *out, struct fz_err *err);
int fz_store_unit_list(struct fz_db *db, const struct fz_unit_filter *f, fz_unit_each_fn each,
		       void *ctx, struct fz_err *err);
int fz_store_unit_insert(struct fz_db *db, struct fz_unit *u, struct fz_err *err);
int fz_store_unit_update(struct fz_db *db, const struct fz_unit *u, struct fz_err *err);

/* Users. get_by_name: 0 or FZ_ENOTFOUND. */
struct fz_user_filter {
	const char *scope_path;	 /* required: the user's unit's region */
	const char *region_path; /* or NULL */
	int64_t unit_id;	 /* or 0 */
	unsigned role;		 /* or 0 */
	const char *q;		 /* substring of username or display name */
	int64_t after_id;
	int limit;
};
typedef int (*fz_user_each_fn)(void *ctx, const struct fz_user *u);
int fz_store_user_get(struct fz_db *db, int64_t id, struct fz_user *out, struct fz_err *err);
int fz_store_user_get_by_name(struct fz_db *db, const char *username, struct fz_user *out,
			      struct fz_err *err);
int fz_store_user_list(struct fz_db *db, const struct fz_user_filter *f, fz_user_each_fn each,
		       void *ctx, struct fz_err *err);
/* Inserts u (username, display_name, password_hash, unit_id, roles, scope,
 * phone, created_at); sets u->id. FZ_ECONFLICT for a taken username. */
int fz_store_user_insert(struct fz_db *db, struct fz_user *u, struct fz_err *err);
/* Writes display_name, unit_id, roles, scope, phone, disabled, password_hash,
 * failed_count, failed_since, locked_until, last_login_at, updated_at. */
int fz_store_user_update(struct fz_db *db, const struct fz_user *u, struct fz_err *err);

/* Sessions. */
struct fz_session {
	char token_hash[65];
	int64_t user_id;
	int64_t created_at, expires_at, revoked_at;
	char ip[64];
};
int fz_store_session_insert(struct fz_db *db, const struct fz_session *s, struct fz_err *err);
int fz_store_session_get(struct fz_db *db, const char *token_hash, struct fz_session *out,
			 struct fz_err *err);
int fz_store_session_revoke(struct fz_db *db, const char *token_hash, int64_t at,
			    struct fz_err *err);
/* Revokes every live session of a user (password change, disable). */
int fz_store_session_revoke_user(struct fz_db *db, int64_t user_id, int64_t at, struct fz_err *err);

#endif

/*
 * auth: sign-in, bearer tokens and the caller's identity.
 *
 * Sign-in checks the argon2id hash, counts failures per account (after
 * `threshold` failures within `window` the account is locked for
 * `duration`; the error carries the seconds left) and issues a random
 * 256-bit token of which only the SHA-256 is stored, so a copy of the
 * database gives no usable tokens. Tokens expire after `ttl` and are
 * revoked by sign-out, password change or disabling. Every outcome is
 * audited. All functions are thread-safe (they go through the store).
 */
#ifndef FZ_AUTH_AUTH_H
#define FZ_AUTH_AUTH_H

#include <stdint.h>

#include "registry/user.h"

struct fz_err;
struct fz_store;

struct fz_auth_policy {
	int64_t ttl_ms;
	int threshold;
	int64_t window_ms;
	int64_t duration_ms;
	int password_min_length;
};

/* Who is calling: filled from a valid token. */
struct fz_principal {
	int64_t user_id;
	char username[64];
	unsigned roles;
	int64_t unit_id;
	char unit_kind[24];
	char unit_region[16];
	char unit_path[128];
	char scope[16];
	char scope_path[128];
	char token_hash[65];
	int64_t expires_at;
};

/*
 * Signs in. On success fills token (the secret, 44 bytes with NUL), user
 * and *expires_at. Errors: FZ_EUNAUTH (wrong name or password, disabled),
 * FZ_ELOCKED with err->retry_after, store errors.
 */
int fz_auth_sign_in(struct fz_store *store, const struct fz_auth_policy *policy,
		    const char *username, const char *password, const char *ip, int64_t now,
		    char token[64] /* OUT */, struct fz_user *user /* OUT */,
		    int64_t *expires_at /* OUT */, struct fz_err *err);

/* Checks a bearer token. 0 with *out filled, or FZ_EUNAUTH saying why. */
int fz_auth_check(struct fz_store *store, const char *token, int64_t now,
		  struct fz_principal *out /* OUT */, struct fz_err *err);

/* The principal of a user (no token): for the scheduler and the demo. */
void fz_auth_principal_of(const struct fz_user *u, struct fz_principal *out /* OUT */);

/* Revokes the caller's token. */
int fz_auth_sign_out(struct fz_store *store, const struct fz_principal *who, const char *ip,
		     int64_t now, struct fz_err *err);

/* 1 when path (a region path) lies inside scope_path. */
int fz_scope_contains(const char *scope_path, const char *path);

#endif

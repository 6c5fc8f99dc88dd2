/*
 * password: argon2id hashing (libargon2) with the OWASP parameters
 * (19 MiB, 2 passes, 1 lane), stored in the PHC string form so that the
 * parameters can be raised later without breaking old hashes. Thread-safe.
 */
#ifndef FZ_AUTH_PASSWORD_H
#define FZ_AUTH_PASSWORD_H

#include <stddef.h>

#define FZ_PASSWORD_HASH_MAX 160

/* Hashes with a fresh random salt into out. 0, FZ_EINTERNAL or FZ_ENOMEM. */
int fz_password_hash(const char *password, char *out, size_t size);
/* 0 when password matches encoded, FZ_EUNAUTH otherwise. */
int fz_password_verify(const char *encoded, const char *password);
/* Spends the time of one verification, for unknown users (no timing oracle). */
void fz_password_burn(const char *password);

#endif

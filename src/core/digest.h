/*
 * digest: hashing, randomness and encodings, over OpenSSL's libcrypto.
 * Thread-safe.
 */
#ifndef FZ_CORE_DIGEST_H
#define FZ_CORE_DIGEST_H

#include <stddef.h>

#define FZ_SHA256_HEX 65

/* Lower-case hex SHA-256 of data into out[65]. Returns out. */
char *fz_sha256_hex(const void *data, size_t len, char out[FZ_SHA256_HEX]);
/* Cryptographically random bytes. 0 or FZ_EINTERNAL. */
int fz_random_bytes(void *out, size_t len);
/* Unpadded base64url of data into out (at least 4*len/3+4 bytes). */
void fz_base64url(const void *data, size_t len, char *out, size_t size);

#endif

#include "auth/password.h"

#include "core/digest.h"
#include "core/err.h"

#include <argon2.h>
#include <string.h>

enum { T_COST = 2, M_COST = 19456, LANES = 1, SALT = 16, HASH = 32 };

int fz_password_hash(const char *password, char *out, size_t size)
{
	unsigned char salt[SALT];
	int rc;

	if (fz_random_bytes(salt, sizeof(salt)))
		return FZ_EINTERNAL;
	rc = argon2id_hash_encoded(T_COST, M_COST, LANES, password, strlen(password), salt,
				   sizeof(salt), HASH, out, size);
	if (rc == ARGON2_MEMORY_ALLOCATION_ERROR)
		return FZ_ENOMEM;
	return rc == ARGON2_OK ? 0 : FZ_EINTERNAL;
}

int fz_password_verify(const char *encoded, const char *password)
{
	return argon2id_verify(encoded, password, strlen(password)) == ARGON2_OK ? 0 : FZ_EUNAUTH;
}

void fz_password_burn(const char *password)
{
	/* The same work as one verification, on a fixed salt. */
	static const unsigned char salt[SALT] = "fazhi-burn-salt";
	unsigned char out[HASH];

	(void)argon2id_hash_raw(T_COST, M_COST, LANES, password, strlen(password), salt,
				sizeof(salt), out, sizeof(out));
}

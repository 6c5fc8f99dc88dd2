#include "core/digest.h"

#include "core/err.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

char *fz_sha256_hex(const void *data, size_t len, char out[FZ_SHA256_HEX])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	unsigned int n = 0;

	EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
	for (unsigned i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
	return out;
}

int fz_random_bytes(void *out, size_t len)
{
	return RAND_bytes(out, (int)len) == 1 ? 0 : FZ_EINTERNAL;
}

void fz_base64url(const void *data, size_t len, char *out, size_t size)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const unsigned char *p = data;
	size_t o = 0;

	for (size_t i = 0; i < len && o + 5 < size; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		size_t n = len - i < 3 ? len - i : 3;
		if (n > 1)
			v |= (unsigned)p[i + 1] << 8;
		if (n > 2)
			v |= p[i + 2];
		out[o++] = tab[(v >> 18) & 63];
		out[o++] = tab[(v >> 12) & 63];
		if (n > 1)
			out[o++] = tab[(v >> 6) & 63];
		if (n > 2)
			out[o++] = tab[v & 63];
	}
	out[o] = '\0';
}

/* sha256.c: SHA-256 through libcrypto's EVP interface. An allocation
 * that fails ends the program, as util's do. */
#include "sha256.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <unistd.h>

#include "util.h"

void sha256_init(struct sha256 *h)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		fatal("%s", "libcrypto cannot start a SHA-256 digest");
	h->ctx = ctx;
}

void sha256_update(struct sha256 *h, const void *data, size_t len)
{
	if (len && EVP_DigestUpdate(h->ctx, data, len) != 1)
		fatal("%s", "libcrypto cannot update a SHA-256 digest");
}

void sha256_final(struct sha256 *h, unsigned char digest[32])
{
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(h->ctx, digest, &n) != 1 || n != 32)
		fatal("%s", "libcrypto cannot end a SHA-256 digest");
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

/* to_hex: a digest as 64 lowercase hex digits and a NUL */
static void to_hex(const unsigned char digest[32], char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < 32; i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 15];
	}
	hex[64] = '\0';
}

void sha256_final_hex(struct sha256 *h, char hex[65])
{
	unsigned char digest[32];

	sha256_final(h, digest);
	to_hex(digest, hex);
}

void sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char digest[32];
	unsigned int n = 0;

	if (EVP_Digest(data, len, digest, &n, EVP_sha256(), NULL) != 1 || n != 32)
		fatal("%s", "libcrypto cannot compute a SHA-256 digest");
	to_hex(digest, hex);
}

int sha256_fd_hex(int fd, char hex[65])
{
	unsigned char digest[32], chunk[65536];
	struct sha256 h;
	ssize_t got;
	int err;

	sha256_init(&h);
	while ((got = read(fd, chunk, sizeof(chunk))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			err = errno;
			sha256_final(&h, digest);
			errno = err;
			return -1;
		}
		sha256_update(&h, chunk, (size_t)got);
	}
	sha256_final_hex(&h, hex);
	return 0;
}

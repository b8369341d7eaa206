/* sha256.c: SHA-256 through libcrypto's SHA256 functions (the same code,
 * using the CPU's SHA instructions, as its EVP interface, without the
 * providers EVP loads on first use: about 2 MiB and 3 ms less for every
 * process). An allocation that fails ends the program, as util's do. */
/* SHA256_Init and its kin are deprecated in OpenSSL 3.0, not removed */
#define OPENSSL_API_COMPAT 0x10100000L
#include "sha256.h"

#include <errno.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "util.h"

void sha256_init(struct sha256 *h)
{
	SHA256_CTX *ctx = xmalloc(sizeof(*ctx));

	if (SHA256_Init(ctx) != 1)
		fatal("%s", "libcrypto cannot start a SHA-256 digest");
	h->ctx = ctx;
}

void sha256_update(struct sha256 *h, const void *data, size_t len)
{
	if (len && SHA256_Update(h->ctx, data, len) != 1)
		fatal("%s", "libcrypto cannot update a SHA-256 digest");
}

void sha256_final(struct sha256 *h, unsigned char digest[32])
{
	if (SHA256_Final(digest, h->ctx) != 1)
		fatal("%s", "libcrypto cannot end a SHA-256 digest");
	free(h->ctx);
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
	struct sha256 h;

	sha256_init(&h);
	sha256_update(&h, data, len);
	sha256_final_hex(&h, hex);
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

/* sha256.h: SHA-256 (FIPS 180-4), for plan hashes and result hashes. It
 * knows nothing of what it hashes. */
#ifndef FLOW_SHA256_H
#define FLOW_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t state[8];     /* the hash so far */
	uint64_t length;       /* bytes hashed so far */
	unsigned char block[64]; /* bytes waiting for a full block */
	size_t used;           /* bytes in block */
};

void sha256_init(struct sha256 *h);
void sha256_update(struct sha256 *h, const void *data, size_t len);
void sha256_final(struct sha256 *h, unsigned char digest[32]);
/* sha256_hex: the digest of data as 64 lowercase hex digits and a NUL */
void sha256_hex(const void *data, size_t len, char hex[65]);

#endif

/* sha256.h: SHA-256 for plan hashes, result hashes, cache keys and image
 * files, with the CPU's SHA instructions where it has them. It knows
 * nothing of what it hashes. */
#ifndef FLOW_SHA256_H
#define FLOW_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t state[8];         /* the hash so far */
	uint64_t bytes;            /* bytes taken */
	unsigned char block[64];   /* the last bytes % 64 of them, not yet hashed */
};

void sha256_init(struct sha256 *h);
void sha256_update(struct sha256 *h, const void *data, size_t len);
/* sha256_final: the digest; h is used up */
void sha256_final(struct sha256 *h, unsigned char digest[32]);
/* sha256_final_hex: the same, as 64 lowercase hex digits and a NUL */
void sha256_final_hex(struct sha256 *h, char hex[65]);
/* sha256_hex: the digest of data as 64 lowercase hex digits and a NUL */
void sha256_hex(const void *data, size_t len, char hex[65]);
/* sha256_portable_hex: sha256_hex without the SHA instructions, for
 * tests that compare the two */
void sha256_portable_hex(const void *data, size_t len, char hex[65]);
/* sha256_fd_hex: the digest of what fd holds from where it is to its end,
 * the same way; 0, or -1 with errno set (the descriptor is left open) */
int sha256_fd_hex(int fd, char hex[65]);

#endif

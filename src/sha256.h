/* SHA-256 (FIPS 180-4): the digest the evidence report gives for every
 * file it analysed, so that a report can be tied to the exact bytes it
 * describes. */
#ifndef RULECHECK_SHA256_H
#define RULECHECK_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32
#define SHA256_HEX_SIZE (2 * SHA256_DIGEST_SIZE + 1)

struct sha256_ctx {
	uint32_t h[8];
	uint64_t total; /* bytes hashed so far */
	unsigned char block[64];
	size_t fill; /* bytes waiting in block */
};

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t len);

/* Write the digest to OUT; C must be initialised again before reuse. */
void sha256_final(struct sha256_ctx *c, unsigned char out[SHA256_DIGEST_SIZE]);

/* The digest of LEN bytes of DATA as 64 lower-case hex digits. */
void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_SIZE]);

#endif

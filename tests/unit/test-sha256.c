/* Unit tests of SHA-256: the FIPS 180-4 / NIST example vectors, the
 * same messages fed in uneven pieces, and every length across the
 * padding boundaries checked against sha256sum(1) when it is present. */

#include "sha256.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct vector {
	const char *name;
	const char *msg;
	const char *digest;
};

static const struct vector vectors[] = {
	{"empty message", "",
	 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	{"\"abc\"", "abc",
	 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	{"448-bit message",
	 "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
	{"896-bit message",
	 "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
	 "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	 "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
};

static void hex(const unsigned char *d, char *out)
{
	unsigned i;

	for (i = 0; i < SHA256_DIGEST_SIZE; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

/* Each vector in one call, then one byte at a time. */
static void test_vectors(void)
{
	char got[SHA256_HEX_SIZE];
	unsigned char d[SHA256_DIGEST_SIZE];
	struct sha256_ctx c;
	size_t i, k;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		const struct vector *v = &vectors[i];

		sha256_hex(v->msg, strlen(v->msg), got);
		ok(strcmp(got, v->digest) == 0, "%s: %s", v->name, got);
		sha256_init(&c);
		for (k = 0; v->msg[k]; k++)
			sha256_update(&c, v->msg + k, 1);
		sha256_final(&c, d);
		hex(d, got);
		ok(strcmp(got, v->digest) == 0, "%s byte by byte", v->name);
	}
}

/* One million 'a' in pieces of 1000, then in one piece. */
static void test_million(void)
{
	static const char want[] = "cdc76e5c9914fb9281a1c7e284d73e67"
				   "f1809a48a497200e046d39ccc7112cd0";
	char *big = malloc(1000000), got[SHA256_HEX_SIZE];
	unsigned char d[SHA256_DIGEST_SIZE];
	struct sha256_ctx c;
	int i;

	if (!big)
		abort();
	memset(big, 'a', 1000000);
	sha256_init(&c);
	for (i = 0; i < 1000; i++)
		sha256_update(&c, big, 1000);
	sha256_final(&c, d);
	hex(d, got);
	ok(strcmp(got, want) == 0, "one million 'a' in 1000 pieces: %s", got);
	sha256_hex(big, 1000000, got);
	ok(strcmp(got, want) == 0, "one million 'a' at once");
	free(big);
}

/* The digest sha256sum(1) gives for LEN bytes of BUF, or "" when the
 * tool cannot be run. */
static void sha256sum_of(const char *dir, const unsigned char *buf, size_t len,
			 char out[SHA256_HEX_SIZE])
{
	char path[512], cmd[600];
	FILE *f;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/msg", dir);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0)
		return;
	snprintf(cmd, sizeof(cmd), "sha256sum < '%s'", path);
	f = popen(cmd, "r");
	if (!f)
		return;
	if (!fgets(out, SHA256_HEX_SIZE, f))
		out[0] = '\0';
	pclose(f);
}

/* Every length from 0 to 200 bytes (all the padding cases: 55, 56, 63,
 * 64, 119, 120, 128) of bytes 0..255, hashed in two pieces split at an
 * odd place, against the system's sha256sum. */
static void test_against_sha256sum(void)
{
	unsigned char buf[200];
	char dir[] = "/tmp/test-sha256.XXXXXX", got[SHA256_HEX_SIZE];
	char want[SHA256_HEX_SIZE], path[600];
	unsigned char d[SHA256_DIGEST_SIZE];
	struct sha256_ctx c;
	size_t len, bad = 0, cut;

	if (system("sha256sum </dev/null >/dev/null 2>&1") != 0 ||
	    !mkdtemp(dir)) {
		printf("ok %u # SKIP sha256sum is not available\n", ++tap_run);
		return;
	}
	for (len = 0; len < sizeof(buf); len++)
		buf[len] = (unsigned char)(len * 37 + 11);
	for (len = 0; len <= sizeof(buf); len++) {
		sha256sum_of(dir, buf, len, want);
		cut = len / 3;
		sha256_init(&c);
		sha256_update(&c, buf, cut);
		sha256_update(&c, buf + cut, len - cut);
		sha256_final(&c, d);
		hex(d, got);
		if (strcmp(got, want) != 0 && bad++ == 0)
			printf("# length %zu: %s, sha256sum %s\n", len, got,
			       want);
	}
	ok(bad == 0, "201 lengths agree with sha256sum (%zu differ)", bad);
	snprintf(path, sizeof(path), "%s/msg", dir);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_vectors();
	test_million();
	test_against_sha256sum();
	return tap_done();
}

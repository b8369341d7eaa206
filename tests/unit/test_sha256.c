/* test_sha256.c: SHA-256 gives FIPS 180-4's example digests and what
 * coreutils' sha256sum gives, fed whole or in pieces of any size, with the
 * CPU's SHA instructions and without; base64 gives RFC 4648's examples and
 * reads back what it writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "sha256.h"

static unsigned seed = 4242;

static unsigned next(void)
{
	seed = seed * 1103515245u + 12345u;
	return seed >> 8;
}

static void test_fips_examples(void **state)
{
	static const struct {
		const char *text;
		const char *hex;
	} cases[] = {
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
	};
	char *million = malloc(1000000), hex[65];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sha256_hex(cases[i].text, strlen(cases[i].text), hex);
		assert_string_equal(hex, cases[i].hex);
		sha256_portable_hex(cases[i].text, strlen(cases[i].text), hex);
		assert_string_equal(hex, cases[i].hex);
	}
	memset(million, 'a', 1000000);
	sha256_hex(million, 1000000, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	sha256_portable_hex(million, 1000000, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);
}

/* random bytes of every length up to 300 (each padding case, blocks
 * split anywhere), fed in random pieces: the one-shot digest, the
 * portable one, and sha256sum's agree */
static void test_pieces_and_sha256sum(void **state)
{
	unsigned char data[300];
	size_t len, i;

	(void)state;
	for (len = 0; len <= sizeof(data); len++) {
		char whole[65], pieces[65], portable[65], theirs[65] = "", cmd[64];
		struct sha256 h;
		FILE *fp;

		for (i = 0; i < len; i++)
			data[i] = (unsigned char)next();
		sha256_hex(data, len, whole);
		sha256_portable_hex(data, len, portable);
		sha256_init(&h);
		for (i = 0; i < len;) {
			size_t n = next() % 70;

			if (n > len - i)
				n = len - i;
			sha256_update(&h, data + i, n);
			sha256_update(&h, NULL, 0); /* an empty buffer never grown */
			i += n;
		}
		sha256_final_hex(&h, pieces);
		assert_string_equal(whole, pieces);
		assert_string_equal(whole, portable);
		if (len % 37 != 0 && len != sizeof(data))
			continue; /* sha256sum on a sample */
		snprintf(cmd, sizeof(cmd), "/tmp/sha256-test-%d", (int)len);
		fp = fopen(cmd, "wb");
		assert_non_null(fp);
		assert_int_equal(fwrite(data, 1, len, fp), len);
		fclose(fp);
		snprintf(cmd, sizeof(cmd), "sha256sum /tmp/sha256-test-%d", (int)len);
		fp = popen(cmd, "r");
		assert_non_null(fp);
		assert_int_equal(fscanf(fp, "%64s", theirs), 1);
		pclose(fp);
		snprintf(cmd, sizeof(cmd), "/tmp/sha256-test-%d", (int)len);
		remove(cmd);
		assert_string_equal(whole, theirs);
	}
}

static void test_base64_rfc_examples(void **state)
{
	static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const coded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		struct buf out = {0}, back = {0}, bare = {0};
		char unpadded[16];

		base64_encode(&out, (const unsigned char *)plain[i], strlen(plain[i]));
		assert_string_equal(out.data ? out.data : "", coded[i]);
		assert_int_equal(base64_decode(&back, coded[i]), 0);
		assert_int_equal(back.len, strlen(plain[i]));
		assert_memory_equal(back.data ? back.data : "", plain[i], back.len);
		/* without its padding, and with a line break, the same */
		snprintf(unpadded, sizeof(unpadded), "%.*s\n", (int)strcspn(coded[i], "="), coded[i]);
		assert_int_equal(base64_decode(&bare, unpadded), 0);
		assert_int_equal(bare.len, strlen(plain[i]));
		buf_free(&out);
		buf_free(&back);
		buf_free(&bare);
	}
}

static void test_base64_round_trip_and_bad_text(void **state)
{
	unsigned char data[200];
	size_t len, i;
	struct buf bad = {0};

	(void)state;
	for (len = 0; len <= sizeof(data); len++) {
		struct buf out = {0}, back = {0};

		for (i = 0; i < len; i++)
			data[i] = (unsigned char)next();
		base64_encode(&out, data, len);
		assert_int_equal(out.len, 4 * ((len + 2) / 3));
		assert_int_equal(base64_decode(&back, out.data ? out.data : ""), 0);
		assert_int_equal(back.len, len);
		assert_memory_equal(back.data ? back.data : "", data, len);
		buf_free(&out);
		buf_free(&back);
	}
	assert_int_equal(base64_decode(&bad, "Zm9v!"), -1);
	assert_int_equal(base64_decode(&bad, "Zm 9v"), -1);
	buf_free(&bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fips_examples),
		cmocka_unit_test(test_pieces_and_sha256sum),
		cmocka_unit_test(test_base64_rfc_examples),
		cmocka_unit_test(test_base64_round_trip_and_bad_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

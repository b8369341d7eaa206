/* test_json_text.c: json_text writes what jansson's json_dumps writes
 * (random documents without reals, under every set of flags flowc and
 * flowrun use), and reals in the shortest form that reads back as the same
 * double, with a '.' or an exponent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_text.h"

static unsigned seed = 12345;

static unsigned next(void)
{
	seed = seed * 1103515245u + 12345u;
	return seed >> 8;
}

/* random_value: a document of depth at most depth, reals only when reals */
static json_t *random_value(int depth, int reals)
{
	static const char *const words[] = {"", "a", "b c", "q\"uote", "back\\slash", "tab\there",
					    "nl\nx", "\x01\x1f ctl", "caf\xc3\xa9", "\xe2\x82\xac", "/"};
	unsigned k = next() % (depth > 0 ? 8 : 6);
	json_t *v;
	size_t i, n;

	switch (k) {
	case 0: return json_null();
	case 1: return json_boolean(next() % 2);
	case 2: return json_integer((json_int_t)next() - (json_int_t)(1u << 23));
	case 3: return json_string(words[next() % (sizeof(words) / sizeof(words[0]))]);
	case 4: return reals ? json_real((double)(int)(next() % 2000000) / 1000.0 - 1000)
			     : json_integer((json_int_t)next() * 4096);
	case 5: return json_string("x");
	case 6:
		v = json_array();
		n = next() % 5;
		for (i = 0; i < n; i++)
			json_array_append_new(v, random_value(depth - 1, reals));
		return v;
	default:
		v = json_object();
		n = next() % 5;
		for (i = 0; i < n; i++) {
			char key[16];

			snprintf(key, sizeof(key), "%c%u", 'a' + (char)(next() % 26), next() % 100);
			json_object_set_new(v, key, random_value(depth - 1, reals));
		}
		return v;
	}
}

static void test_as_jansson_writes(void **state)
{
	static const size_t flags[] = {
		JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY,
		JSON_COMPACT | JSON_ENCODE_ANY,
		JSON_INDENT(2) | JSON_SORT_KEYS,
		JSON_INDENT(2) | JSON_ENCODE_ANY,
		JSON_ENCODE_ANY,
	};
	int i;
	size_t f;

	(void)state;
	for (i = 0; i < 3000; i++) {
		json_t *v = random_value(4, 0);

		for (f = 0; f < sizeof(flags) / sizeof(flags[0]); f++) {
			char *a = json_dumps(v, flags[f] | JSON_ENCODE_ANY), *b = json_text(v, flags[f]);

			if (strcmp(a, b) != 0)
				fail_msg("flags %zx:\njansson: %s\nours:    %s", flags[f], a, b);
			free(a);
			free(b);
		}
		json_decref(v);
	}
}

/* Strings are scanned eight bytes at a time where nothing needs escaping:
 * every byte to escape is found at every offset of every length, and
 * bytes of 0x7f and above (UTF-8) are kept as they are. */
static void test_strings_every_offset(void **state)
{
	static const char *const specials[] = {"\x01", "\x1f", "\"", "\\", "\n", "\t",
					       "\x7f", " ", "~", "\xc3\xa9", "\xe2\x82\xac"};
	char text[64];
	size_t len, pos, k, last;

	(void)state;
	for (len = 0; len <= 40; len++)
		for (pos = 0; pos <= len; pos++)
			for (k = 0; k < sizeof(specials) / sizeof(specials[0]); k++)
				for (last = 0; last < 2; last++) {
					size_t n = 0, sl = strlen(specials[k]);
					json_t *v;
					char *a, *b;

					memset(text, 'a', len);
					n = len;
					memmove(text + pos + sl, text + pos, len - pos);
					memcpy(text + pos, specials[k], sl);
					n += sl;
					if (last) /* and one more at the very end */
						text[n++] = '"';
					v = json_stringn(text, n);
					assert_non_null(v);
					a = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
					b = json_text(v, JSON_COMPACT | JSON_ENCODE_ANY);
					if (strcmp(a, b) != 0)
						fail_msg("jansson: %s\nours:    %s", a, b);
					free(a);
					free(b);
					json_decref(v);
				}
}

/* A string's text is written into the buffer it is added to, room made
 * for it unescaped and more at each escape: a string of escapes only,
 * and every byte below 0x80 in turn, added after text already there,
 * read as jansson writes them. */
static void test_strings_escapes_grow(void **state)
{
	char text[128 * 20];
	size_t n, len, k;

	(void)state;
	for (n = 0; n < sizeof(text); n++)
		text[n] = (char)(n % 127 + 1);
	for (k = 0; k < 3; k++)
		for (len = 0; len <= sizeof(text); len += len < 300 ? 1 : 97) {
			const char *s = k == 0 ? text : k == 1 ? "\n\n\n\n\n\n\n\n\n\n\n\n" : "\x01";
			size_t sl = k == 0 ? len : k == 1 ? len % 12 : 1;
			struct buf b = {0};
			json_t *v = json_stringn(s, sl);
			char *theirs;

			assert_non_null(v);
			theirs = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			buf_puts(&b, "x");
			json_text_string(&b, s, sl);
			assert_int_equal(b.len, 1 + strlen(theirs));
			assert_string_equal(b.data + 1, theirs);
			free(theirs);
			buf_free(&b);
			json_decref(v);
		}
}

static void test_reals_shortest(void **state)
{
	static const struct {
		double d;
		const char *text;
	} cases[] = {
		{0.05, "0.05"}, {1.0, "1.0"}, {-2.0, "-2.0"}, {0.1 + 0.2, "0.30000000000000004"},
		{1e20, "1e20"}, {1.5e-7, "1.5e-7"}, {123456789012.0, "123456789012.0"},
		{1.7976931348623157e308, "1.7976931348623157e308"}, {5e-324, "5e-324"},
		{100.0, "100.0"}, {1e16, "10000000000000000.0"}, {1e17, "1e17"}, {-0.0, "-0.0"},
		{2.5, "2.5"}, {0.0001, "0.0001"}, {0.00001, "1e-5"}, {1234.5, "1234.5"},
	};
	char out[64];
	size_t i;
	int k;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_text_real(cases[i].d, out, sizeof(out));
		assert_string_equal(out, cases[i].text);
	}
	/* random doubles read back exactly, never longer than jansson's */
	for (k = 0; k < 100000; k++) {
		uint64_t bits = (uint64_t)next() << 40 ^ (uint64_t)next() << 20 ^ next();
		double d;
		json_t *v;
		char *theirs;

		memcpy(&d, &bits, sizeof(d));
		if (!isfinite(d))
			continue;
		json_text_real(d, out, sizeof(out));
		assert_true(strtod(out, NULL) == d);
		assert_true(strpbrk(out, ".e") != NULL);
		v = json_real(d);
		theirs = json_dumps(v, JSON_ENCODE_ANY);
		assert_true(strlen(out) <= strlen(theirs) || strchr(theirs, 'e') == NULL);
		free(theirs);
		json_decref(v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_as_jansson_writes),
		cmocka_unit_test(test_strings_every_offset),
		cmocka_unit_test(test_strings_escapes_grow),
		cmocka_unit_test(test_reals_shortest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

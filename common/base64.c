/* base64.c: base64 (RFC 4648) both ways, for the built-in file tasks and
 * for the files a bundled plan carries. It knows nothing of what it
 * encodes. */
#include "base64.h"

#include <stdlib.h>
#include <string.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void base64_encode(struct buf *out, const unsigned char *p, size_t n)
{
	size_t len = 4 * ((n + 2) / 3), i, k = 0;
	char *text = xmalloc(len + 1);

	for (i = 0; i + 3 <= n; i += 3) {
		unsigned long v = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8 | p[i + 2];

		text[k++] = alphabet[v >> 18];
		text[k++] = alphabet[(v >> 12) & 63];
		text[k++] = alphabet[(v >> 6) & 63];
		text[k++] = alphabet[v & 63];
	}
	if (i < n) { /* one or two bytes left: padded to four characters */
		unsigned long v = (unsigned long)p[i] << 16 | (i + 1 < n ? (unsigned long)p[i + 1] << 8 : 0);

		text[k++] = alphabet[v >> 18];
		text[k++] = alphabet[(v >> 12) & 63];
		text[k++] = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
		text[k++] = '=';
	}
	buf_add(out, text, k);
	free(text);
}

/* value: a base64 character's six bits, or -1 */
static int value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* The text up to its first '=' (the padding, optional: what is written by
 * hand often lacks it), line breaks skipped; bits left over at the end
 * that make no whole byte are dropped, as is one character alone in its
 * group of four. */
int base64_decode(struct buf *out, const char *s)
{
	size_t len = strlen(s), i, k = 0;
	unsigned char *bytes = xmalloc(len / 4 * 3 + 3);
	unsigned long acc = 0;
	int bits = 0;

	for (i = 0; i < len && s[i] != '='; i++) {
		unsigned char c = (unsigned char)s[i];
		int v;

		if (c == '\n' || c == '\r')
			continue;
		if ((v = value(c)) < 0) {
			free(bytes);
			return -1;
		}
		acc = (acc << 6 | (unsigned long)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			bytes[k++] = (unsigned char)(acc >> bits);
		}
	}
	buf_add(out, (const char *)bytes, k);
	free(bytes);
	return 0;
}

/* base64.c: base64 (RFC 4648) both ways, by libcrypto, for the built-in
 * file tasks and for the files a bundled plan carries. It knows nothing
 * of what it encodes. */
#include "base64.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

/* base64_encode: n bytes at p as base64 (RFC 4648, padded, one line),
 * appended to out; libcrypto's EVP_EncodeBlock does the work */
void base64_encode(struct buf *out, const unsigned char *p, size_t n)
{
	size_t len = 4 * ((n + 2) / 3);
	unsigned char *text = xmalloc(len + 1);

	/* in pieces: EVP_EncodeBlock takes an int length */
	len = 0;
	while (n) {
		size_t piece = n > 3u << 20 ? 3u << 20 : n;

		len += (size_t)EVP_EncodeBlock(text + len, p, (int)piece);
		p += piece;
		n -= piece;
	}
	buf_add(out, (const char *)text, len);
	free(text);
}

/* base64_decode: the bytes base64 text s holds, appended to out; line
 * breaks are skipped and the padding is optional (what is written by hand
 * often lacks it). 0, or -1 for a character that is not base64. Decoded by
 * libcrypto's EVP_DecodeBlock, given the text without line breaks, cut at
 * its first '=' and padded again (it wants whole groups of four). */
int base64_decode(struct buf *out, const char *s)
{
	size_t n = 0, len = strlen(s), pad, i;
	unsigned char *text = xmalloc(len + 4), *bytes;
	int got;

	for (i = 0; i < len && s[i] != '='; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n' || c == '\r')
			continue;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '/')) {
			free(text);
			return -1;
		}
		text[n++] = c;
	}
	/* one character alone holds less than a byte: nothing */
	if (n % 4 == 1)
		n--;
	pad = (4 - n % 4) % 4;
	for (i = 0; i < pad; i++)
		text[n + i] = '=';
	n += pad;
	bytes = xmalloc(n / 4 * 3 + 1);
	got = n ? EVP_DecodeBlock(bytes, text, (int)n) : 0;
	if (got >= 0)
		buf_add(out, (const char *)bytes, (size_t)got - pad);
	free(text);
	free(bytes);
	return got < 0 ? -1 : 0;
}

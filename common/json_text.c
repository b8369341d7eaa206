/* json_text.c: the JSON writer of flowc and flowrun (include/json_text.h).
 * It follows jansson's dump.c in everything but reals: separators, indent,
 * escapes, key order. */
#include "json_text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void json_text_real(double d, char *out, size_t size)
{
	char *p, *e;
	int prec;

	/* the fewest digits that read back as d: at most 17 for a double */
	for (prec = 1; prec <= 17; prec++) {
		snprintf(out, size, "%.*g", prec, d);
		if (strtod(out, NULL) == d)
			break;
	}
	/* an exponent only where %.17g would write one (beyond 1e17 or below
	 * 1e-5), so that 100.0 is not 1e2: as many digits as the integer part
	 * has are enough when fewer were */
	if ((e = strchr(out, 'e')) != NULL) {
		int x = atoi(e + 1);

		if (x >= -5 && x < 17) {
			snprintf(out, size, "%.*g", x + 1 > prec ? x + 1 : prec, d);
			e = strchr(out, 'e');
		}
	}
	/* as jansson: no '+' and no leading zeros in the exponent */
	if (e) {
		char *src = e + 1, *dst = e + 1;

		if (*src == '+')
			src++;
		else if (*src == '-')
			*dst++ = *src++;
		while (*src == '0' && src[1])
			src++;
		memmove(dst, src, strlen(src) + 1);
	} else if (!strchr(out, '.') && !strchr(out, 'n') && !strchr(out, 'i')) {
		/* a real stays a real: 1.0, not 1 */
		p = out + strlen(out);
		if ((size_t)(p - out) + 3 <= size)
			memcpy(p, ".0", 3);
	}
}

/* plain8: whether none of the 8 bytes at s needs escaping (a control
 * character, '"' or '\\'), tested on all eight at once */
static int plain8(const char *s)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	uint64_t x, q, bs;

	memcpy(&x, s, 8);
	q = x ^ (ones * '"');
	bs = x ^ (ones * '\\');
	/* a byte below 0x20, or one equal to '"' or '\\' (zero after the xor),
	 * sets its high bit here; bytes of 0x80 and above never do */
	return (((x - ones * 0x20) | (q - ones) | (bs - ones)) & ~x & highs) == 0;
}

/* escape: the escape of c (a control character, '"' or '\\') at o;
 * returns the end of what was written (2 or 6 bytes) */
static char *escape(char *o, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF"; /* as jansson */
	char e;

	switch (c) {
	case '"': e = '"'; break;
	case '\\': e = '\\'; break;
	case '\b': e = 'b'; break;
	case '\f': e = 'f'; break;
	case '\n': e = 'n'; break;
	case '\r': e = 'r'; break;
	case '\t': e = 't'; break;
	default:
		memcpy(o, "\\u00", 4);
		o[4] = hex[c >> 4];
		o[5] = hex[c & 15];
		return o + 6;
	}
	o[0] = '\\';
	o[1] = e;
	return o + 2;
}

/* The text is written straight into b: room for the string unescaped is
 * made once, more only at an escape (6 bytes at most for 1), so a long
 * string never takes six times its length. */
void json_text_string(struct buf *b, const char *s, size_t len)
{
	size_t i = 0;
	char *o;

	if (b->len + len + 3 > b->cap)
		buf_room(b, b->len + len + 3);
	o = b->data + b->len;
	*o++ = '"';
	while (i < len) {
		unsigned char c;

		if (i + 8 <= len && plain8(s + i)) {
			memcpy(o, s + i, 8);
			o += 8;
			i += 8;
			continue;
		}
		c = (unsigned char)s[i++];
		if (c >= 0x20 && c != '"' && c != '\\') {
			*o++ = (char)c;
			continue;
		}
		/* the escape and what is left, unescaped, and the closing quote */
		b->len = (size_t)(o - b->data);
		if (b->len + 6 + (len - i) + 2 > b->cap)
			buf_room(b, b->len + 6 + (len - i) + 2);
		o = escape(b->data + b->len, c);
	}
	*o++ = '"';
	*o = '\0';
	b->len = (size_t)(o - b->data);
}

static void newline(struct buf *b, size_t flags, int depth)
{
	int i, n = (int)(flags & JSON_MAX_INDENT) * depth;

	if (!(flags & JSON_MAX_INDENT))
		return;
	buf_putc(b, '\n');
	for (i = 0; i < n; i++)
		buf_putc(b, ' ');
}

/* an object's member, for writing them in order */
struct member {
	const char *key;
	const json_t *value;
};

static int cmp_member(const void *a, const void *b)
{
	return strcmp(((const struct member *)a)->key, ((const struct member *)b)->key);
}

static void put_value(struct buf *b, const json_t *v, size_t flags, int depth)
{
	const char *comma = (flags & JSON_COMPACT) || (flags & JSON_MAX_INDENT) ? "," : ", ";
	const char *colon = flags & JSON_COMPACT ? ":" : ": ";
	char num[64];
	size_t i, n;

	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		struct member *m;
		const char *key;
		json_t *item;

		n = json_object_size(v);
		if (!n) {
			buf_puts(b, "{}");
			break;
		}
		/* members as iterated, each with its value: no lookup again */
		m = xmalloc(n * sizeof(*m));
		i = 0;
		json_object_foreach((json_t *)v, key, item) {
			m[i].key = key;
			m[i++].value = item;
		}
		if (flags & JSON_SORT_KEYS)
			qsort(m, n, sizeof(*m), cmp_member);
		buf_putc(b, '{');
		for (i = 0; i < n; i++) {
			newline(b, flags, depth + 1);
			json_text_string(b, m[i].key, strlen(m[i].key));
			buf_puts(b, colon);
			put_value(b, m[i].value, flags, depth + 1);
			if (i + 1 < n)
				buf_puts(b, comma);
		}
		newline(b, flags, depth);
		buf_putc(b, '}');
		free(m);
		break;
	}
	case JSON_ARRAY:
		n = json_array_size(v);
		if (!n) {
			buf_puts(b, "[]");
			break;
		}
		buf_putc(b, '[');
		for (i = 0; i < n; i++) {
			newline(b, flags, depth + 1);
			put_value(b, json_array_get(v, i), flags, depth + 1);
			if (i + 1 < n)
				buf_puts(b, comma);
		}
		newline(b, flags, depth);
		buf_putc(b, ']');
		break;
	case JSON_STRING:
		json_text_string(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		buf_puts(b, num);
		break;
	case JSON_REAL:
		json_text_real(json_real_value(v), num, sizeof(num));
		buf_puts(b, num);
		break;
	case JSON_TRUE:
		buf_puts(b, "true");
		break;
	case JSON_FALSE:
		buf_puts(b, "false");
		break;
	case JSON_NULL:
		buf_puts(b, "null");
		break;
	}
}

char *json_text(const json_t *v, size_t flags)
{
	struct buf b = {0};

	if (!v)
		return NULL;
	put_value(&b, v, flags, 0);
	return buf_steal(&b);
}

void json_text_append(struct buf *b, const json_t *v, size_t flags)
{
	put_value(b, v, flags, 0);
}

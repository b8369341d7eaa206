/* limits.c: the limits of a run (docs/run.md, "Limits"). */
#include "limits.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void limits_default(struct limits *l)
{
	l->depth = LIMITS_DEPTH;
	l->result = LIMITS_RESULT;
	l->log = LIMITS_LOG;
}

/* parse_size: "123", "64K", "16M", "1G" (powers of 1024); -1 if not one */
static int parse_size(const char *text, size_t *out)
{
	unsigned long long v, unit = 1;
	char *end;

	if (*text < '0' || *text > '9')
		return -1;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'K': unit = 1ULL << 10; end++; break;
	case 'M': unit = 1ULL << 20; end++; break;
	case 'G': unit = 1ULL << 30; end++; break;
	default: break;
	}
	if (*end == 'i' && unit > 1)
		end++;
	if (*end == 'B' && unit > 1)
		end++;
	if (*end || v > (1ULL << 50) / unit)
		return -1;
	*out = (size_t)(v * unit);
	return 0;
}

int limits_option(struct limits *l, const char *option, const char *text, struct buf *why)
{
	size_t n;

	if (strcmp(option, "--max-depth") == 0) {
		if (parse_size(text, &n) < 0 || strpbrk(text, "KMG") || n < 1 || n > LIMITS_DEPTH_MAX) {
			buf_printf(why, "--max-depth takes a number from 1 to %d, not '%s'",
				   LIMITS_DEPTH_MAX, text);
			return -1;
		}
		l->depth = (int)n;
		return 1;
	}
	if (strcmp(option, "--max-result") != 0 && strcmp(option, "--max-log") != 0)
		return 0;
	if (parse_size(text, &n) < 0 || n == 0) {
		buf_printf(why, "%s takes a size in bytes, or with K, M or G (e.g. 64M), not '%s'",
			   option, text);
		return -1;
	}
	if (option[6] == 'r')
		l->result = n;
	else
		l->log = n;
	return 1;
}

json_t *limits_json(const struct limits *l)
{
	return json_pack("{s:i,s:I,s:I}", "depth", l->depth, "result", (json_int_t)l->result, "log",
			 (json_int_t)l->log);
}

int limits_from_json(struct limits *l, const json_t *o, struct buf *why)
{
	const json_t *d = json_object_get(o, "depth"), *r = json_object_get(o, "result"),
		     *g = json_object_get(o, "log");

	if ((o && !json_is_object(o)) || (d && (!json_is_integer(d) || json_integer_value(d) < 1 ||
					       json_integer_value(d) > LIMITS_DEPTH_MAX)) ||
	    (r && (!json_is_integer(r) || json_integer_value(r) < 1)) ||
	    (g && (!json_is_integer(g) || json_integer_value(g) < 1))) {
		buf_puts(why, "run.json: \"limits\" is not {depth, result, log} of positive numbers");
		return -1;
	}
	if (d)
		l->depth = (int)json_integer_value(d);
	if (r)
		l->result = (size_t)json_integer_value(r);
	if (g)
		l->log = (size_t)json_integer_value(g);
	return 0;
}

void limits_too_big(const struct limits *l, const char *what, struct buf *why)
{
	buf_printf(why, "%s is larger than the limit on a result, ", what);
	limits_size_text(why, l->result);
	buf_puts(why, " (--max-result)");
}

void limits_size_text(struct buf *out, size_t n)
{
	static const char *const units[] = {"bytes", "KiB", "MiB", "GiB"};
	int u = 0;

	while (u < 3 && n >= 1024 && n % 1024 == 0) {
		n /= 1024;
		u++;
	}
	buf_printf(out, "%zu %s", n, units[u]);
}

/* walk: -1 when v, under level collections, nests deeper than max or
 * holds a NUL (then *nul is set); recursion stops at max levels */
static int walk(const json_t *v, int level, int max, int *nul)
{
	const char *key;
	json_t *item;
	size_t i, klen;

	if (json_is_string(v)) {
		if (memchr(json_string_value(v), '\0', json_string_length(v))) {
			*nul = 1;
			return -1;
		}
		return 0;
	}
	if (!json_is_array(v) && !json_is_object(v))
		return 0;
	if (level + 1 > max)
		return -1;
	if (json_is_array(v)) {
		json_array_foreach(v, i, item)
			if (walk(item, level + 1, max, nul) < 0)
				return -1;
		return 0;
	}
	json_object_keylen_foreach((json_t *)v, key, klen, item) {
		if (memchr(key, '\0', klen)) {
			*nul = 1;
			return -1;
		}
		if (walk(item, level + 1, max, nul) < 0)
			return -1;
	}
	return 0;
}

void limits_not_json(const struct limits *l, const char *what, const json_error_t *err,
		     struct buf *why)
{
	if (strstr(err->text, "\\u0000"))
		buf_printf(why, "%s holds a string with a NUL character (U+0000), which flowrun does "
				"not carry", what);
	else if (strstr(err->text, "maximum parsing depth"))
		buf_printf(why, "%s nests deeper than %d levels (--max-depth)", what, l->depth);
	else
		buf_printf(why, "%s is not JSON (line %d: %s)", what, err->line, err->text);
}

int limits_check(const json_t *v, const struct limits *l, const char *what, struct buf *why)
{
	int nul = 0;

	if (walk(v, 0, l->depth, &nul) == 0)
		return 0;
	if (nul)
		buf_printf(why, "%s holds a string with a NUL character (U+0000), which flowrun does "
				"not carry", what);
	else
		buf_printf(why, "%s nests deeper than %d levels (--max-depth)", what, l->depth);
	return -1;
}

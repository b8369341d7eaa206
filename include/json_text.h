/* json_text.h: JSON text as jansson's json_dumps writes it, with one
 * difference: a real is written in the shortest form that reads back as
 * the same double (0.05, not 0.050000000000000003), so that values read
 * the way people wrote them, everywhere flowc and flowrun print JSON. The
 * form is the same on every machine (C's printf and strtod), so plans stay
 * byte-identical. */
#ifndef FLOW_JSON_TEXT_H
#define FLOW_JSON_TEXT_H

#include <jansson.h>

#include "util.h"

/* json_text: v as text; flags as json_dumps takes them (JSON_COMPACT,
 * JSON_INDENT(n), JSON_SORT_KEYS; any value may be at the top); to free */
char *json_text(const json_t *v, size_t flags);
/* json_text_append: the same text of v (not NULL), appended to b */
void json_text_append(struct buf *b, const json_t *v, size_t flags);
/* json_text_string: s (len bytes) as a JSON string, escaped as json_text
 * escapes strings, appended to b */
void json_text_string(struct buf *b, const char *s, size_t len);
/* json_text_real: the shortest text of d that reads back as d, with a '.'
 * or an exponent so that it reads back as a real; into out (at least 32
 * bytes) */
void json_text_real(double d, char *out, size_t size);

#endif

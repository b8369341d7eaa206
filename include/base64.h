/* base64.h: base64 (RFC 4648) both ways, for the built-in file tasks and
 * for the files a bundled plan carries. */
#ifndef FLOW_BASE64_H
#define FLOW_BASE64_H

#include <stddef.h>

#include "util.h"

/* base64_encode: n bytes at p as base64 (padded, one line), appended to out */
void base64_encode(struct buf *out, const unsigned char *p, size_t n);
/* base64_decode: the bytes base64 text s holds, appended to out; line
 * breaks are skipped and the padding is optional. 0, or -1 for a
 * character that is not base64. */
int base64_decode(struct buf *out, const char *s);

#endif

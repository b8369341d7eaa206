/* ref.c: references inside ${{ }}: the lexer and driver of the lemon
 * grammar, and finding ${{ }} in strings. It binds nothing. */
#include "ref.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref_gram.h"

/* longest accepted list index, in digits */
#define MAX_INDEX_DIGITS 9

static void ref_error(struct ref_parse *p, size_t off, const char *fmt, ...) ATTR_PRINTF(3, 4);
static void ref_error(struct ref_parse *p, size_t off, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return;
	p->failed = 1;
	p->err->offset = off;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
}

void refparse_syntax_error(struct ref_parse *p, int major, const struct ref_token *tok)
{
	switch (major) {
	case -1:
		ref_error(p, tok->off, "reference too complex");
		break;
	case 0:
		if (p->last == RT_DOT)
			ref_error(p, p->end, "reference ends after '.'; expected a name");
		else if (p->last == RT_LBRACKET)
			ref_error(p, p->end, "reference ends after '['; expected an index or a quoted key");
		else if (!p->out->name)
			ref_error(p, p->end, "incomplete reference; expected params.NAME or tasks.NAME");
		else
			ref_error(p, p->end, "reference ends too early");
		break;
	case RT_NAME:
		ref_error(p, tok->off, "unexpected name '%.*s'; a path step is .field, [0] or [\"key\"]",
			  (int)(tok->len > 40 ? 40 : tok->len), tok->s);
		break;
	default:
		ref_error(p, tok->off, "unexpected '%.*s' in reference", (int)(tok->len > 40 ? 40 : tok->len),
			  tok->s);
		break;
	}
}

void refparse_root(struct ref_parse *p, const struct ref_token *root, const struct ref_token *name)
{
	if (root->len == 6 && memcmp(root->s, "params", 6) == 0) {
		p->out->root = REF_PARAM;
	} else if (root->len == 5 && memcmp(root->s, "tasks", 5) == 0) {
		p->out->root = REF_TASK;
	} else {
		ref_error(p, root->off, "a reference starts with 'params.' or 'tasks.', not '%.*s.'",
			  (int)(root->len > 40 ? 40 : root->len), root->s);
		return;
	}
	p->out->name = arena_strndup(p->arena, name->s, name->len);
	p->out->name_off = name->off;
}

static struct ref_step *add_step(struct ref_parse *p, size_t off)
{
	struct ref_step *s;

	util_grow(&p->out->steps, &p->capsteps, p->out->nsteps + 1, sizeof(*p->out->steps));
	s = &p->out->steps[p->out->nsteps++];
	memset(s, 0, sizeof(*s));
	s->off = off;
	return s;
}

void refparse_key(struct ref_parse *p, const struct ref_token *key)
{
	add_step(p, key->off)->key = arena_strndup(p->arena, key->s, key->len);
}

void refparse_index(struct ref_parse *p, const struct ref_token *index)
{
	struct ref_step *s;

	if (index->len > MAX_INDEX_DIGITS) {
		ref_error(p, index->off, "list index too large");
		return;
	}
	s = add_step(p, index->off);
	s->is_index = 1;
	s->index = strtol(index->s, NULL, 10);
}

/* next_token: the token at p->pos of the body; 0 at the end, -1 on error */
static int next_token(struct ref_parse *p, struct ref_token *tok)
{
	const char *body = p->body;
	size_t len = p->end, i = p->pos, *pos = &p->pos;

	while (i < len && isspace((unsigned char)body[i]))
		i++;
	tok->off = i;
	tok->s = body + i;
	tok->len = 1;
	*pos = i + 1;
	if (i >= len) {
		tok->len = 0;
		*pos = i;
		return 0;
	}
	switch (body[i]) {
	case '.': return RT_DOT;
	case '[': return RT_LBRACKET;
	case ']': return RT_RBRACKET;
	case '"':
	case '\'': {
		size_t used = util_unquote(p->arena, body + i, len - i, &tok->s, &tok->len);

		if (!used) {
			ref_error(p, tok->off, "quoted key is not closed");
			return -1;
		}
		*pos = i + used;
		return RT_STRING;
	}
	default:
		break;
	}
	if (isdigit((unsigned char)body[i])) {
		while (i < len && isdigit((unsigned char)body[i]))
			i++;
		tok->len = i - tok->off;
		*pos = i;
		return RT_INT;
	}
	tok->len = util_name_len(body + i, len - i);
	if (tok->len) {
		*pos = i + tok->len;
		return RT_NAME;
	}
	if ((unsigned char)body[i] < 0x20 || (unsigned char)body[i] >= 0x7f)
		ref_error(p, tok->off, "unexpected character (byte 0x%02X) in reference",
			  (unsigned char)body[i]);
	else
		ref_error(p, tok->off, "unexpected character '%c' in reference", body[i]);
	return -1;
}

int ref_parse(struct arena *a, const char *body, size_t len, struct ref *out,
	      struct parse_error *err)
{
	struct ref_parse p = {0};
	size_t pos;

	memset(out, 0, sizeof(*out));
	p.arena = a;
	p.out = out;
	p.err = err;
	p.end = len;
	p.body = body;
	for (pos = 0; pos < len && isspace((unsigned char)body[pos]); pos++)
		;
	if (pos == len)
		ref_error(&p, 0, "empty reference; expected params.NAME or tasks.NAME");
	refparse_run(&p, next_token);
	if (out->nsteps) {
		struct ref_step *steps = arena_alloc(a, out->nsteps * sizeof(*steps));

		memcpy(steps, out->steps, out->nsteps * sizeof(*steps));
		free(out->steps);
		out->steps = steps;
	} else {
		free(out->steps);
		out->steps = NULL;
	}
	return p.failed ? -1 : 0;
}

/* find: the offset of the first pat (plen bytes) in s[from..len), or len.
 * memchr, not strstr: a sanitizer's strstr reads the whole rest of the
 * string at each call, which makes a string of many references quadratic */
static size_t find(const char *s, size_t len, size_t from, const char *pat, size_t plen)
{
	const char *p;

	while (from + plen <= len && (p = memchr(s + from, pat[0], len - from - plen + 1))) {
		from = (size_t)(p - s);
		if (memcmp(p, pat, plen) == 0)
			return from;
		from++;
	}
	return len;
}

int ref_next(const char *s, size_t len, size_t from, struct ref_span *span)
{
	size_t open = find(s, len, from, "${{", 3), close;

	if (open == len)
		return 0;
	span->start = (uint32_t)open;
	span->body = (uint32_t)(open + 3);
	close = find(s, len, span->body, "}}", 2);
	if (close == len) {
		span->body_len = (uint32_t)(len - span->body);
		span->end = 0;
	} else {
		span->body_len = (uint32_t)(close - span->body);
		span->end = (uint32_t)(close + 2);
	}
	return 1;
}

/* type.c: the type language: lexer and driver for the lemon grammar,
 * constructors, canonical printing, equality, assignability and joins. It
 * knows nothing of YAML or flows. */
#include "type.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "type_gram.h"
#include "type_parse.h"

const struct type type_never = {.kind = TYPE_NEVER};
const struct type type_any = {.kind = TYPE_ANY};
const struct type type_null = {.kind = TYPE_NULL};
const struct type type_bool = {.kind = TYPE_BOOL};
const struct type type_int = {.kind = TYPE_INT};
const struct type type_float = {.kind = TYPE_FLOAT};
const struct type type_number = {.kind = TYPE_NUMBER};
const struct type type_string = {.kind = TYPE_STRING};

static const struct {
	const char *name;        /* as written */
	const struct type *type; /* what it means */
} primitives[] = {
	{"any", &type_any},   {"null", &type_null},     {"bool", &type_bool},
	{"int", &type_int},   {"float", &type_float},   {"number", &type_number},
	{"string", &type_string},
};
#define NPRIMITIVES (sizeof(primitives) / sizeof(*primitives))

static const char *const format_names[] = {"text", "json", "yaml", "bytes", "any"};
static const char *const constructors[] = {"list", "dict", "file", "db"};

const char *type_format_name(enum type_format f)
{
	return format_names[f];
}

int type_format_parse(const char *name)
{
	int i;

	for (i = 0; i < 5; i++)
		if (strcmp(name, format_names[i]) == 0)
			return i;
	return -1;
}

static struct type *new_type(struct arena *a, enum type_kind kind)
{
	struct type *t = arena_alloc(a, sizeof(*t));

	memset(t, 0, sizeof(*t));
	t->kind = kind;
	return t;
}

const struct type *type_list(struct arena *a, const struct type *elem)
{
	struct type *t = new_type(a, TYPE_LIST);

	t->elem = elem;
	return t;
}

const struct type *type_dict(struct arena *a, const struct type *elem)
{
	struct type *t = new_type(a, TYPE_DICT);

	t->elem = elem;
	return t;
}

const struct type *type_optional(struct arena *a, const struct type *elem)
{
	struct type *t;

	if (elem->kind == TYPE_OPTIONAL || elem->kind == TYPE_NULL || elem->kind == TYPE_ANY)
		return elem;
	t = new_type(a, TYPE_OPTIONAL);
	t->elem = elem;
	return t;
}

const struct type *type_file(struct arena *a, enum type_format format)
{
	struct type *t = new_type(a, TYPE_FILE);

	t->format = format;
	return t;
}

const struct type *type_db(struct arena *a, const struct type *elem)
{
	struct type *t = new_type(a, TYPE_DB);

	t->elem = elem;
	return t;
}

static int cmp_field(const void *pa, const void *pb)
{
	const struct type_field *a = pa, *b = pb;

	return strcmp(a->name, b->name);
}

const struct type *type_record(struct arena *a, const struct type_field *fields, size_t n)
{
	struct type *t = new_type(a, TYPE_RECORD);
	struct type_field *copy = arena_alloc(a, (n ? n : 1) * sizeof(*copy));

	if (n)
		memcpy(copy, fields, n * sizeof(*copy));
	qsort(copy, n, sizeof(*copy), cmp_field);
	t->fields = copy;
	t->nfields = n;
	return t;
}

const struct type_field *type_field_find(const struct type *record, const char *name)
{
	size_t lo = 0, hi = record->nfields;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(name, record->fields[mid].name);

		if (c == 0)
			return &record->fields[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* ---- parsing ---- */

void typeparse_error(struct type_parse *p, size_t off, const char *fmt, ...)
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

static const char *token_desc(int major)
{
	switch (major) {
	case 0: return "end of type";
	case TT_QUESTION: return "'?'";
	case TT_NAME: return "a name";
	case TT_LBRACKET: return "'['";
	case TT_RBRACKET: return "']'";
	case TT_LBRACE: return "'{'";
	case TT_RBRACE: return "'}'";
	case TT_COMMA: return "','";
	case TT_COLON: return "':'";
	case TT_STRING: return "a quoted name";
	default: return "a token";
	}
}

void typeparse_syntax_error(struct type_parse *p, int major, const struct type_token *tok)
{
	if (major == 0)
		typeparse_error(p, p->end, "type ends too early");
	else if (major == TT_NAME)
		typeparse_error(p, tok->off, "unexpected name '%.*s'", (int)(tok->len > 40 ? 40 : tok->len),
				tok->s);
	else
		typeparse_error(p, tok->off, "unexpected %s", token_desc(major));
}

static const char *suggest_name(const char *name, int with_formats)
{
	const char *cands[NPRIMITIVES + 9];
	size_t n = 0, i;

	for (i = 0; i < NPRIMITIVES; i++)
		cands[n++] = primitives[i].name;
	for (i = 0; i < 4; i++)
		cands[n++] = constructors[i];
	if (with_formats)
		for (i = 0; i < 4; i++)
			cands[n++] = format_names[i];
	return util_suggest(name, cands, n);
}

const struct type *typeparse_name(struct type_parse *p, const struct type_token *name)
{
	char *s = arena_strndup(p->arena, name->s, name->len);
	struct type *t;
	size_t i;

	for (i = 0; i < NPRIMITIVES; i++)
		if (strcmp(s, primitives[i].name) == 0)
			return primitives[i].type;
	/* a file format is only meaningful inside file[...]; typeparse_apply
	 * takes it, and type_parse refuses one left anywhere else */
	if (type_format_parse(s) >= 0) {
		t = new_type(p->arena, TYPE_NAME);
		t->name = s;
		return t;
	}
	for (i = 0; i < 4; i++)
		if (strcmp(s, constructors[i]) == 0) {
			typeparse_error(p, name->off, "'%s' needs a type argument, as in %s[%s]", s, s,
					strcmp(s, "file") == 0 ? "text" : "string");
			return &type_any;
		}
	if (suggest_name(s, 0))
		typeparse_error(p, name->off, "unknown type '%.40s' (did you mean '%s'?)", s,
				suggest_name(s, 0));
	else
		typeparse_error(p, name->off, "unknown type '%.40s'", s);
	return &type_any;
}

const struct type *typeparse_apply(struct type_parse *p, const struct type_token *ctor,
				   const struct type *arg)
{
	char *s = arena_strndup(p->arena, ctor->s, ctor->len);
	size_t argoff = ctor->off + ctor->len + 1;

	if (strcmp(s, "file") == 0) {
		if (arg->kind == TYPE_ANY)
			return type_file(p->arena, FORMAT_ANY);
		if (arg->kind == TYPE_NAME)
			return type_file(p->arena, (enum type_format)type_format_parse(arg->name));
		typeparse_error(p, argoff, "file[...] takes a format: text, json, yaml, bytes or any");
		return &type_any;
	}
	if (arg->kind == TYPE_NAME) {
		typeparse_error(p, argoff, "'%s' is a file format, not a type (did you mean file[%s]?)",
				arg->name, arg->name);
		return &type_any;
	}
	if (strcmp(s, "list") == 0)
		return type_list(p->arena, arg);
	if (strcmp(s, "dict") == 0)
		return type_dict(p->arena, arg);
	if (strcmp(s, "db") == 0)
		return type_db(p->arena, arg);
	{
		const char *cands[] = {"list", "dict", "file", "db"};
		const char *hint = util_suggest(s, cands, 4);

		if (hint)
			typeparse_error(p, ctor->off, "unknown type '%.40s[...]' (did you mean '%s'?)",
					s, hint);
		else
			typeparse_error(p, ctor->off, "unknown type '%.40s[...]'; the types that take an "
					"argument are list, dict, file and db", s);
	}
	return &type_any;
}

const struct type *typeparse_optional(struct type_parse *p, const struct type *t)
{
	return type_optional(p->arena, t);
}

struct type_fnode *typeparse_field(struct type_parse *p, const struct type_token *name,
				   int optional, const struct type *t)
{
	struct type_fnode *f = arena_alloc(p->arena, sizeof(*f));

	f->field.name = arena_strndup(p->arena, name->s, name->len);
	f->field.optional = optional;
	f->field.type = t;
	f->off = name->off;
	f->next = NULL;
	return f;
}

const struct type *typeparse_record(struct type_parse *p, const struct type_flist *fields)
{
	struct type_field *arr = xmalloc((fields->n ? fields->n : 1) * sizeof(*arr));
	const struct type_fnode *f;
	const struct type *t;
	size_t n = 0, i;

	for (f = fields->head; f && n < fields->n; f = f->next) {
		for (i = 0; i < n; i++)
			if (strcmp(arr[i].name, f->field.name) == 0)
				typeparse_error(p, f->off, "field '%.40s' appears twice",
						f->field.name);
		arr[n++] = f->field;
	}
	t = type_record(p->arena, arr, n);
	free(arr);
	return t;
}

/* check_names: a format name anywhere but inside file[...] is an error */
static void check_names(struct type_parse *p, const struct type *t)
{
	size_t i;

	switch (t->kind) {
	case TYPE_NAME:
		typeparse_error(p, 0, "'%s' is a file format, not a type (did you mean file[%s] "
				"or string?)", t->name, t->name);
		break;
	case TYPE_LIST:
	case TYPE_DICT:
	case TYPE_OPTIONAL:
	case TYPE_DB:
		check_names(p, t->elem);
		break;
	case TYPE_RECORD:
		for (i = 0; i < t->nfields; i++)
			check_names(p, t->fields[i].type);
		break;
	default:
		break;
	}
}

/* next_token: the token at *pos, advancing it; 0 at the end, -1 on error */
static int next_token(struct type_parse *p, const char *text, size_t *pos, struct type_token *tok)
{
	size_t i = *pos;

	while (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')
		i++;
	tok->off = i;
	tok->s = text + i;
	tok->len = 1;
	*pos = i + 1;
	switch (text[i]) {
	case '\0': *pos = i; return 0;
	case '?': return TT_QUESTION;
	case '[': return TT_LBRACKET;
	case ']': return TT_RBRACKET;
	case '{': return TT_LBRACE;
	case '}': return TT_RBRACE;
	case ',': return TT_COMMA;
	case ':': return TT_COLON;
	case '"': {
		size_t used = util_unquote(p->arena, text + i, strlen(text + i), &tok->s, &tok->len);

		if (!used) {
			typeparse_error(p, tok->off, "quoted field name is not closed");
			return -1;
		}
		*pos = i + used;
		return TT_STRING;
	}
	default:
		break;
	}
	tok->len = util_name_len(text + i, strlen(text + i));
	if (tok->len) {
		*pos = i + tok->len;
		return TT_NAME;
	}
	if ((unsigned char)text[i] < 0x20 || (unsigned char)text[i] >= 0x7f)
		typeparse_error(p, tok->off, "unexpected character (byte 0x%02X) in type",
				(unsigned char)text[i]);
	else
		typeparse_error(p, tok->off, "unexpected character '%c' in type", text[i]);
	return -1;
}

const struct type *type_parse(struct arena *a, const char *text, struct parse_error *err)
{
	struct type_parse p = {0};
	void *parser = TypeParseAlloc(xmalloc);
	struct type_token tok = {text, 0, 0};
	size_t pos = 0;
	int major;

	p.arena = a;
	p.err = err;
	p.end = strlen(text);
	if (text[strspn(text, " \t\r\n")] == '\0')
		typeparse_error(&p, 0, "empty type");
	while (!p.failed) {
		major = next_token(&p, text, &pos, &tok);
		if (major < 0)
			break;
		TypeParse(parser, major, tok, &p);
		if (major == 0)
			break;
	}
	TypeParseFree(parser, free);
	if (!p.failed && !p.result)
		typeparse_error(&p, p.end, "empty type");
	if (!p.failed)
		check_names(&p, p.result);
	return p.failed ? NULL : p.result;
}

/* ---- printing ---- */

static int is_plain_name(const char *s)
{
	size_t len = strlen(s);

	return len && util_name_len(s, len) == len;
}

void type_print(struct buf *b, const struct type *t)
{
	size_t i;

	switch (t->kind) {
	case TYPE_NEVER: buf_puts(b, "never"); return;
	case TYPE_ANY: buf_puts(b, "any"); return;
	case TYPE_NULL: buf_puts(b, "null"); return;
	case TYPE_BOOL: buf_puts(b, "bool"); return;
	case TYPE_INT: buf_puts(b, "int"); return;
	case TYPE_FLOAT: buf_puts(b, "float"); return;
	case TYPE_NUMBER: buf_puts(b, "number"); return;
	case TYPE_STRING: buf_puts(b, "string"); return;
	case TYPE_NAME: buf_puts(b, t->name); return;
	case TYPE_LIST: buf_puts(b, "list["); type_print(b, t->elem); buf_putc(b, ']'); return;
	case TYPE_DICT: buf_puts(b, "dict["); type_print(b, t->elem); buf_putc(b, ']'); return;
	case TYPE_DB: buf_puts(b, "db["); type_print(b, t->elem); buf_putc(b, ']'); return;
	case TYPE_OPTIONAL: type_print(b, t->elem); buf_putc(b, '?'); return;
	case TYPE_FILE: buf_printf(b, "file[%s]", format_names[t->format]); return;
	case TYPE_RECORD:
		buf_putc(b, '{');
		for (i = 0; i < t->nfields; i++) {
			const char *s;

			if (i)
				buf_puts(b, ", ");
			if (is_plain_name(t->fields[i].name)) {
				buf_puts(b, t->fields[i].name);
			} else {
				buf_putc(b, '"');
				for (s = t->fields[i].name; *s; s++) {
					if (*s == '"' || *s == '\\')
						buf_putc(b, '\\');
					buf_putc(b, *s);
				}
				buf_putc(b, '"');
			}
			buf_puts(b, t->fields[i].optional ? "?: " : ": ");
			type_print(b, t->fields[i].type);
		}
		buf_putc(b, '}');
		return;
	}
}

const char *type_str(const struct type *t)
{
	static _Thread_local char bufs[8][256];
	static _Thread_local unsigned next;
	char *out = bufs[next++ % 8];
	struct buf b = {0};

	type_print(&b, t);
	if (b.len < sizeof(bufs[0])) {
		memcpy(out, b.data, b.len + 1);
	} else {
		memcpy(out, b.data, sizeof(bufs[0]) - 4);
		memcpy(out + sizeof(bufs[0]) - 4, "...", 4);
	}
	buf_free(&b);
	return out;
}

int type_equal(const struct type *a, const struct type *b)
{
	size_t i;

	if (a == b)
		return 1;
	if (a->kind != b->kind)
		return 0;
	switch (a->kind) {
	case TYPE_LIST:
	case TYPE_DICT:
	case TYPE_OPTIONAL:
	case TYPE_DB:
		return type_equal(a->elem, b->elem);
	case TYPE_FILE:
		return a->format == b->format;
	case TYPE_NAME:
		return strcmp(a->name, b->name) == 0;
	case TYPE_RECORD:
		if (a->nfields != b->nfields)
			return 0;
		for (i = 0; i < a->nfields; i++)
			if (strcmp(a->fields[i].name, b->fields[i].name) ||
			    a->fields[i].optional != b->fields[i].optional ||
			    !type_equal(a->fields[i].type, b->fields[i].type))
				return 0;
		return 1;
	default:
		return 1;
	}
}

/* ---- assignability ---- */

/* both: combine the fits of two parts of one value */
static enum type_fit both(enum type_fit x, enum type_fit y)
{
	if (x == FIT_NO || y == FIT_NO)
		return FIT_NO;
	return x == FIT_VIA_ANY || y == FIT_VIA_ANY ? FIT_VIA_ANY : FIT_YES;
}

static int numeric_rank(enum type_kind k)
{
	switch (k) {
	case TYPE_INT: return 1;
	case TYPE_FLOAT: return 2;
	case TYPE_NUMBER: return 3;
	default: return 0;
	}
}

static enum type_fit record_fits(const struct type *s, const struct type *t)
{
	enum type_fit fit = FIT_YES;
	size_t i;

	for (i = 0; i < t->nfields && fit != FIT_NO; i++) {
		const struct type_field *tf = &t->fields[i];
		const struct type_field *sf = type_field_find(s, tf->name);

		if (!sf) {
			if (!tf->optional)
				return FIT_NO;
			continue;
		}
		/* a field that may be absent cannot fill one that must be there */
		if (sf->optional && !tf->optional)
			return FIT_NO;
		fit = both(fit, type_assignable(sf->type, tf->type));
	}
	return fit;
}

enum type_fit type_assignable(const struct type *s, const struct type *t)
{
	size_t i;

	if (t->kind == TYPE_ANY || s->kind == TYPE_NEVER)
		return FIT_YES;
	if (s->kind == TYPE_ANY)
		return FIT_VIA_ANY;
	if (t->kind == TYPE_OPTIONAL) {
		if (s->kind == TYPE_NULL)
			return FIT_YES;
		return type_assignable(s->kind == TYPE_OPTIONAL ? s->elem : s, t->elem);
	}
	if (s->kind == TYPE_OPTIONAL)
		return FIT_NO;
	if (numeric_rank(s->kind) && numeric_rank(t->kind))
		return numeric_rank(s->kind) <= numeric_rank(t->kind) ? FIT_YES : FIT_NO;
	switch (t->kind) {
	case TYPE_LIST:
		return s->kind == TYPE_LIST ? type_assignable(s->elem, t->elem) : FIT_NO;
	case TYPE_DICT:
		if (s->kind == TYPE_DICT)
			return type_assignable(s->elem, t->elem);
		if (s->kind == TYPE_RECORD) {
			/* a record whose every field fits the values is a dict */
			enum type_fit fit = FIT_YES;

			for (i = 0; i < s->nfields; i++)
				fit = both(fit, type_assignable(s->fields[i].type, t->elem));
			return fit;
		}
		return FIT_NO;
	case TYPE_RECORD:
		return s->kind == TYPE_RECORD ? record_fits(s, t) : FIT_NO;
	case TYPE_FILE:
		if (s->kind != TYPE_FILE)
			return FIT_NO;
		if (t->format == FORMAT_ANY || s->format == t->format)
			return FIT_YES;
		return s->format == FORMAT_ANY ? FIT_VIA_ANY : FIT_NO;
	case TYPE_DB:
		return s->kind == TYPE_DB ? type_assignable(s->elem, t->elem) : FIT_NO;
	default:
		return s->kind == t->kind ? FIT_YES : FIT_NO;
	}
}

const struct type *type_join(struct arena *a, const struct type *x, const struct type *y)
{
	if (x->kind == TYPE_NEVER || type_assignable(x, y) == FIT_YES)
		return y;
	if (y->kind == TYPE_NEVER || type_assignable(y, x) == FIT_YES)
		return x;
	if (x->kind == TYPE_NULL)
		return type_optional(a, y);
	if (y->kind == TYPE_NULL)
		return type_optional(a, x);
	if (x->kind == TYPE_LIST && y->kind == TYPE_LIST)
		return type_list(a, type_join(a, x->elem, y->elem));
	return &type_any;
}

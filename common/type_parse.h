/* type_parse.h: what the type grammar (type_gram.y) and its driver in
 * type.c share: tokens, the parse context and the actions' builders. */
#ifndef FLOWC_TYPE_PARSE_H
#define FLOWC_TYPE_PARSE_H

#include "type.h"

struct type_token {
	const char *s;    /* the token's text (decoded for strings) */
	size_t len;       /* bytes of s */
	size_t off;       /* byte offset in the type text */
};

/* a record field while its record is being parsed */
struct type_fnode {
	struct type_field field;  /* name, optional, type */
	size_t off;               /* where its name is */
	struct type_fnode *next;  /* the field after it */
};

struct type_flist {
	struct type_fnode *head;  /* first field */
	struct type_fnode *tail;  /* last field */
	size_t n;                 /* number of fields */
};

struct type_parse {
	struct arena *arena;        /* where types go */
	const struct type *result;  /* the parsed type, once accepted */
	struct parse_error *err;     /* the first error */
	int failed;                 /* 1 once an error was recorded */
	size_t end;                 /* length of the text: the offset of end-of-input */
};

void typeparse_error(struct type_parse *p, size_t off, const char *fmt, ...) ATTR_PRINTF(3, 4);
void typeparse_syntax_error(struct type_parse *p, int major, const struct type_token *tok);
const struct type *typeparse_name(struct type_parse *p, const struct type_token *name);
const struct type *typeparse_apply(struct type_parse *p, const struct type_token *ctor,
				   const struct type *arg);
const struct type *typeparse_optional(struct type_parse *p, const struct type *t);
struct type_fnode *typeparse_field(struct type_parse *p, const struct type_token *name,
				   int optional, const struct type *t);
const struct type *typeparse_record(struct type_parse *p, const struct type_flist *fields);

/* the generated parser */
void *TypeParseAlloc(void *(*alloc)(size_t));
void TypeParse(void *parser, int major, struct type_token minor, struct type_parse *p);
void TypeParseFree(void *parser, void (*release)(void *));

#endif

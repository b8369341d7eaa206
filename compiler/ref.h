/* ref.h: references inside ${{ }} (docs/spec.md, "Task"): the parsed form, the lemon
 * grammar's interface, and finding references in YAML strings. It binds
 * nothing to parameters or tasks. */
#ifndef FLOWC_REF_H
#define FLOWC_REF_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

enum ref_root { REF_PARAM, REF_TASK };

/* one step of a path into the referenced value */
struct ref_step {
	int is_index;     /* 1 for [N], 0 for .key or ["key"] */
	const char *key;  /* the key, when not an index */
	long index;       /* the index, when is_index */
	size_t off;       /* byte offset of the step in the reference body */
};

struct ref {
	const char *name;        /* the parameter's or task's name */
	struct ref_step *steps;  /* the path, in order */
	enum ref_root root;      /* params. or tasks. */
	uint32_t name_off;       /* byte offset of name in the body (< 2 GiB: a file's) */
	uint32_t nsteps;         /* number of steps */
};

/* ref_parse: parses the body of one ${{ }} (the text between the braces);
 * returns 0, or -1 with *err filled (offset relative to body). Everything
 * is allocated in a. */
int ref_parse(struct arena *a, const char *body, size_t len, struct ref *out,
	      struct parse_error *err);

/* where one ${{ }} is in a string (of a spec file: under 2 GiB, so offsets
 * fit in 32 bits) */
struct ref_span {
	uint32_t start;     /* offset of "${{" */
	uint32_t body;      /* offset of the body, after "${{" */
	uint32_t body_len;  /* bytes of body, before "}}" */
	uint32_t end;       /* offset just after "}}"; 0 when unclosed */
};

/* ref_next: the first ${{ at or after from in s (len bytes), or 0 when
 * there is none; costs the bytes it passes over */
int ref_next(const char *s, size_t len, size_t from, struct ref_span *span);

/* ---- for the grammar (ref_gram.y) and its driver ---- */
struct ref_token {
	const char *s;    /* the token's text (decoded for strings) */
	size_t len;       /* bytes of s */
	size_t off;       /* byte offset in the body */
};

struct ref_parse {
	struct arena *arena;       /* where the result goes */
	struct ref *out;           /* what is being built */
	size_t capsteps;           /* steps allocated (with xrealloc, moved to arena at the end) */
	struct parse_error *err;   /* the first error */
	int failed;                /* 1 once an error was recorded */
	size_t end;                /* length of the body */
	int last;                  /* the token fed before the current one (0 before the first) */
	const char *body;          /* the text between ${{ and }} */
	size_t pos;                /* where the next token starts in body */
};

void refparse_syntax_error(struct ref_parse *p, int major, const struct ref_token *tok);
void refparse_root(struct ref_parse *p, const struct ref_token *root, const struct ref_token *name);
void refparse_key(struct ref_parse *p, const struct ref_token *key);
void refparse_index(struct ref_parse *p, const struct ref_token *index);

/* refparse_run: the grammar's parser, on the stack, fed the tokens next
 * gives (0 at the end, -1 on an error it recorded) until the end or the
 * first failure (ref_gram.y) */
void refparse_run(struct ref_parse *p, int (*next)(struct ref_parse *p, struct ref_token *tok));

#endif

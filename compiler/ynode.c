/* ynode.c: YAML documents as trees of nodes that remember their source
 * position, loaded with libyaml's event parser without recursion. It knows
 * YAML, not flows. */
#include "ynode.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

/* bytes for the text of a NUL escape: the longest, \U00000000, and its NUL */
#define ESCAPE_SIZE 11

/* Nodes are allocated in blocks, each in the registry, sorted by address,
 * of the blocks of every loaded file: a node's file is found from its
 * address, so that nodes need not carry it. */
struct yblock {
	struct yblock *next;    /* older block of the same file */
	size_t cap;             /* nodes it has room for */
	size_t used;            /* nodes handed out */
	struct ynode nodes[];   /* the nodes */
};

/* nodes in a block: 96 KiB; a larger collection has a block of its own */
#define BLOCK_NODES 4096

struct span {
	const struct ynode *start;  /* a block's first node */
	const struct ynode *end;    /* just after its last */
	const char *path;           /* its file's path; NULL once the file is freed */
	uint32_t line;              /* lines of the file before the part of it
				       parsed alone whose nodes these are: added
				       to theirs */
};

static struct {
	struct span *spans;     /* by address, not overlapping */
	size_t n;               /* number of spans */
	size_t cap;             /* allocated spans */
	size_t dead;            /* spans of freed files, dropped when they are half */
} reg;

/* span_after: the index of the first span ending after p */
static size_t span_after(const struct ynode *p)
{
	size_t lo = 0, hi = reg.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (reg.spans[mid].end <= p)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void registry_add(const struct ynode *start, size_t n, const char *path, uint32_t line)
{
	size_t at = span_after(start), past = at;

	/* spans of freed files whose memory the new block took over */
	while (past < reg.n && reg.spans[past].start < start + n)
		past++;
	reg.dead -= past - at;
	if (past == at) {
		util_grow(&reg.spans, &reg.cap, reg.n + 1, sizeof(*reg.spans));
		memmove(reg.spans + at + 1, reg.spans + at, (reg.n - at) * sizeof(*reg.spans));
		reg.n++;
	} else {
		memmove(reg.spans + at + 1, reg.spans + past, (reg.n - past) * sizeof(*reg.spans));
		reg.n -= past - at - 1;
	}
	reg.spans[at] = (struct span){start, start + n, path, line};
}

static void registry_drop(const struct ynode *start)
{
	size_t i = span_after(start), j, k;

	if (i < reg.n && reg.spans[i].start == start && reg.spans[i].path) {
		reg.spans[i].path = NULL;
		reg.dead++;
	}
	if (reg.dead * 2 < reg.n)
		return;
	for (j = k = 0; j < reg.n; j++)
		if (reg.spans[j].path)
			reg.spans[k++] = reg.spans[j];
	reg.n = k;
	reg.dead = 0;
	if (!reg.n) {
		free(reg.spans);
		reg.spans = NULL;
		reg.cap = 0;
	}
}

/* loc_in: where node n of the file path is */
static struct diag_loc loc_in(const char *path, const struct ynode *n)
{
	struct diag_loc loc = {path, (int)n->line, (int)n->col, n->width ? (int)(n->col + n->width) : 0};

	return loc;
}

struct diag_loc yn_loc(const struct ynode *n)
{
	size_t i = span_after(n);
	struct diag_loc loc;

	if (i >= reg.n || reg.spans[i].start > n || !reg.spans[i].path)
		fatal("internal error: a node of no loaded file");
	loc = loc_in(reg.spans[i].path, n);
	loc.line += (int)reg.spans[i].line;
	return loc;
}

/* A collection being built: its node, whose items are its children once it closes. */
struct frame {
	struct ynode node;      /* the sequence or mapping */
	size_t first;           /* where its children start in the loader's kids */
};

/* strings longer than this are not looked up: they seldom repeat */
#define INTERN_MAX 128

struct loader {
	struct yfile *f;        /* the file being loaded */
	struct diags *ds;       /* where problems go */
	struct frame *stack;    /* open collections, innermost last */
	size_t depth;           /* open collections */
	size_t cap;             /* allocated frames */
	struct ynode *kids;     /* the children of the open collections so far, outermost's first */
	size_t nkids;           /* number of kids */
	size_t kidcap;          /* allocated kids */
	struct ynode **docs;    /* finished document roots */
	size_t ndocs;           /* number of docs */
	size_t doccap;          /* allocated docs */
	struct yn_size *sizes;  /* their sizes */
	size_t sizecap;         /* allocated sizes */
	struct yn_size size;    /* the current document's so far */
	struct ynode root;      /* the current document's root once complete */
	int has_root;           /* 1 once root is */
	struct strmap strs;     /* the file's short strings, each once, by their text */
	size_t hint;            /* nodes the file may have, for its first block */
	const char *data;       /* the file's bytes, for positions libyaml does not give */
	size_t len;             /* bytes of data */
	size_t src_byte;        /* a byte offset of data (after the BOM at least) ... */
	size_t src_index;       /* ... and libyaml's character index of it */
	size_t end_line;        /* lines of data, once parsed to its end (libyaml's count) */
	int unlisted;           /* 1: the file's blocks are registered once it is parsed */
	int prefault;           /* 1: blocks made resident when made (a second
				   thread's heap grows a 4 KiB page at a time,
				   each a fault) */
	struct arena *strings;  /* where strings go, when not in the file's arena */
};

/* link_block: makes b f's current block, or puts it after the current one */
static void link_block(struct yfile *f, struct yblock *b, int after)
{
	if (after) {
		b->next = f->blocks->next;
		f->blocks->next = b;
	} else {
		b->next = f->blocks;
		f->blocks = b;
	}
}

/* new_block: an empty block of room for cap nodes of f, registered unless
 * unlisted */
static struct yblock *new_block(struct yfile *f, size_t cap, int unlisted)
{
	struct yblock *b = xmalloc(sizeof(*b) + cap * sizeof(*b->nodes));

	b->cap = cap;
	b->used = 0;
	b->next = NULL;
	if (!unlisted)
		registry_add(b->nodes, cap, f->path, 0);
	return b;
}

/* alloc_nodes: room for n nodes of the file, contiguous: in its current
 * block or a new one */
static struct ynode *alloc_nodes(struct loader *l, size_t n)
{
	struct yfile *f = l->f;
	struct yblock *b = f->blocks;
	struct ynode *p;

	if (!b || b->cap - b->used < n) {
		/* a large collection has a block of its own; the current one stays */
		int after = f->blocks && n > BLOCK_NODES / 4;

		size_t cap = f->blocks ? BLOCK_NODES : l->hint < 64 ? 64
			   : l->hint < BLOCK_NODES ? l->hint : BLOCK_NODES;

		b = new_block(f, cap < n ? n : cap, l->unlisted);
		if (l->prefault)
			util_prefault(b, sizeof(*b) + b->cap * sizeof(*b->nodes));
		link_block(f, b, after);
	}
	p = b->nodes + b->used;
	b->used += n;
	return p;
}

/* intern: s as a string of the file's arena (or l's strings), the same
 * one for equal short strings */
static const char *intern(struct loader *l, const char *s, size_t len)
{
	struct arena *a = l->strings ? l->strings : &l->f->arena;
	const char *str;

	if (len > INTERN_MAX)
		return arena_strndup(a, s, len);
	str = strmap_get(&l->strs, s, len);
	if (!str) {
		str = arena_strndup(a, s, len);
		strmap_put(&l->strs, str, len, (void *)str);
	}
	return str;
}

static struct diag_loc mark_loc(const struct yfile *f, yaml_mark_t m)
{
	struct diag_loc loc = {f->path, (int)m.line + 1, (int)m.column + 1, 0};

	return loc;
}

/* add_doc: a document's root and size after those l holds */
static void add_doc(struct loader *l, struct ynode *root, struct yn_size size)
{
	util_grow(&l->docs, &l->doccap, l->ndocs + 1, sizeof(*l->docs));
	util_grow(&l->sizes, &l->sizecap, l->ndocs + 1, sizeof(*l->sizes));
	l->sizes[l->ndocs] = size;
	l->docs[l->ndocs++] = root;
}

/* offset_loc: line and column of a byte offset, for reader errors that carry
 * no mark */
static struct diag_loc offset_loc(const struct yfile *f, const char *data, size_t len, size_t off)
{
	struct diag_loc loc = {f->path, 1, 1, 0};
	size_t i;

	for (i = 0; i < off && i < len; i++) {
		if (data[i] == '\n') {
			loc.line++;
			loc.col = 1;
		} else if (((unsigned char)data[i] & 0xc0) != 0x80) {
			loc.col++;
		}
	}
	return loc;
}

/* set_end: n's width, from where it ends (0-based, as libyaml counts) */
static void set_end(struct ynode *n, yaml_mark_t end)
{
	size_t cols = end.column + 1 - n->col;

	if (end.line + 1 == n->line && end.column + 1 > n->col)
		n->width = (uint16_t)(cols < UINT16_MAX ? cols : UINT16_MAX);
}

/* init_node: n a node of kind starting at start, its width up to end */
static void init_node(struct ynode *n, enum yn_kind kind, yaml_mark_t start, yaml_mark_t end)
{
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->line = (uint32_t)start.line + 1;
	n->col = (uint32_t)start.column + 1;
	set_end(n, end);
}

static struct ynode new_node(enum yn_kind kind, yaml_mark_t start, yaml_mark_t end)
{
	struct ynode n;

	init_node(&n, kind, start, end);
	return n;
}

static int cmp_key(const void *pa, const void *pb)
{
	const struct ynode *a = *(struct ynode *const *)pa, *b = *(struct ynode *const *)pb;
	size_t min = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->str, b->str, min);

	if (c)
		return c;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	/* keys are distinct nodes in file order */
	return a < b ? -1 : a > b;
}

/* report_repeat: key b repeats the earlier key first of its mapping */
static void report_repeat(struct loader *l, struct ynode *b, const struct ynode *first)
{
	b->repeated = 1;
	diag_report(l->ds, DIAG_E0002, loc_in(l->f->path, b), "duplicate key '%s'",
		    diag_quote(b->str));
	diag_note(l->ds, loc_in(l->f->path, first), "first defined here");
}

/* mappings up to this many pairs are checked pair by pair, larger ones sorted */
#define SMALL_MAP 16

/* check_keys: reports non-scalar keys and duplicate keys of a mapping, its
 * n pairs at items, and marks each key that repeats an earlier one */
static void check_keys(struct loader *l, struct ynode *items, size_t n)
{
	struct ynode **keys;
	size_t nkeys = 0, first, i, j;

	for (i = 0; i < n; i++)
		if (items[2 * i].kind != YN_SCALAR)
			diag_report(l->ds, DIAG_E0005, loc_in(l->f->path, &items[2 * i]),
				    "mapping key is %s, not a string", yn_kind_name(&items[2 * i]));
	if (n <= SMALL_MAP) {
		/* equal short strings of a file are one string: mostly a pointer compared */
		for (i = 1; i < n; i++) {
			struct ynode *k = &items[2 * i];

			for (j = 0; k->kind == YN_SCALAR && j < i; j++) {
				const struct ynode *a = &items[2 * j];

				if (a->kind == YN_SCALAR && a->len == k->len &&
				    (a->str == k->str || memcmp(a->str, k->str, k->len) == 0)) {
					report_repeat(l, k, a);
					break;
				}
			}
		}
		return;
	}
	keys = xmalloc(n * sizeof(*keys));
	for (i = 0; i < n; i++)
		if (items[2 * i].kind == YN_SCALAR)
			keys[nkeys++] = &items[2 * i];
	qsort(keys, nkeys, sizeof(*keys), cmp_key);
	for (i = 1, first = 0; i < nkeys; i++) {
		struct ynode *a = keys[i - 1], *b = keys[i];

		if (a->len != b->len || memcmp(a->str, b->str, a->len) != 0)
			first = i;
		else
			report_repeat(l, b, keys[first]);
	}
	free(keys);
}

/* next_node: room for the next node of the innermost open collection, or
 * for the document's root: the node is made there */
static struct ynode *next_node(struct loader *l)
{
	if (!l->depth) {
		l->has_root = 1;
		return &l->root;
	}
	if (l->nkids + 1 > l->kidcap)
		util_grow(&l->kids, &l->kidcap, l->nkids + 1, sizeof(*l->kids));
	return &l->kids[l->nkids++];
}

/* attach: adds a complete node to the innermost open collection, or makes it
 * the document root */
static void attach(struct loader *l, const struct ynode *n)
{
	*next_node(l) = *n;
}

static void open_collection(struct loader *l, const struct ynode *n)
{
	struct frame fr = {*n, l->nkids};

	VEC_PUSH(l->stack, l->depth, l->cap, fr);
}

static void close_collection(struct loader *l, yaml_mark_t end)
{
	struct frame *top = &l->stack[--l->depth];
	struct ynode n = top->node;
	size_t count = l->nkids - top->first;
	struct ynode *items = NULL;

	if (count) {
		items = alloc_nodes(l, count);
		memcpy(items, l->kids + top->first, count * sizeof(*items));
	}
	l->nkids = top->first;
	n.items = items;
	n.n = (uint32_t)(n.kind == YN_MAP ? count / 2 : count);
	set_end(&n, end);
	if (n.kind == YN_MAP)
		check_keys(l, items, n.n);
	attach(l, &n);
}

/* cols_exact: whether each character of a scalar is one column of its
 * source: one line, plain or quoted, as many columns as characters (and
 * quotes): no escapes */
static int cols_exact(const struct ynode *n, const yaml_event_t *ev)
{
	const uint64_t highs = 0x8080808080808080u, ones = 0x0101010101010101u;
	size_t quotes = n->style == YN_SINGLE_QUOTED || n->style == YN_DOUBLE_QUOTED ? 2 : 0;
	size_t cols = ev->end_mark.column - ev->start_mark.column, i = 0, cont = 0;
	uint64_t x;

	if (ev->end_mark.line != ev->start_mark.line || !(n->style == YN_PLAIN || quotes) ||
	    cols > n->len + quotes)
		return 0;
	/* characters: bytes less the continuation bytes (10xxxxxx) of UTF-8,
	 * counted eight at a time: a 1 in each byte that is one, summed into
	 * the top byte by the multiplication */
	for (; i + 8 <= n->len; i += 8) {
		memcpy(&x, n->str + i, 8);
		cont += (size_t)((((x & highs & ~(x << 1)) >> 7) * ones) >> 56);
	}
	for (; i < n->len; i++)
		cont += ((unsigned char)n->str[i] & 0xc0) == 0x80;
	return cols == n->len - cont + quotes;
}

/* scalar_node: n the node of scalar event ev */
static void scalar_node(struct loader *l, const yaml_event_t *ev, struct ynode *n)
{
	init_node(n, YN_SCALAR, ev->start_mark, ev->end_mark);
	n->str = intern(l, (const char *)ev->data.scalar.value, ev->data.scalar.length);
	n->len = (uint32_t)ev->data.scalar.length;
	switch (ev->data.scalar.style) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE: n->style = YN_SINGLE_QUOTED; break;
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE: n->style = YN_DOUBLE_QUOTED; break;
	case YAML_LITERAL_SCALAR_STYLE: n->style = YN_LITERAL; break;
	case YAML_FOLDED_SCALAR_STYLE: n->style = YN_FOLDED; break;
	default: n->style = YN_PLAIN; break;
	}
	n->cols_exact = cols_exact(n, ev);
}

/* bom_len: bytes of the UTF-8 byte order mark data starts with, which
 * libyaml's character index does not count */
static size_t bom_len(const char *data, size_t len)
{
	return len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
}

/* source_at: the byte offset in the file of libyaml's character index
 * (UTF-8 input), walked forward from the last one asked for (from the
 * start again, should an index ever be behind it); scalars come in file
 * order, so the walks of one file cost its length */
static size_t source_at(struct loader *l, size_t index)
{
	if (index < l->src_index) {
		l->src_byte = bom_len(l->data, l->len);
		l->src_index = 0;
	}
	while (l->src_index < index && l->src_byte < l->len) {
		l->src_byte++;
		while (l->src_byte < l->len && ((unsigned char)l->data[l->src_byte] & 0xc0) == 0x80)
			l->src_byte++;
		l->src_index++;
	}
	return l->src_byte;
}

/* step: moves loc over the character at data[i], a line break (CR LF, CR,
 * LF, NEL, LS, PS, as libyaml counts them) to the next line; returns the
 * offset of the next character */
static size_t step(struct diag_loc *loc, const char *data, size_t i, size_t end)
{
	const unsigned char *p = (const unsigned char *)data + i;
	size_t rest = end - i, w = 1;
	int brk = 1;

	if (p[0] == '\r' && rest > 1 && p[1] == '\n')
		w = 2;
	else if (p[0] == 0xc2 && rest > 1 && p[1] == 0x85)
		w = 2;
	else if (p[0] == 0xe2 && rest > 2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9))
		w = 3;
	else if (p[0] != '\r' && p[0] != '\n')
		for (brk = 0; w < rest && (p[w] & 0xc0) == 0x80; w++)
			;
	if (brk) {
		loc->line++;
		loc->col = 1;
	} else {
		loc->col++;
	}
	return i + w;
}

/* nul_escape: the length of the escape after a backslash at s when it makes
 * a NUL character, else 0 */
static size_t nul_escape(const char *s, size_t len)
{
	static const char *const forms[] = {"0", "x00", "u0000", "U00000000"};
	size_t i, n;

	for (i = 0; i < sizeof(forms) / sizeof(*forms); i++) {
		n = strlen(forms[i]);
		if (len >= n && memcmp(s, forms[i], n) == 0)
			return n;
	}
	return 0;
}

/* nul_loc: where the first escape making a NUL character is in the source
 * of a double-quoted scalar (after its anchor, tag and comments), that
 * escape's text in esc; the scalar's position and "" when it cannot be
 * found (a file that is not UTF-8) */
static struct diag_loc nul_loc(struct loader *l, const yaml_event_t *ev, const struct ynode *n,
			       int utf8, char esc[ESCAPE_SIZE])
{
	struct diag_loc loc = loc_in(l->f->path, n);
	size_t i, end, w;
	int quoted = 0, comment = 0;

	loc.end_col = 0; /* the escape, not the scalar */
	esc[0] = '\0';
	if (!utf8 || n->style != YN_DOUBLE_QUOTED)
		return loc_in(l->f->path, n);
	i = source_at(l, ev->start_mark.index);
	end = source_at(l, ev->end_mark.index);
	while (i < end) {
		char c = l->data[i];

		if (quoted && c == '\\' && i + 1 < end) {
			w = nul_escape(l->data + i + 1, end - i - 1);
			if (w) {
				snprintf(esc, ESCAPE_SIZE, "\\%.*s", (int)w, l->data + i + 1);
				return loc;
			}
			if (l->data[i + 1] == '\\' || l->data[i + 1] == '"') {
				loc.col++;
				i++;
			}
		} else if (!quoted && c == '#') {
			comment = 1;
		} else if (!quoted && !comment && c == '"') {
			quoted = 1;
		} else if (c == '\n' || c == '\r') {
			comment = 0;
		}
		i = step(&loc, l->data, i, end);
	}
	return loc_in(l->f->path, n);
}

/* check_nul: reports a scalar holding a NUL character, which C strings,
 * argv and the environment cannot carry; returns 0 then. n is the node
 * last made. */
static int check_nul(struct loader *l, const yaml_parser_t *p, const yaml_event_t *ev,
		     const struct ynode *n)
{
	const struct frame *top;
	const char *what;
	struct diag_loc loc;
	char esc[ESCAPE_SIZE];

	if (!memchr(n->str, '\0', n->len))
		return 1;
	top = l->depth ? &l->stack[l->depth - 1] : NULL;
	what = top && top->node.kind == YN_MAP && (l->nkids - 1 - top->first) % 2 == 0
		? "mapping key" : "string";
	loc = nul_loc(l, ev, n, p->encoding == YAML_UTF8_ENCODING, esc);
	if (*esc)
		diag_report(l->ds, DIAG_E0006, loc, "%s holds a NUL character (the escape '%s'); "
			    "strings may not contain NUL", what, esc);
	else
		diag_report(l->ds, DIAG_E0006, loc, "%s holds a NUL character; strings may not "
			    "contain NUL", what);
	return 0;
}

/* context_subject: "block mapping" from libyaml's "while parsing a block mapping" */
static const char *context_subject(const char *context)
{
	const char *p = strstr(context, " a ");

	if (p)
		return p + 3;
	p = strstr(context, " an ");
	return p ? p + 4 : context;
}

static void report_parser_error(struct loader *l, const yaml_parser_t *p, const char *data, size_t len)
{
	struct diag_loc loc;
	const char *problem = p->problem ? p->problem : "unknown YAML error";

	if (p->error == YAML_READER_ERROR) {
		size_t off = p->problem_offset, back;

		/* a bad trailing byte: point at the character it belongs to */
		for (back = 1; back <= 3 && off >= back && off - back < len; back++) {
			unsigned char c = (unsigned char)data[off - back];

			if ((c & 0xc0) == 0xc0) {
				off -= back;
				break;
			}
			if ((c & 0xc0) != 0x80)
				break;
		}
		loc = offset_loc(l->f, data, len, off);
		if (off < len)
			diag_report(l->ds, DIAG_E0001, loc,
				    "%s: the file must be UTF-8 (byte 0x%02X here)", problem,
				    (unsigned char)data[off]);
		else
			diag_report(l->ds, DIAG_E0001, loc, "%s: the file must be UTF-8", problem);
		return;
	}
	if (p->error == YAML_MEMORY_ERROR)
		fatal("out of memory while parsing %s", l->f->path);
	loc = mark_loc(l->f, p->problem_mark);
	if (p->context)
		diag_report(l->ds, DIAG_E0001, loc, "%s %s", problem, p->context);
	else
		diag_report(l->ds, DIAG_E0001, loc, "%s", problem);
	if (p->context && (p->context_mark.line != p->problem_mark.line ||
			   p->context_mark.column != p->problem_mark.column))
		diag_note(l->ds, mark_loc(l->f, p->context_mark), "the %s started here",
			  context_subject(p->context));
}

/* parse: runs libyaml over data, building documents; returns 0 when the
 * file's documents can be used */
static int parse(struct loader *l, const char *data, size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int ok = 1, done = 0;

	if (!yaml_parser_initialize(&parser))
		fatal("out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	l->data = data;
	l->len = len;
	l->src_byte = bom_len(data, len);
	/* a node for every few bytes of a typical spec */
	l->hint = len / 4;
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			report_parser_error(l, &parser, data, len);
			ok = 0;
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			l->end_line = ev.start_mark.line;
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			l->has_root = 0;
			memset(&l->size, 0, sizeof(l->size));
			l->f->had_documents = 1;
			break;
		case YAML_DOCUMENT_END_EVENT:
			if (l->has_root && !yn_is_null(&l->root)) {
				struct ynode *root = alloc_nodes(l, 1);

				*root = l->root;
				add_doc(l, root, l->size);
			}
			l->has_root = 0;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT: {
			int is_map = ev.type == YAML_MAPPING_START_EVENT;
			struct ynode n = new_node(is_map ? YN_MAP : YN_SEQ, ev.start_mark, ev.start_mark);
			int flow = is_map ? ev.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
					  : ev.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;

			n.style = flow ? YN_FLOW : YN_BLOCK;
			l->size.nodes++;
			if (l->depth >= YN_MAX_DEPTH) {
				diag_report(l->ds, DIAG_E0004, loc_in(l->f->path, &n),
					    "nesting deeper than %d levels", YN_MAX_DEPTH);
				ok = 0;
				done = 1;
				break;
			}
			open_collection(l, &n);
			break;
		}
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			close_collection(l, ev.end_mark);
			break;
		case YAML_SCALAR_EVENT: {
			struct ynode *n = next_node(l);

			scalar_node(l, &ev, n);
			l->size.nodes++;
			l->size.text += n->len;
			if (!check_nul(l, &parser, &ev, n))
				ok = 0;
			break;
		}
		case YAML_ALIAS_EVENT: {
			struct ynode n = new_node(YN_SCALAR, ev.start_mark, ev.end_mark);

			l->size.nodes++;
			diag_report(l->ds, DIAG_E0003, loc_in(l->f->path, &n),
				    "alias '*%s' is not supported; write the value out",
				    diag_quote((const char *)ev.data.alias.anchor));
			n.str = "";
			n.style = YN_PLAIN;
			attach(l, &n);
			ok = 0;
			break;
		}
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	free(l->stack);
	free(l->kids);
	strmap_free(&l->strs);
	yaml_parser_delete(&parser);
	return ok;
}

/* A file of RUNS_MIN bytes or more, where two CPUs are there, is parsed
 * in runs of about RUN_BYTES, each cut at the start of a line that begins
 * a document: "---" at the start of a line, then a blank or the end, which
 * YAML allows inside no scalar and no collection. Two threads take the
 * runs, this one from the front of what is left, a second from the back,
 * until they meet: a CPU slower than the other at the moment takes fewer,
 * and each thread's documents are together, for it to read into the spec
 * model while they are still in its CPU's caches (yfile.split). Each run
 * is parsed alone, its lines counted from 1; once all are done their
 * documents and reports are joined in file order, and their nodes
 * registered with the lines before them, which yn_loc adds. Should any run
 * fail to parse, the file is parsed again in one piece, so that what is
 * reported is what one parse reports. */
#define RUNS_MIN ((size_t)1 << 20)
/* bytes of a run: enough that starting a parse costs nothing; once a
 * quarter of what is left is less, that quarter, down to RUN_BYTES_MIN, so
 * that the runs taken while the other thread ends its own are short and
 * neither waits long for the other at the end */
#define RUN_BYTES ((size_t)256 << 10)
#define RUN_BYTES_MIN ((size_t)32 << 10)
/* runs beyond len / RUN_BYTES that the shorter ones make: a quarter at a
 * time from 4 RUN_BYTES down to 4 RUN_BYTES_MIN, then up to four of
 * RUN_BYTES_MIN, then the last */
#define RUNS_SHORT 16
/* bytes of YAML per byte of the strings it holds, in a spec as people
 * write them, rounded up: for the room the back's runs are given */
#define RUN_BYTES_PER_STRING 8

struct run {
	struct yfile f;         /* its nodes, strings and documents; path borrowed */
	struct diags ds;        /* what it reported */
	struct loader l;        /* its loader */
	const char *data;       /* its bytes */
	size_t len;             /* bytes of data */
};

/* The runs of a file: what is left to cut is [lo, hi), under lock. */
struct runs {
	pthread_mutex_t lock;
	const char *path;       /* the file's path, for the runs */
	const char *data;       /* the file's bytes */
	size_t lo, hi;          /* what no thread has taken */
	int whole;              /* 1: not cut (UTF-16 or UTF-32) */
	struct run *front;      /* runs taken from the front, in file order */
	size_t nfront;          /* number of them */
	struct run *back;       /* from the back, the last first */
	size_t nback;           /* number of them */
	size_t cap;             /* room in front and in back */
	struct arena strings;   /* the back's strings, room made beforehand */
	_Atomic int failed;     /* 1 once a run failed to parse: take no more */
};

/* at_cut: 1 when a document starts at p, a line start with p + 4 before end */
static int at_cut(const char *p, const char *end)
{
	return end - p > 4 && memcmp(p, "---", 3) == 0 && memchr(" \t\r\n", p[3], 4);
}

/* cut_after: the first line start at or after from (not 0) and before end
 * where a document starts; end for none */
static size_t cut_after(const char *data, size_t from, size_t end)
{
	const char *p = data + from - 1, *stop = data + end;

	while ((p = memchr(p, '\n', (size_t)(stop - p))) && !at_cut(++p, stop))
		;
	return p ? (size_t)(p - data) : end;
}

/* cut_before: the last line start after lo and at or before from where a
 * document starts (end bounding what may be read); lo for none */
static size_t cut_before(const char *data, size_t lo, size_t from, size_t end)
{
	size_t at;

	for (at = from; at > lo; at--)
		if (data[at] == '-' && data[at - 1] == '\n' && at_cut(data + at, data + end))
			return at;
	return lo;
}

/* take_run: the next run from the front or the back of what is left, or
 * NULL once nothing is */
static struct run *take_run(struct runs *rs, int back)
{
	struct run *r = NULL;
	size_t start, end;

	pthread_mutex_lock(&rs->lock);
	if (!atomic_load(&rs->failed) && rs->lo < rs->hi) {
		size_t size = (rs->hi - rs->lo) / 4;

		size = size > RUN_BYTES ? RUN_BYTES : size < RUN_BYTES_MIN ? RUN_BYTES_MIN : size;
		start = rs->lo;
		end = rs->hi;
		if (!rs->whole && rs->hi - rs->lo >= size + size / 2) {
			if (back)
				start = cut_before(rs->data, rs->lo, rs->hi - size, rs->hi);
			else
				end = cut_after(rs->data, rs->lo + size, rs->hi);
		}
		if ((back ? rs->nback : rs->nfront) == rs->cap)
			fatal("internal error: more runs of '%s' than counted", rs->path);
		r = back ? &rs->back[rs->nback++] : &rs->front[rs->nfront++];
		r->f.path = (char *)rs->path;
		r->l.f = &r->f;
		r->l.ds = &r->ds;
		r->l.unlisted = 1;
		if (back) {
			r->l.prefault = 1;
			r->l.strings = &rs->strings;
		}
		r->data = rs->data + start;
		r->len = end - start;
		if (back)
			rs->hi = start;
		else
			rs->lo = end;
	}
	pthread_mutex_unlock(&rs->lock);
	return r;
}

/* parse_runs: runs taken from the front of what is left, or from its
 * back, parsed until none is left or one fails */
static void parse_runs(struct runs *rs, int back)
{
	struct run *r;

	while ((r = take_run(rs, back))) {
		/* its table of short strings, for one in every 256 bytes */
		strmap_reserve(&r->l.strs, r->len / 256);
		if (!parse(&r->l, r->data, r->len))
			atomic_store(&rs->failed, 1);
	}
}

static void *parse_back(void *arg)
{
	parse_runs(arg, 1);
	return NULL;
}

/* free_blocks: frees a list of blocks, registered or not */
static void free_blocks(struct yblock *b)
{
	struct yblock *next;

	for (; b; b = next) {
		next = b->next;
		registry_drop(b->nodes);
		free(b);
	}
}

/* free_nodes: frees what f's documents take, keeping its path */
static void free_nodes(struct yfile *f)
{
	free_blocks(f->blocks);
	f->blocks = NULL;
	arena_free(&f->arena);
	free(f->docs);
	free(f->sizes);
	f->docs = NULL;
	f->sizes = NULL;
	f->ndocs = 0;
}

/* join_run: run r's nodes, strings, documents and reports after those
 * joined before it (f's nodes up to *tail and strings, all's documents,
 * ds), its lines moved by line, the lines before it. Its nodes were not
 * registered (the registry has one writer); they are with the lines to
 * add to theirs. The unused end of its last block is kept: giving back
 * part of a 2 MiB page of the heap splits it, and reading what stays in
 * it then costs several times as much. */
static void join_run(struct yfile *f, struct yblock ***tail, struct loader *all, struct run *r,
		     size_t line, struct diags *ds)
{
	struct yblock *blk;
	size_t i, j;

	for (blk = r->f.blocks; blk; blk = blk->next)
		registry_add(blk->nodes, blk->cap, f->path, (uint32_t)line);
	for (i = 0; line && i < r->ds.n; i++) {
		r->ds.items[i].loc.line += (int)line;
		for (j = 0; j < r->ds.items[i].nnotes; j++)
			r->ds.items[i].notes[j].loc.line += (int)line;
	}
	for (**tail = r->f.blocks; **tail; *tail = &(**tail)->next)
		;
	arena_adopt(&f->arena, &r->f.arena);
	for (i = 0; i < r->l.ndocs; i++)
		add_doc(all, r->l.docs[i], r->l.sizes[i]);
	free(r->l.docs);
	free(r->l.sizes);
	f->had_documents |= r->f.had_documents;
	diag_move(ds, &r->ds);
}

/* drop_run: frees what a run made */
static void drop_run(struct run *r)
{
	free(r->l.docs);
	free(r->l.sizes);
	free_nodes(&r->f);
	diag_free(&r->ds);
}

/* parse_in_runs: data parsed into f in runs by two threads. 1 when done;
 * 0 when too small to cut, with one CPU, or when a run failed to parse
 * (parse it whole) */
static int parse_in_runs(struct yfile *f, const char *data, size_t len, struct diags *ds)
{
	struct runs rs = {0};
	struct loader all = {0};
	struct yblock **tail = &f->blocks;
	pthread_t t;
	size_t i, line = 0, split = 0;
	int helped, ok;

	if (len < RUNS_MIN || !util_two_cpus())
		return 0;
	if (pthread_mutex_init(&rs.lock, NULL) != 0)
		fatal("out of memory");
	rs.path = f->path;
	rs.data = data;
	rs.hi = len;
	/* UTF-16 and UTF-32 input (found by its byte order mark) is not cut */
	rs.whole = (unsigned char)data[0] == 0xfe || (unsigned char)data[0] == 0xff || data[0] == '\0';
	rs.cap = len / RUN_BYTES + RUNS_SHORT;
	rs.front = xcalloc(rs.cap, sizeof(*rs.front));
	rs.back = xcalloc(rs.cap, sizeof(*rs.back));
	/* room for about half the strings of the file, for the back, where
	 * this thread's are: a second thread's heap grows a 4 KiB page at a
	 * time, each a fault */
	arena_reserve(&rs.strings, len / 2 / RUN_BYTES_PER_STRING);
	helped = pthread_create(&t, NULL, parse_back, &rs) == 0;
	parse_runs(&rs, 0);
	if (helped && pthread_join(t, NULL) != 0)
		fatal("internal error: a parsing thread was lost");
	pthread_mutex_destroy(&rs.lock);
	ok = !atomic_load(&rs.failed);
	/* in file order: the front's runs, then the back's */
	for (i = 0; i < rs.nfront + rs.nback; i++) {
		struct run *r = i < rs.nfront ? &rs.front[i] : &rs.back[rs.nfront + rs.nback - 1 - i];

		if (i == rs.nfront)
			split = all.ndocs;
		if (ok) {
			join_run(f, &tail, &all, r, line, ds);
			line += r->l.end_line;
		} else {
			drop_run(r);
		}
	}
	free(rs.front);
	free(rs.back);
	if (ok)
		arena_adopt(&f->arena, &rs.strings);
	else
		arena_free(&rs.strings);
	f->docs = all.docs;
	f->sizes = all.sizes;
	f->ndocs = all.ndocs;
	f->split = rs.nback ? split : all.ndocs;
	return ok;
}

void yn_load_string(struct yfile *f, const char *name, const char *data, size_t len, struct diags *ds)
{
	struct loader l = {0};

	memset(f, 0, sizeof(*f));
	f->path = xstrdup(name);
	l.f = f;
	l.ds = ds;
	if (len > YN_MAX_FILE) {
		diag_report(ds, DIAG_E0001, (struct diag_loc){f->path, 1, 1, 0},
			    "the file is larger than 2 GiB, the most flowc reads");
		f->failed = 1;
	} else if (parse_in_runs(f, data, len, ds)) {
		return;
	} else if (parse(&l, data, len)) {
		f->split = l.ndocs;
		f->docs = l.docs;
		f->sizes = l.sizes;
		f->ndocs = l.ndocs;
	} else {
		free(l.docs);
		free(l.sizes);
		f->failed = 1;
	}
}

int yn_load_file(struct yfile *f, const char *path, struct diags *ds)
{
	struct buf data = {0};
	struct util_large large;
	struct stat st;

	if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		if ((uintmax_t)st.st_size > YN_MAX_FILE) {
			errno = EFBIG;
			return -1;
		}
		/* what its nodes, strings and the model built from them take */
		util_heap_reserve((size_t)st.st_size * 10);
	}
	switch (util_read_large(path, &large)) {
	case 0:
		yn_load_string(f, path, large.data, large.len, ds);
		util_free_large(&large);
		return 0;
	case -1:
		return -1;
	}
	if (util_read_file(path, &data) < 0) {
		int err = errno;

		buf_free(&data);
		errno = err;
		return -1;
	}
	yn_load_string(f, path, data.data ? data.data : "", data.len, ds);
	buf_free(&data);
	return 0;
}

void yn_free(struct yfile *f)
{
	free_nodes(f);
	free(f->path);
	memset(f, 0, sizeof(*f));
}

const struct ynode *yn_get(const struct ynode *map, const char *key)
{
	size_t i, len = strlen(key);

	if (!map || map->kind != YN_MAP)
		return NULL;
	for (i = 0; i < map->n; i++) {
		const struct ynode *k = yn_key(map, i);

		if (k->kind == YN_SCALAR && k->len == len && memcmp(k->str, key, len) == 0)
			return yn_value(map, i);
	}
	return NULL;
}

/* The core schema's words are told apart by length first: most plain
 * scalars are none of them, and the checks run on every value emitted. */
int yn_is_null(const struct ynode *n)
{
	const char *s = n->str;

	if (n->kind != YN_SCALAR || n->style != YN_PLAIN)
		return 0;
	switch (n->len) {
	case 0:
		return 1;
	case 1:
		return s[0] == '~';
	case 4:
		return strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
	}
	return 0;
}

int yn_bool(const struct ynode *n)
{
	const char *s = n->str;

	if (n->kind != YN_SCALAR || n->style != YN_PLAIN)
		return -1;
	if (n->len == 4)
		return strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0 ? 1 : -1;
	if (n->len == 5)
		return strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0 ? 0 : -1;
	return -1;
}

/* core schema ints: [-+]?[0-9]+ */
static int is_int(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	return *s && strspn(s, "0123456789") == strlen(s);
}

/* core schema floats: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?; the
 * infinities and NaN are left as strings, since JSON cannot carry them */
static int is_float(const char *s)
{
	size_t digits = 0;

	if (*s == '-' || *s == '+')
		s++;
	while (*s >= '0' && *s <= '9')
		s++, digits++;
	if (*s == '.') {
		s++;
		while (*s >= '0' && *s <= '9')
			s++, digits++;
	}
	if (!digits)
		return 0;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

enum yn_scalar yn_scalar(const struct ynode *n)
{
	char c = n->len ? n->str[0] : '\0';

	if (n->style != YN_PLAIN)
		return YS_STRING;
	if (yn_is_null(n))
		return YS_NULL;
	if (yn_bool(n) >= 0)
		return YS_BOOL;
	/* a number starts with a sign, a digit or a point */
	if (!(c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9')) ||
	    n->len != strlen(n->str))
		return YS_STRING;
	if (is_int(n->str))
		return YS_INT;
	if (is_float(n->str))
		return YS_FLOAT;
	return YS_STRING;
}

const char *yn_kind_name(const struct ynode *n)
{
	switch (n->kind) {
	case YN_MAP:
		return "a mapping";
	case YN_SEQ:
		return "a list";
	case YN_SCALAR:
		break;
	}
	switch (yn_scalar(n)) {
	case YS_NULL: return "null";
	case YS_BOOL: return "a boolean";
	case YS_INT:
	case YS_FLOAT: return "a number";
	case YS_STRING: break;
	}
	return "a string";
}

struct diag_loc yn_loc_at(const struct ynode *n, size_t off)
{
	struct diag_loc start = yn_loc(n);

	if (n->cols_exact && n->style != YN_PLAIN)
		start.col++; /* the opening quote */
	return yn_loc_after(n, 0, start, off);
}

struct diag_loc yn_loc_after(const struct ynode *n, size_t from, struct diag_loc at, size_t off)
{
	size_t i;

	if (!n->cols_exact)
		return yn_loc(n);
	at.end_col = 0; /* a place inside the node, not the node */
	for (i = from; i < off && i < n->len; i++)
		if (((unsigned char)n->str[i] & 0xc0) != 0x80)
			at.col++;
	return at;
}

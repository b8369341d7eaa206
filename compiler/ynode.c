/* ynode.c: YAML documents as trees of nodes that remember their source
 * position, loaded with libyaml's event parser without recursion. It knows
 * YAML, not flows. */
#include "ynode.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
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

static void registry_add(const struct ynode *start, size_t n, const char *path)
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
	reg.spans[at] = (struct span){start, start + n, path};
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

	if (i >= reg.n || reg.spans[i].start > n || !reg.spans[i].path)
		fatal("internal error: a node of no loaded file");
	return loc_in(reg.spans[i].path, n);
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
	struct yblock *spare;   /* blocks made for the file beforehand, to use first */
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
		registry_add(b->nodes, cap, f->path);
	return b;
}

/* alloc_nodes: room for n nodes of the file, contiguous: in its current
 * block, a spare one or a new one */
static struct ynode *alloc_nodes(struct loader *l, size_t n)
{
	struct yfile *f = l->f;
	struct yblock *b = f->blocks;
	struct ynode *p;

	if (!b || b->cap - b->used < n) {
		/* a large collection has a block of its own; the current one stays */
		int after = f->blocks && n > BLOCK_NODES / 4;

		if (!after && l->spare && l->spare->cap >= n) {
			b = l->spare;
			l->spare = b->next;
		} else {
			size_t cap = f->blocks ? BLOCK_NODES : l->hint < 64 ? 64
				   : l->hint < BLOCK_NODES ? l->hint : BLOCK_NODES;

			b = new_block(f, cap < n ? n : cap, l->unlisted);
		}
		link_block(f, b, after);
	}
	p = b->nodes + b->used;
	b->used += n;
	return p;
}

/* intern: s as a string of the file's arena, the same one for equal short strings */
static const char *intern(struct loader *l, const char *s, size_t len)
{
	const char *str;

	if (len > INTERN_MAX)
		return arena_strndup(&l->f->arena, s, len);
	str = strmap_get(&l->strs, s, len);
	if (!str) {
		str = arena_strndup(&l->f->arena, s, len);
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

static struct ynode new_node(enum yn_kind kind, yaml_mark_t start, yaml_mark_t end)
{
	struct ynode n;

	memset(&n, 0, sizeof(n));
	n.kind = kind;
	n.line = (uint32_t)start.line + 1;
	n.col = (uint32_t)start.column + 1;
	set_end(&n, end);
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

/* attach: adds a complete node to the innermost open collection, or makes it
 * the document root */
static void attach(struct loader *l, const struct ynode *n)
{
	if (!l->depth) {
		l->root = *n;
		l->has_root = 1;
		return;
	}
	VEC_PUSH(l->kids, l->nkids, l->kidcap, *n);
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
	int quoted = n->style == YN_SINGLE_QUOTED || n->style == YN_DOUBLE_QUOTED;
	size_t i, chars = 0;

	if (ev->end_mark.line != ev->start_mark.line || !(n->style == YN_PLAIN || quoted))
		return 0;
	for (i = 0; i < n->len; i++)
		if (((unsigned char)n->str[i] & 0xc0) != 0x80)
			chars++;
	return ev->end_mark.column - ev->start_mark.column == chars + (quoted ? 2 : 0);
}

static struct ynode scalar_node(struct loader *l, const yaml_event_t *ev)
{
	struct ynode n = new_node(YN_SCALAR, ev->start_mark, ev->end_mark);

	n.str = intern(l, (const char *)ev->data.scalar.value, ev->data.scalar.length);
	n.len = (uint32_t)ev->data.scalar.length;
	switch (ev->data.scalar.style) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE: n.style = YN_SINGLE_QUOTED; break;
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE: n.style = YN_DOUBLE_QUOTED; break;
	case YAML_LITERAL_SCALAR_STYLE: n.style = YN_LITERAL; break;
	case YAML_FOLDED_SCALAR_STYLE: n.style = YN_FOLDED; break;
	default: n.style = YN_PLAIN; break;
	}
	n.cols_exact = cols_exact(&n, ev);
	return n;
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
 * argv and the environment cannot carry; returns 0 then */
static int check_nul(struct loader *l, const yaml_parser_t *p, const yaml_event_t *ev,
		     const struct ynode *n)
{
	const struct frame *top = l->depth ? &l->stack[l->depth - 1] : NULL;
	const char *what = top && top->node.kind == YN_MAP && (l->nkids - top->first) % 2 == 0
		? "mapping key" : "string";
	struct diag_loc loc;
	char esc[ESCAPE_SIZE];

	if (!memchr(n->str, '\0', n->len))
		return 1;
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
			struct ynode n = scalar_node(l, &ev);

			l->size.nodes++;
			l->size.text += n.len;

			if (!check_nul(l, &parser, &ev, &n))
				ok = 0;
			attach(l, &n);
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

/* A file of PART_MIN bytes or more is parsed as two parts at once, cut at
 * the start of a line that begins a document: "---" at the start of a line,
 * then a blank or the end, which YAML allows inside no scalar and no
 * collection. Each part is parsed alone, the second's lines counted from 1
 * and moved by the first's once both are done. Should either part fail to
 * parse, the file is parsed again in one piece, so that what is reported is
 * what one parse reports. A regular file is read by the two parts' threads,
 * each its own bytes, once the cut is found within 64 KiB past the middle;
 * when it is not, or a read falls short, the file is read whole. */
#define PART_MIN ((size_t)1 << 20)
/* bytes of YAML per node in a spec as people write them, rounded up: the
 * second part's blocks made beforehand are then mostly filled (a 2 MiB
 * page of the heap is resident once touched at all) */
#define PART_BYTES_PER_NODE 8
/* nodes of a block made beforehand: 6 MiB, well within what the heap
 * gives from its own memory */
#define SPARE_NODES (BLOCK_NODES * 64)

struct part {
	struct yfile f;         /* its nodes, strings and documents; path borrowed */
	struct diags ds;        /* what it reported */
	struct loader l;        /* its loader */
	const char *data;       /* its bytes */
	size_t len;             /* bytes of data */
	int fd;                 /* when not -1: the file to read data from first */
	size_t off;             /* where data starts in the file */
	int read;               /* 1 once data was read whole */
	int ok;                 /* what parse returned */
};

/* read_at: len bytes of fd at off into dst; 0, or -1 when the file
 * failed or ended first */
static int read_at(int fd, char *dst, size_t len, size_t off)
{
	while (len) {
		ssize_t got = pread(fd, dst, len, (off_t)off);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		dst += got;
		off += (size_t)got;
		len -= (size_t)got;
	}
	return 0;
}

static void *parse_part(void *arg)
{
	struct part *p = arg;

	if (p->fd != -1 && read_at(p->fd, (char *)p->data, p->len, p->off) < 0)
		return NULL;
	p->read = 1;
	p->l.f = &p->f;
	p->l.ds = &p->ds;
	p->ok = parse(&p->l, p->data, p->len);
	return NULL;
}

/* part_cut: where the second part of data starts, after a line break
 * between its middle and scan_end and at a line that starts a document; 0
 * for no second part */
static size_t part_cut(const char *data, size_t len, size_t scan_end)
{
	const char *p = data + len / 2, *end = data + scan_end;

	/* UTF-16 and UTF-32 input (found by its byte order mark) is not cut */
	if ((unsigned char)data[0] == 0xfe || (unsigned char)data[0] == 0xff || data[0] == '\0')
		return 0;
	while ((p = memchr(p, '\n', (size_t)(end - p))) && end - p > 4) {
		p++;
		if (memcmp(p, "---", 3) == 0 && memchr(" \t\r\n", p[3], 4))
			return (size_t)(p - data);
	}
	return 0;
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

/* parse_parts: data parsed in two parts at once into f; with fd not -1,
 * each part's thread first reads its bytes of the file (data has room for
 * len) and the cut is looked for near the middle only. 1 when done; 0
 * when not cut or a part failed to parse (data holds the file: parse it
 * whole); -1 when a read failed or the file changed size (read it again) */
static int parse_parts(struct yfile *f, char *data, size_t len, int fd, struct diags *ds)
{
	size_t cut, i, j, scan_end = len;
	struct part a = {0}, b = {0};
	struct yblock *blk, **tail;
	struct stat st;
	pthread_t t;

	if (len < PART_MIN || !util_two_cpus())
		return fd == -1 ? 0 : -1;
	if (fd != -1) {
		/* the byte order mark, and 64 KiB from the middle */
		scan_end = len / 2 + ((size_t)64 << 10) < len ? len / 2 + ((size_t)64 << 10) : len;
		if (read_at(fd, data, 4, 0) < 0 || read_at(fd, data + len / 2, scan_end - len / 2, len / 2) < 0)
			return -1;
	}
	cut = part_cut(data, len, scan_end);
	if (!cut)
		return fd == -1 ? 0 : -1;
	a.f.path = b.f.path = f->path;
	b.l.unlisted = 1;
	a.data = data;
	a.len = cut;
	b.data = data + cut;
	b.len = len - cut;
	a.fd = b.fd = fd;
	b.off = cut;
	/* most of the second part's nodes and strings go where the first
	 * part's do: in the heap reserved for the file (a thread's own heap
	 * grows a page at a time) */
	for (i = 0; i < b.len / PART_BYTES_PER_NODE; i += SPARE_NODES) {
		blk = new_block(&b.f, SPARE_NODES, 1);
		blk->next = b.l.spare;
		b.l.spare = blk;
	}
	arena_reserve(&b.f.arena, b.len / 8);
	/* and its table of short strings, for one in every 256 bytes */
	strmap_reserve(&b.l.strs, b.len / 256);
	if (pthread_create(&t, NULL, parse_part, &b) != 0) {
		free_blocks(b.l.spare);
		free_nodes(&b.f);
		return fd == -1 ? 0 : -1;
	}
	parse_part(&a);
	if (pthread_join(t, NULL) != 0)
		fatal("internal error: a parsing thread was lost");
	free_blocks(b.l.spare);
	/* the unused ends of the blocks made for it beforehand */
	for (blk = b.f.blocks; blk; blk = blk->next)
		util_release(blk->nodes + blk->used, (blk->cap - blk->used) * sizeof(*blk->nodes));
	arena_release_tail(&b.f.arena);
	/* the second part's nodes were not registered (the registry has one
	 * writer) and its lines start where the first part ends */
	for (blk = b.f.blocks; blk; blk = blk->next) {
		registry_add(blk->nodes, blk->cap, f->path);
		for (i = 0; i < blk->used; i++)
			blk->nodes[i].line += (uint32_t)a.l.end_line;
	}
	for (i = 0; i < b.ds.n; i++) {
		b.ds.items[i].loc.line += (int)a.l.end_line;
		for (j = 0; j < b.ds.items[i].nnotes; j++)
			b.ds.items[i].notes[j].loc.line += (int)a.l.end_line;
	}
	/* read whole, and still the size it had when the reads started */
	if (!a.read || !b.read || (fd != -1 && (fstat(fd, &st) < 0 || (uintmax_t)st.st_size != len)))
		a.ok = b.ok = -1;
	if (a.ok != 1 || b.ok != 1) {
		int rc = a.ok == -1 ? -1 : 0;

		free(a.l.docs);
		free(b.l.docs);
		free(a.l.sizes);
		free(b.l.sizes);
		free_nodes(&a.f);
		free_nodes(&b.f);
		diag_free(&a.ds);
		diag_free(&b.ds);
		return rc;
	}
	f->blocks = a.f.blocks;
	for (tail = &f->blocks; *tail; tail = &(*tail)->next)
		;
	*tail = b.f.blocks;
	f->arena = a.f.arena;
	arena_adopt(&f->arena, &b.f.arena);
	for (i = 0; i < b.l.ndocs; i++)
		add_doc(&a.l, b.l.docs[i], b.l.sizes[i]);
	f->docs = a.l.docs;
	f->sizes = a.l.sizes;
	f->ndocs = a.l.ndocs;
	free(b.l.docs);
	free(b.l.sizes);
	f->had_documents = a.f.had_documents || b.f.had_documents;
	diag_move(ds, &a.ds);
	diag_move(ds, &b.ds);
	return 1;
}

/* load: data (len bytes; with fd not -1, read from it as it is parsed)
 * parsed into f; 0, or -1 when data must be read whole and given again */
static int load(struct yfile *f, const char *name, char *data, size_t len, int fd,
		struct diags *ds)
{
	struct loader l = {0};
	int rc;

	memset(f, 0, sizeof(*f));
	f->path = xstrdup(name);
	l.f = f;
	l.ds = ds;
	if (len > YN_MAX_FILE) {
		diag_report(ds, DIAG_E0001, (struct diag_loc){f->path, 1, 1, 0},
			    "the file is larger than 2 GiB, the most flowc reads");
		f->failed = 1;
	} else if ((rc = parse_parts(f, data, len, fd, ds)) != 0) {
		if (rc < 0) {
			free(f->path);
			memset(f, 0, sizeof(*f));
			return -1;
		}
	} else if (parse(&l, data, len)) {
		f->docs = l.docs;
		f->sizes = l.sizes;
		f->ndocs = l.ndocs;
	} else {
		free(l.docs);
		free(l.sizes);
		f->failed = 1;
	}
	return 0;
}

void yn_load_string(struct yfile *f, const char *name, const char *data, size_t len, struct diags *ds)
{
	/* parsing does not write data: the cast only shares load's signature */
	load(f, name, (char *)data, len, -1, ds);
}

int yn_load_file(struct yfile *f, const char *path, struct diags *ds)
{
	struct buf data = {0};
	struct stat st;
	int fd;

	if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		if ((uintmax_t)st.st_size > YN_MAX_FILE) {
			errno = EFBIG;
			return -1;
		}
		/* what its nodes, strings and the model built from them take */
		util_heap_reserve((size_t)st.st_size * 10);
		/* a large file is read by the threads that parse its two parts */
		if ((size_t)st.st_size >= PART_MIN && util_two_cpus() &&
		    (fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
			int rc = -1;

			if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
			    (uintmax_t)st.st_size <= YN_MAX_FILE) {
				char *buf = xmalloc((size_t)st.st_size + 1);

				util_prefault(buf, (size_t)st.st_size);
				buf[st.st_size] = '\0';
				rc = load(f, path, buf, (size_t)st.st_size, fd, ds);
				free(buf);
			}
			close(fd);
			if (rc == 0)
				return 0;
		}
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

/* diag.c: the diagnostics of one flowc run: codes, collection, sorting and
 * output as text, JSON or SARIF. It does not decide what is wrong. */
#include "diag.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "json_text.h"
#include "version.h"

struct code_info {
	const char *id;          /* "E0203" */
	const char *name;        /* "param-not-in-flow" */
	const char *summary;     /* one line */
	const char *description; /* several lines, no trailing newline */
};

static const struct code_info codes[] = {
#define X(code, name, summary, description) {#code, name, summary, description},
#include "codes.def"
#undef X
};

enum diag_severity diag_severity(enum diag_code code)
{
	return codes[code].id[0] == 'W' ? DIAG_WARNING : DIAG_ERROR;
}

const char *diag_code_id(enum diag_code code)
{
	return codes[code].id;
}

int diag_lookup(const char *id)
{
	size_t i;

	for (i = 0; i < DIAG_NCODES; i++)
		if (strcasecmp(codes[i].id, id) == 0 || strcmp(codes[i].name, id) == 0)
			return (int)i;
	return -1;
}

void diag_list(FILE *out)
{
	size_t i;

	for (i = 0; i < DIAG_NCODES; i++)
		fprintf(out, "%s  %-26s %s\n", codes[i].id, codes[i].name, codes[i].summary);
}

void diag_explain(enum diag_code code, FILE *out)
{
	const struct code_info *c = &codes[code];

	fprintf(out, "%s (%s): %s %s\n\n%s\n", c->id, c->name,
		diag_severity(code) == DIAG_WARNING ? "warning:" : "error:", c->summary,
		c->description);
}

const char *diag_quote(const char *s)
{
	/* per thread: files are parsed in parts at once */
	static _Thread_local char bufs[8][64 * 4 + 8];
	static _Thread_local unsigned next;
	char *out = bufs[next++ % 8], *p = out;
	size_t nchars = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (nchars == 64 && (c & 0xc0) != 0x80) {
			memcpy(p, "...", 3);
			p += 3;
			break;
		}
		if (c < 0x20 || c == 0x7f)
			p += sprintf(p, "\\x%02x", c);
		else
			*p++ = (char)c;
		if ((c & 0xc0) != 0x80)
			nchars++;
	}
	*p = '\0';
	return out;
}

void diag_report(struct diags *ds, enum diag_code code, struct diag_loc loc, const char *fmt, ...)
{
	struct buf msg = {0};
	struct diag d = {0};
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	d.code = code;
	d.loc = loc;
	d.msg = buf_steal(&msg);
	d.seq = ds->n;
	VEC_PUSH(ds->items, ds->n, ds->cap, d);
	if (diag_severity(code) == DIAG_ERROR)
		ds->nerrors++;
	else
		ds->nwarnings++;
}

void diag_report_unknown(struct diags *ds, enum diag_code code, struct diag_loc loc,
			 const char *name, const char *const *names, size_t nnames,
			 const char *fmt, ...)
{
	const char *hint = util_suggest(name, names, nnames);
	struct buf msg = {0};
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (hint)
		diag_report(ds, code, loc, "%s (did you mean '%s'?)", msg.data, hint);
	else
		diag_report(ds, code, loc, "%s", msg.data);
	buf_free(&msg);
}

void diag_move(struct diags *to, struct diags *from)
{
	size_t i;

	for (i = 0; i < from->n; i++) {
		from->items[i].seq = to->n;
		VEC_PUSH(to->items, to->n, to->cap, from->items[i]);
	}
	to->nerrors += from->nerrors;
	to->nwarnings += from->nwarnings;
	free(from->items);
	memset(from, 0, sizeof(*from));
}

void diag_note(struct diags *ds, struct diag_loc loc, const char *fmt, ...)
{
	struct diag *d;
	struct buf msg = {0};
	size_t cap;
	va_list ap;

	if (!ds->n)
		return;
	d = &ds->items[ds->n - 1];
	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	cap = d->nnotes;
	util_grow(&d->notes, &cap, d->nnotes + 1, sizeof(*d->notes));
	d->notes[d->nnotes].loc = loc;
	d->notes[d->nnotes].msg = buf_steal(&msg);
	d->nnotes++;
}

static int cmp_diag(const void *pa, const void *pb)
{
	const struct diag *a = pa, *b = pb;
	int c = strcmp(a->loc.file ? a->loc.file : "", b->loc.file ? b->loc.file : "");

	if (c)
		return c;
	if (a->loc.line != b->loc.line)
		return a->loc.line < b->loc.line ? -1 : 1;
	if (a->loc.col != b->loc.col)
		return a->loc.col < b->loc.col ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void diag_sort(struct diags *ds)
{
	if (ds->n)
		qsort(ds->items, ds->n, sizeof(*ds->items), cmp_diag);
}

/* the ANSI escapes of text output, clang's choice of colours */
#define C_BOLD "\033[1m"
#define C_RED "\033[1;31m"
#define C_MAGENTA "\033[1;35m"
#define C_CYAN "\033[1;36m"
#define C_GREEN "\033[1;32m"
#define C_RESET "\033[0m"
/* the most characters of a source line shown; a longer one is shown as
 * a window around the column */
#define SOURCE_WIDTH 120

int diag_color_wanted(const char *when, FILE *out)
{
	const char *no = getenv("NO_COLOR"), *term = getenv("TERM");

	if (!when || strcmp(when, "auto") == 0)
		return isatty(fileno(out)) && !(no && *no) && !(term && strcmp(term, "dumb") == 0);
	if (strcmp(when, "always") == 0)
		return 1;
	if (strcmp(when, "never") == 0)
		return 0;
	return -1;
}

/* The source a text diagnostic shows: one file's text, read when first
 * shown, and a cursor on a line of it so that diagnostics sorted by line
 * read each file once. */
struct source {
	const char *file;   /* whose text, or NULL */
	struct buf text;    /* its text */
	int ok;             /* it could be read */
	size_t off;         /* where line starts */
	int line;           /* the cursor's line */
};

/* source_line: line of file, its length in *len; NULL when it cannot be had */
static const char *source_line(struct source *src, const char *file, int line, size_t *len)
{
	const char *t, *nl;

	if (!src->file || strcmp(src->file, file) != 0) {
		buf_free(&src->text);
		src->file = file;
		src->ok = util_read_file(file, &src->text) == 0;
		src->off = 0;
		src->line = 1;
	}
	if (!src->ok || !src->text.data || line < 1)
		return NULL;
	if (line < src->line) {
		src->off = 0;
		src->line = 1;
	}
	t = src->text.data;
	while (src->line < line) {
		nl = memchr(t + src->off, '\n', src->text.len - src->off);
		if (!nl)
			return NULL;
		src->off = (size_t)(nl - t) + 1;
		src->line++;
	}
	nl = memchr(t + src->off, '\n', src->text.len - src->off);
	*len = nl ? (size_t)(nl - t) - src->off : src->text.len - src->off;
	if (*len && t[src->off + *len - 1] == '\r')
		(*len)--;
	return t + src->off;
}

/* char_len: bytes of the character at s: of a whole UTF-8 sequence, else
 * 1 (a byte that is not UTF-8) */
static size_t char_len(const char *s, size_t left)
{
	unsigned char c = (unsigned char)*s;
	size_t n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 1, i;

	if (c >= 0xf5 || n > left)
		return 1;
	for (i = 1; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			return 1;
	return n;
}

/* put_char: the character at s (n bytes, from char_len); a control
 * character or a byte that is not UTF-8 as '?', so that nothing in a file
 * drives the terminal or breaks the output's encoding */
static void put_char(FILE *out, const char *s, size_t n)
{
	unsigned char c = (unsigned char)*s;

	if (n == 1 && ((c < 0x20 && c != '\t') || c >= 0x7f))
		fputc('?', out);
	else
		fwrite(s, 1, n, out);
}

/* print_source: loc's source line, then a caret under its column and ~
 * under the rest of its node:
 *     4 |   - {name: a, run: []}
 *       |                    ^~ */
static void print_source(struct source *src, struct diag_loc loc, int color, FILE *out)
{
	size_t len, i, n, chars = 0, first, last, col;
	const char *line;

	if (loc.line < 1 || loc.col < 1 || !(line = source_line(src, loc.file, loc.line, &len)))
		return;
	for (i = 0; i < len; i += char_len(line + i, len - i))
		chars++;
	col = (size_t)loc.col - 1;
	if (col > chars)
		col = chars;
	first = 0;
	if (chars > SOURCE_WIDTH && col > SOURCE_WIDTH / 2)
		first = col - SOURCE_WIDTH / 2;
	last = first + SOURCE_WIDTH < chars ? first + SOURCE_WIDTH : chars;
	fprintf(out, "%5d | %s", loc.line, first ? "..." : "");
	for (i = 0, n = 0; i < len && n < last; i += char_len(line + i, len - i), n++)
		if (n >= first)
			put_char(out, line + i, char_len(line + i, len - i));
	fprintf(out, "%s\n      | %s", last < chars ? "..." : "", first ? "   " : "");
	for (i = 0, n = 0; i < len && n < col; i += char_len(line + i, len - i), n++)
		if (n >= first)
			fputc(line[i] == '\t' ? '\t' : ' ', out);
	fprintf(out, "%s^", color ? C_GREEN : "");
	for (n = col + 1; loc.end_col > 0 && n + 1 < (size_t)loc.end_col && n < last; n++)
		fputc('~', out);
	fprintf(out, "%s\n", color ? C_RESET : "");
}

static void print_loc(FILE *out, struct diag_loc loc, int color)
{
	fputs(color ? C_BOLD : "", out);
	if (loc.line > 0)
		fprintf(out, "%s:%d:%d: ", loc.file, loc.line, loc.col);
	else
		fprintf(out, "%s: ", loc.file);
	fputs(color ? C_RESET : "", out);
}

static void print_text(const struct diags *ds, int color, FILE *out)
{
	struct source src = {0};
	size_t i, j;

	for (i = 0; i < ds->n; i++) {
		const struct diag *d = &ds->items[i];
		int warning = diag_severity(d->code) == DIAG_WARNING;

		print_loc(out, d->loc, color);
		fprintf(out, "%s%s[%s]:%s %s%s%s\n", color ? (warning ? C_MAGENTA : C_RED) : "",
			warning ? "warning" : "error", codes[d->code].id, color ? C_RESET : "",
			color ? C_BOLD : "", d->msg, color ? C_RESET : "");
		print_source(&src, d->loc, color, out);
		for (j = 0; j < d->nnotes; j++) {
			const struct diag_loc *at = &d->notes[j].loc;

			print_loc(out, *at, color);
			fprintf(out, "%snote:%s %s\n", color ? C_CYAN : "", color ? C_RESET : "",
				d->notes[j].msg);
			/* a note about the place just shown does not show it again */
			if (at->line != d->loc.line || at->col != d->loc.col ||
			    strcmp(at->file, d->loc.file) != 0)
				print_source(&src, *at, color, out);
		}
	}
	buf_free(&src.text);
}

static json_t *loc_json(struct diag_loc loc)
{
	json_t *o = json_object();

	json_object_set_new(o, "file", json_string(loc.file));
	if (loc.line > 0) {
		json_object_set_new(o, "line", json_integer(loc.line));
		json_object_set_new(o, "column", json_integer(loc.col));
	}
	return o;
}

static json_t *diags_json(const struct diags *ds)
{
	json_t *arr = json_array();
	size_t i, j;

	for (i = 0; i < ds->n; i++) {
		const struct diag *d = &ds->items[i];
		json_t *o = loc_json(d->loc), *notes = json_array();

		json_object_set_new(o, "severity", json_string(
			diag_severity(d->code) == DIAG_WARNING ? "warning" : "error"));
		json_object_set_new(o, "code", json_string(codes[d->code].id));
		json_object_set_new(o, "name", json_string(codes[d->code].name));
		json_object_set_new(o, "message", json_string(d->msg));
		for (j = 0; j < d->nnotes; j++) {
			json_t *n = loc_json(d->notes[j].loc);

			json_object_set_new(n, "message", json_string(d->notes[j].msg));
			json_array_append_new(notes, n);
		}
		json_object_set_new(o, "notes", notes);
		json_array_append_new(arr, o);
	}
	return arr;
}

/* sarif_location: a SARIF location; the path percent-encoded as RFC 3986 asks */
static json_t *sarif_location(struct diag_loc loc, const char *msg)
{
	json_t *l = json_object(), *phys = json_object(), *art = json_object(), *region;
	struct buf uri = {0};
	const unsigned char *p;

	/* an absolute path becomes a file URI, which upload tools make relative
	 * to the checkout; a relative one stays a relative reference */
	if (loc.file[0] == '/')
		buf_puts(&uri, "file://");
	for (p = (const unsigned char *)loc.file; *p; p++) {
		if (isalnum(*p) || strchr("/-._~", *p))
			buf_putc(&uri, (char)*p);
		else
			buf_printf(&uri, "%%%02X", *p);
	}
	json_object_set_new(art, "uri", json_string(uri.data ? uri.data : ""));
	buf_free(&uri);
	json_object_set_new(phys, "artifactLocation", art);
	/* code scanning needs a region on every location; a whole-file
	 * diagnostic points at its first line */
	region = json_object();
	json_object_set_new(region, "startLine", json_integer(loc.line > 0 ? loc.line : 1));
	if (loc.line > 0)
		json_object_set_new(region, "startColumn", json_integer(loc.col));
	json_object_set_new(phys, "region", region);
	json_object_set_new(l, "physicalLocation", phys);
	if (msg) {
		json_t *m = json_object();

		json_object_set_new(m, "text", json_string(msg));
		json_object_set_new(l, "message", m);
	}
	return l;
}

static json_t *text_obj(const char *text)
{
	json_t *o = json_object();

	json_object_set_new(o, "text", json_string(text));
	return o;
}

static json_t *diags_sarif(const struct diags *ds)
{
	json_t *root = json_object(), *run = json_object(), *tool = json_object();
	json_t *driver = json_object(), *rules = json_array(), *results = json_array();
	json_t *runs = json_array();
	size_t i, j;

	json_object_set_new(root, "$schema", json_string(
		"https://json.schemastore.org/sarif-2.1.0.json"));
	json_object_set_new(root, "version", json_string("2.1.0"));
	json_object_set_new(driver, "name", json_string("flowc"));
	json_object_set_new(driver, "version", json_string(FLOW_VERSION));
	for (i = 0; i < DIAG_NCODES; i++) {
		json_t *rule = json_object(), *conf = json_object();

		json_object_set_new(rule, "id", json_string(codes[i].id));
		json_object_set_new(rule, "name", json_string(codes[i].name));
		json_object_set_new(rule, "shortDescription", text_obj(codes[i].summary));
		json_object_set_new(rule, "fullDescription", text_obj(codes[i].description));
		json_object_set_new(conf, "level", json_string(
			diag_severity((enum diag_code)i) == DIAG_WARNING ? "warning" : "error"));
		json_object_set_new(rule, "defaultConfiguration", conf);
		json_array_append_new(rules, rule);
	}
	json_object_set_new(driver, "rules", rules);
	json_object_set_new(tool, "driver", driver);
	json_object_set_new(run, "tool", tool);
	for (i = 0; i < ds->n; i++) {
		const struct diag *d = &ds->items[i];
		json_t *r = json_object(), *locs = json_array();

		json_object_set_new(r, "ruleId", json_string(codes[d->code].id));
		json_object_set_new(r, "ruleIndex", json_integer((json_int_t)d->code));
		json_object_set_new(r, "level", json_string(
			diag_severity(d->code) == DIAG_WARNING ? "warning" : "error"));
		json_object_set_new(r, "message", text_obj(d->msg));
		json_array_append_new(locs, sarif_location(d->loc, NULL));
		json_object_set_new(r, "locations", locs);
		if (d->nnotes) {
			json_t *rel = json_array();

			for (j = 0; j < d->nnotes; j++) {
				json_t *l = sarif_location(d->notes[j].loc, d->notes[j].msg);

				json_object_set_new(l, "id", json_integer((json_int_t)j));
				json_array_append_new(rel, l);
			}
			json_object_set_new(r, "relatedLocations", rel);
		}
		json_array_append_new(results, r);
	}
	json_object_set_new(run, "results", results);
	json_object_set_new(run, "columnKind", json_string("unicodeCodePoints"));
	json_array_append_new(runs, run);
	json_object_set_new(root, "runs", runs);
	return root;
}

void diag_print(const struct diags *ds, enum diag_format format, int color, FILE *out)
{
	json_t *doc;
	char *text;

	if (format == DIAG_TEXT) {
		print_text(ds, color, out);
		return;
	}
	doc = format == DIAG_JSON ? diags_json(ds) : diags_sarif(ds);
	text = json_text(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputs(text, out);
	fputc('\n', out);
	free(text);
	json_decref(doc);
}

void diag_free(struct diags *ds)
{
	size_t i, j;

	for (i = 0; i < ds->n; i++) {
		for (j = 0; j < ds->items[i].nnotes; j++)
			free(ds->items[i].notes[j].msg);
		free(ds->items[i].notes);
		free(ds->items[i].msg);
	}
	free(ds->items);
	memset(ds, 0, sizeof(*ds));
}

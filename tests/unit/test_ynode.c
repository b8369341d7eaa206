/* test_ynode.c: unit tests of the YAML loader: positions, duplicate keys,
 * multiple documents, aliases, NUL characters, nesting limits, syntax errors. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ynode.h"

/* 1: load reads the text from a file t.yaml; 0: from memory */
static int from_file;

static void load(struct yfile *f, struct diags *ds, const char *text)
{
	char dir[] = "/tmp/ynode-test-XXXXXX", cwd[4096];
	FILE *fp;

	memset(ds, 0, sizeof(*ds));
	if (!from_file) {
		yn_load_string(f, "t.yaml", text, strlen(text), ds);
		return;
	}
	assert_non_null(mkdtemp(dir));
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	assert_non_null(fp = fopen("t.yaml", "w"));
	assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(yn_load_file(f, "t.yaml", ds), 0);
	assert_int_equal(unlink("t.yaml"), 0);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void test_positions_are_one_based_line_and_column(void **state)
{
	struct yfile f;
	struct diags ds;
	const struct ynode *doc, *tasks, *first;

	(void)state;
	load(&f, &ds, "name: flow1\ntasks:\n  - name: a\n    run: [echo, \"x\"]\n");
	assert_int_equal(ds.n, 0);
	assert_int_equal(f.ndocs, 1);
	doc = f.docs[0];
	assert_int_equal(doc->kind, YN_MAP);
	assert_int_equal(doc->n, 2);
	assert_int_equal(yn_loc(yn_key(doc, 1)).line, 2);
	assert_int_equal(yn_loc(yn_key(doc, 1)).col, 1);
	tasks = yn_get(doc, "tasks");
	assert_non_null(tasks);
	first = yn_item(tasks, 0);
	assert_int_equal(yn_loc(first).line, 3);
	assert_int_equal(yn_loc(first).col, 5);
	assert_int_equal(yn_loc(yn_item(yn_get(first, "run"), 1)).col, 17);
	assert_int_equal(yn_item(yn_get(first, "run"), 1)->style, YN_DOUBLE_QUOTED);
	assert_string_equal(yn_get(doc, "name")->str, "flow1");
	assert_int_equal(yn_loc(yn_get(doc, "name")).col, 7);
	yn_free(&f);
	diag_free(&ds);
}

static void test_columns_count_characters_not_bytes(void **state)
{
	struct yfile f;
	struct diags ds;

	(void)state;
	load(&f, &ds, "d\xc3\xa9j\xc3\xa0: v\xc3\xa9rit\xc3\xa9\n");
	assert_int_equal(ds.n, 0);
	assert_int_equal(yn_loc(yn_value(f.docs[0], 0)).col, 7);
	yn_free(&f);
	diag_free(&ds);
}

static void test_duplicate_keys_are_reported_with_first_place(void **state)
{
	struct yfile f;
	struct diags ds;

	(void)state;
	load(&f, &ds, "a: 1\nb: {x: 1, y: 2, x: 3}\na: 2\nc: [a, a]\n");
	assert_int_equal(ds.n, 2);
	assert_int_equal(ds.items[0].code, DIAG_E0002);
	assert_int_equal(ds.items[0].loc.line, 2);
	assert_int_equal(ds.items[0].loc.col, 17);
	assert_int_equal(ds.items[0].nnotes, 1);
	assert_int_equal(ds.items[0].notes[0].loc.col, 5);
	assert_int_equal(ds.items[1].loc.line, 3);
	assert_int_equal(ds.items[1].notes[0].loc.line, 1);
	/* duplicates do not void the file */
	assert_int_equal(f.failed, 0);
	yn_free(&f);
	diag_free(&ds);
}

static void test_three_duplicates_each_point_at_the_first(void **state)
{
	struct yfile f;
	struct diags ds;

	(void)state;
	load(&f, &ds, "k: 1\nk: 2\nk: 3\n");
	assert_int_equal(ds.n, 2);
	assert_int_equal(ds.items[0].notes[0].loc.line, 1);
	assert_int_equal(ds.items[1].notes[0].loc.line, 1);
	yn_free(&f);
	diag_free(&ds);
}

/* a mapping too large to compare pair by pair finds the same duplicates */
static void test_duplicates_in_a_large_mapping(void **state)
{
	struct yfile f;
	struct diags ds;
	struct buf text = {0};
	size_t i;

	(void)state;
	for (i = 0; i < 40; i++)
		buf_printf(&text, "k%zu: %zu\n", i % 30, i);
	load(&f, &ds, text.data);
	assert_int_equal(ds.n, 10);
	for (i = 0; i < 10; i++) {
		assert_int_equal(ds.items[i].code, DIAG_E0002);
		assert_int_equal(ds.items[i].nnotes, 1);
		assert_int_equal(ds.items[i].notes[0].loc.line, ds.items[i].loc.line - 30);
	}
	assert_int_equal(yn_key(f.docs[0], 29)->repeated, 0);
	assert_int_equal(yn_key(f.docs[0], 30)->repeated, 1);
	assert_int_equal(yn_key(f.docs[0], 39)->repeated, 1);
	yn_free(&f);
	buf_free(&text);
	diag_free(&ds);
}

static void test_repeated_keys_are_marked(void **state)
{
	struct yfile f;
	struct diags ds;

	(void)state;
	load(&f, &ds, "k: 1\nj: 0\nk: 2\nk: 3\n");
	assert_int_equal(yn_key(f.docs[0], 0)->repeated, 0);
	assert_int_equal(yn_key(f.docs[0], 1)->repeated, 0);
	assert_int_equal(yn_key(f.docs[0], 2)->repeated, 1);
	assert_int_equal(yn_key(f.docs[0], 3)->repeated, 1);
	yn_free(&f);
	diag_free(&ds);
}

/* each document's size: its nodes (keys, values, collections) and the
 * bytes of its scalars' text, as comp counts a flow's weight */
static void test_document_sizes(void **state)
{
	struct yfile f;
	struct diags ds;

	(void)state;
	load(&f, &ds, "name: a\nlist: [x, yy, {k: zzz}]\n---\n---\nq: \"\\u00e9\"\n");
	assert_int_equal(ds.n, 0);
	assert_int_equal(f.ndocs, 2);
	assert_int_equal(f.sizes[0].nodes, 10);
	assert_int_equal(f.sizes[0].text, 4 + 1 + 4 + 1 + 2 + 1 + 3);
	assert_int_equal(f.sizes[1].nodes, 3);
	assert_int_equal(f.sizes[1].text, 1 + 2); /* the escape's character, in UTF-8 */
	yn_free(&f);
	diag_free(&ds);
}

static void test_multiple_documents_load_in_order_and_skip_empty_ones(void **state)
{
	struct yfile f;
	struct diags ds;

	(void)state;
	load(&f, &ds, "name: one\n---\n---\nname: two\n...\n---\n- three\n");
	assert_int_equal(ds.n, 0);
	assert_int_equal(f.ndocs, 3);
	assert_string_equal(yn_get(f.docs[0], "name")->str, "one");
	assert_string_equal(yn_get(f.docs[1], "name")->str, "two");
	assert_int_equal(yn_loc(f.docs[1]).line, 4);
	assert_int_equal(f.docs[2]->kind, YN_SEQ);
	yn_free(&f);
	diag_free(&ds);
}

static void test_empty_input_has_no_documents(void **state)
{
	struct yfile f;
	struct diags ds;

	(void)state;
	load(&f, &ds, "");
	assert_int_equal(ds.n, 0);
	assert_int_equal(f.ndocs, 0);
	assert_int_equal(f.failed, 0);
	yn_free(&f);
	diag_free(&ds);
}

static void test_alias_is_an_error_and_voids_the_file(void **state)
{
	struct yfile f;
	struct diags ds;

	(void)state;
	load(&f, &ds, "a: &x [1]\nb: *x\n");
	assert_int_equal(ds.n, 1);
	assert_int_equal(ds.items[0].code, DIAG_E0003);
	assert_int_equal(ds.items[0].loc.line, 2);
	assert_int_equal(ds.items[0].loc.col, 4);
	assert_int_equal(f.failed, 1);
	assert_int_equal(f.ndocs, 0);
	yn_free(&f);
	diag_free(&ds);
}

static void test_nul_is_an_error_at_its_escape_and_voids_the_file(void **state)
{
	struct yfile f;
	struct diags ds;

	(void)state;
	/* a value, a key, and an escaped backslash before a 0, which is no NUL */
	load(&f, &ds, "a: \"x\\0\"\n\"k\\x00\": 1\nb: \"\\\\0\"\n");
	assert_int_equal(ds.n, 2);
	assert_int_equal(ds.items[0].code, DIAG_E0006);
	assert_int_equal(ds.items[0].loc.line, 1);
	assert_int_equal(ds.items[0].loc.col, 6);
	assert_non_null(strstr(ds.items[0].msg, "string holds a NUL character (the escape '\\0')"));
	assert_int_equal(ds.items[1].code, DIAG_E0006);
	assert_int_equal(ds.items[1].loc.line, 2);
	assert_int_equal(ds.items[1].loc.col, 3);
	assert_non_null(strstr(ds.items[1].msg, "mapping key holds"));
	assert_int_equal(f.failed, 1);
	assert_int_equal(f.ndocs, 0);
	yn_free(&f);
	diag_free(&ds);
}

static void test_nul_escape_is_found_after_a_bom_an_anchor_and_a_line_break(void **state)
{
	struct yfile f;
	struct diags ds;

	(void)state;
	load(&f, &ds, "\xef\xbb\xbf\xc3\xa9: x\na: &x \"\xc3\xa9 one\r\n  t\\u0000\"\n");
	assert_int_equal(ds.n, 1);
	assert_int_equal(ds.items[0].code, DIAG_E0006);
	assert_int_equal(ds.items[0].loc.line, 3);
	assert_int_equal(ds.items[0].loc.col, 4);
	yn_free(&f);
	diag_free(&ds);
}

static void test_syntax_error_has_its_position(void **state)
{
	struct yfile f;
	struct diags ds;

	(void)state;
	load(&f, &ds, "a: 1\nb: [1, 2\nc: 3\n");
	assert_int_equal(ds.n, 1);
	assert_int_equal(ds.items[0].code, DIAG_E0001);
	assert_int_equal(ds.items[0].loc.line, 3);
	assert_int_equal(f.failed, 1);
	yn_free(&f);
	diag_free(&ds);
}

static void test_invalid_utf8_points_at_the_bad_character(void **state)
{
	struct yfile f;
	struct diags ds;

	(void)state;
	load(&f, &ds, "ab: c\xff\n");
	assert_int_equal(ds.n, 1);
	assert_int_equal(ds.items[0].code, DIAG_E0001);
	assert_int_equal(ds.items[0].loc.line, 1);
	assert_int_equal(ds.items[0].loc.col, 6);
	yn_free(&f);
	diag_free(&ds);
}

static void test_nesting_beyond_the_limit_is_refused(void **state)
{
	struct yfile f;
	struct diags ds;
	struct buf text = {0};
	int i;

	(void)state;
	for (i = 0; i < 10000; i++)
		buf_puts(&text, "[");
	for (i = 0; i < 10000; i++)
		buf_puts(&text, "]");
	load(&f, &ds, text.data);
	assert_int_equal(ds.n, 1);
	assert_int_equal(ds.items[0].code, DIAG_E0004);
	assert_int_equal(ds.items[0].loc.col, YN_MAX_DEPTH + 1);
	assert_int_equal(f.failed, 1);
	yn_free(&f);
	diag_free(&ds);
	buf_free(&text);
}

static void test_nesting_at_the_limit_loads(void **state)
{
	struct yfile f;
	struct diags ds;
	struct buf text = {0};
	int i;

	(void)state;
	for (i = 0; i < YN_MAX_DEPTH; i++)
		buf_puts(&text, "[");
	for (i = 0; i < YN_MAX_DEPTH; i++)
		buf_puts(&text, "]");
	load(&f, &ds, text.data);
	assert_int_equal(ds.n, 0);
	assert_int_equal(f.ndocs, 1);
	yn_free(&f);
	diag_free(&ds);
	buf_free(&text);
}

static void test_scalar_kinds(void **state)
{
	struct yfile f;
	struct diags ds;
	const struct ynode *d;

	(void)state;
	load(&f, &ds, "a: ~\nb: 'null'\nc: true\nd: 12\ne: x\nf: \"\"\n");
	d = f.docs[0];
	assert_string_equal(yn_kind_name(yn_get(d, "a")), "null");
	assert_string_equal(yn_kind_name(yn_get(d, "b")), "a string");
	assert_string_equal(yn_kind_name(yn_get(d, "c")), "a boolean");
	assert_string_equal(yn_kind_name(yn_get(d, "d")), "a number");
	assert_string_equal(yn_kind_name(yn_get(d, "e")), "a string");
	assert_string_equal(yn_kind_name(yn_get(d, "f")), "a string");
	assert_int_equal(yn_bool(yn_get(d, "c")), 1);
	assert_int_equal(yn_bool(yn_get(d, "e")), -1);
	yn_free(&f);
	diag_free(&ds);
}

static void test_loc_at_is_exact_only_without_escapes(void **state)
{
	struct yfile f;
	struct diags ds;
	const struct ynode *d;

	(void)state;
	load(&f, &ds, "a: x ${{ y }}\nb: \"x ${{ y }}\"\nc: \"\\x41 ${{ y }}\"\nd: |\n  ${{ y }}\n");
	d = f.docs[0];
	assert_int_equal(yn_loc_at(yn_get(d, "a"), 2).col, 6);
	assert_int_equal(yn_loc_at(yn_get(d, "b"), 2).col, 7);
	/* an escape shifts columns: fall back to the scalar's start */
	assert_int_equal(yn_loc_at(yn_get(d, "c"), 2).col, 4);
	assert_int_equal(yn_loc_at(yn_get(d, "d"), 0).line, 4);
	yn_free(&f);
	diag_free(&ds);
}

/* A scalar's characters are each one column when the columns it spans are
 * its characters (and quotes): a character of 2 to 4 bytes at every
 * offset of strings up to 20 bytes (counted eight bytes at a time), plain
 * and quoted; a scalar with an escape (more columns than the character
 * it makes) is not. */
static void test_cols_exact_counts_characters_at_every_offset(void **state)
{
	static const char *const wide[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
	struct buf text = {0};
	size_t len, pos, k, q;

	(void)state;
	for (len = 0; len <= 20; len++)
		for (pos = 0; pos <= len; pos++)
			for (k = 0; k < 3; k++)
				for (q = 0; q < 3; q++) {
					const char *quote = q == 0 ? "" : q == 1 ? "'" : "\"";
					struct yfile f;
					struct diags ds;
					const struct ynode *v;
					size_t i;

					text.len = 0;
					buf_printf(&text, "a: %s", quote);
					for (i = 0; i < len; i++) {
						if (i == pos)
							buf_puts(&text, wide[k]);
						buf_putc(&text, 'x');
					}
					if (pos == len)
						buf_puts(&text, wide[k]);
					buf_printf(&text, "%s\nb: \"\\x41%.*s\"\n", quote, (int)len, "xxxxxxxxxxxxxxxxxxxxxxx");
					load(&f, &ds, text.data);
					assert_int_equal(ds.n, 0);
					v = yn_get(f.docs[0], "a");
					assert_int_equal(v->len, len + k + 2);
					assert_true(v->cols_exact);
					v = yn_get(f.docs[0], "b");
					assert_false(v->cols_exact);
					yn_free(&f);
					diag_free(&ds);
				}
	buf_free(&text);
}

static void test_loc_after_counts_on_from_an_earlier_offset(void **state)
{
	struct yfile f;
	struct diags ds;
	const struct ynode *a, *c;
	struct diag_loc at;

	(void)state;
	load(&f, &ds, "a: \"\xc3\xa9 ${{ y }} ${{ z }}\"\nc: \"\\x41 ${{ y }} ${{ z }}\"\n");
	a = yn_get(f.docs[0], "a");
	c = yn_get(f.docs[0], "c");
	at = yn_loc_at(a, 3);
	assert_int_equal(at.col, 7);
	assert_int_equal(yn_loc_after(a, 3, at, 12).col, 16);
	assert_int_equal(yn_loc_at(a, 12).col, 16);
	/* not exact: the scalar's start, whatever the offsets */
	at = yn_loc_at(c, 2);
	assert_int_equal(yn_loc_after(c, 2, at, 11).col, 4);
	yn_free(&f);
	diag_free(&ds);
}

/* every node knows its file from its address: across files, a collection
 * large enough for a block of its own, and a file loaded where a freed
 * one's nodes were */
static void test_nodes_know_their_file(void **state)
{
	struct yfile a, b, c;
	struct diags ds = {0};
	struct buf big = {0};
	const struct ynode *list;
	size_t i;

	(void)state;
	buf_puts(&big, "list:\n");
	for (i = 0; i < 5000; i++)
		buf_printf(&big, "  - item%zu\n", i);
	yn_load_string(&a, "a.yaml", "x: 1\n", 5, &ds);
	yn_load_string(&b, "b.yaml", big.data, big.len, &ds);
	assert_int_equal(ds.n, 0);
	assert_string_equal(yn_loc(yn_value(a.docs[0], 0)).file, "a.yaml");
	list = yn_get(b.docs[0], "list");
	assert_int_equal(list->n, 5000);
	for (i = 0; i < 5000; i += 999) {
		assert_string_equal(yn_loc(yn_item(list, i)).file, "b.yaml");
		assert_int_equal(yn_loc(yn_item(list, i)).line, (int)i + 2);
	}
	assert_string_equal(yn_loc(b.docs[0]).file, "b.yaml");
	yn_free(&a);
	for (i = 0; i < 50; i++) {
		yn_load_string(&c, "c.yaml", "y: [1, 2]\n", 10, &ds);
		assert_string_equal(yn_loc(yn_item(yn_value(c.docs[0], 0), 1)).file, "c.yaml");
		yn_free(&c);
	}
	assert_string_equal(yn_loc(yn_item(list, 4999)).file, "b.yaml");
	yn_free(&b);
	buf_free(&big);
	diag_free(&ds);
}

/* equal short strings are stored once; a span wider than a node can say
 * is underlined to the end of what is shown */
static void test_strings_shared_and_wide_spans(void **state)
{
	struct yfile f;
	struct diags ds;
	struct buf text = {0};
	const struct ynode *d;
	size_t i;

	(void)state;
	buf_puts(&text, "a: same\nb: same\nc: \"same\"\nw: ");
	for (i = 0; i < 70000; i++)
		buf_putc(&text, 'w');
	buf_putc(&text, '\n');
	load(&f, &ds, text.data);
	d = f.docs[0];
	assert_ptr_equal(yn_get(d, "a")->str, yn_get(d, "b")->str);
	assert_ptr_equal(yn_get(d, "a")->str, yn_get(d, "c")->str);
	assert_int_equal(yn_get(d, "c")->style, YN_DOUBLE_QUOTED);
	assert_int_equal(yn_get(d, "w")->len, 70000);
	assert_int_equal(yn_loc(yn_get(d, "w")).end_col, 4 + 65535);
	assert_int_equal(yn_loc(yn_get(d, "a")).end_col, 8);
	yn_free(&f);
	buf_free(&text);
	diag_free(&ds);
}

/* A file of a megabyte or more is parsed in runs by two threads, cut at
 * lines that start a document, one thread from the front and the other
 * from the back. What it gives must be what one parse gives. */

/* big_stream: n documents in the text, each "---", "i: K", "l: [a, b]"
 * with eol after each line; the document at bad gets the line extra after
 * its "i"; *line_of_extra is the line extra is on */
static void big_stream(struct buf *b, size_t n, const char *eol, size_t bad, const char *extra,
		       int *line_of_extra)
{
	size_t k;
	int line = 1;

	for (k = 0; k < n; k++) {
		buf_printf(b, "---%si: %zu%s", eol, k, eol);
		line += 2;
		if (k == bad) {
			buf_printf(b, "%s%s", extra, eol);
			*line_of_extra = line++;
		}
		buf_printf(b, "l: [a, b]%s", eol);
		line++;
	}
}

/* each document where it is: its key "i" on line 3k+2 (after the extra
 * line, one more), from any run; nodes of all know their file */
static void assert_documents_in_place(const struct yfile *f, size_t n, size_t bad)
{
	size_t k;

	assert_int_equal(f->ndocs, n);
	for (k = 0; k < n; k = k < n / 2 - 3 || k > n / 2 + 3 ? k + 997 : k + 1) {
		const struct ynode *d = f->docs[k], *l = yn_get(d, "l");
		int line = 3 * (int)k + 2 + (k > bad);
		char want[32];

		snprintf(want, sizeof(want), "%zu", k);
		assert_string_equal(yn_get(d, "i")->str, want);
		/* its size: a mapping, i, K, l, a list, a, b; their text */
		if (k != bad) {
			assert_int_equal(f->sizes[k].nodes, 7);
			assert_int_equal(f->sizes[k].text, 4 + strlen(want));
		}
		assert_int_equal(yn_loc(yn_key(d, 0)).line, line);
		assert_string_equal(yn_loc(yn_key(d, 0)).file, "t.yaml");
		assert_int_equal(yn_loc(yn_item(l, 1)).line, line + 1 + (k == bad));
		assert_int_equal(yn_loc(yn_item(l, 1)).col, 8);
	}
}

static void test_a_large_file_loads_in_parts_as_in_one_once(void)
{
	static const char *const eols[] = {"\n", "\r\n"};
	size_t e, n = 90000;

	for (e = 0; e < 2; e++) {
		struct buf text = {0};
		struct yfile f;
		struct diags ds;
		int dup_line = 0;

		/* a repeated key in the second half: reported at its line */
		big_stream(&text, n, eols[e], n - 10, "i: again", &dup_line);
		assert_true(text.len > (1 << 20));
		load(&f, &ds, text.data);
		assert_int_equal(ds.n, 1);
		assert_int_equal(ds.items[0].code, DIAG_E0002);
		assert_int_equal(ds.items[0].loc.line, dup_line);
		assert_int_equal(ds.items[0].notes[0].loc.line, dup_line - 1);
		assert_false(f.failed);
		assert_documents_in_place(&f, n, n - 10);
		yn_free(&f);
		diag_free(&ds);
		buf_free(&text);
	}
}

static void test_a_large_file_loads_in_parts_as_in_one(void **state)
{
	(void)state;
	for (from_file = 0; from_file < 2; from_file++)
		test_a_large_file_loads_in_parts_as_in_one_once();
	from_file = 0;
}

/* the documents of the runs the second thread took are the last ones
 * (yfile.split), with two CPUs most likely some; with one, none; a small
 * file is parsed by this thread alone */
static void test_a_large_file_is_parsed_from_both_ends(void **state)
{
	struct buf text = {0};
	struct yfile f;
	struct diags ds;
	size_t n = 90000, tries;
	int unused = 0, from_back = 0;

	(void)state;
	big_stream(&text, n, "\n", n, "", &unused);
	for (tries = 0; tries < 5 && !from_back; tries++) {
		load(&f, &ds, text.data);
		assert_int_equal(ds.n, 0);
		assert_true(f.split <= f.ndocs);
		from_back = f.split < f.ndocs;
		assert_documents_in_place(&f, n, n);
		yn_free(&f);
		diag_free(&ds);
	}
	assert_int_equal(from_back, util_two_cpus());
	load(&f, &ds, "---\na: 1\n---\nb: 2\n");
	assert_int_equal(f.ndocs, 2);
	assert_int_equal(f.split, 2);
	yn_free(&f);
	diag_free(&ds);
	buf_free(&text);
}

/* reports from different runs, in file order */
static void test_a_large_file_reports_from_both_parts_in_order_once(void)
{
	struct buf text = {0}, tail = {0};
	struct yfile f;
	struct diags ds;
	int first = 0, second = 0;
	size_t n = 90000;

	big_stream(&text, 10, "\n", 3, "i: again", &first);
	big_stream(&tail, n, "\n", n - 5, "i: again", &second);
	buf_add(&text, tail.data, tail.len);
	load(&f, &ds, text.data);
	assert_int_equal(ds.n, 2);
	assert_int_equal(ds.items[0].loc.line, first);
	assert_int_equal(ds.items[1].loc.line, 31 + second);
	assert_true(ds.items[0].seq < ds.items[1].seq);
	assert_int_equal(f.ndocs, 10 + n);
	yn_free(&f);
	diag_free(&ds);
	buf_free(&text);
	buf_free(&tail);
}

static void test_a_large_file_reports_from_both_parts_in_order(void **state)
{
	(void)state;
	for (from_file = 0; from_file < 2; from_file++)
		test_a_large_file_reports_from_both_parts_in_order_once();
	from_file = 0;
}

/* a syntax error in a run of either thread, or a document marker that a
 * quoted scalar spans: the one report a parse in one piece gives */
static void test_a_large_file_with_a_syntax_error_reports_it_once_once(void)
{
	static const char *const bad[] = {"x: [unclosed", "x: \"spans\n---\nthe cut\""};
	size_t n = 90000, b, at;

	for (b = 0; b < 2; b++) {
		for (at = 100; at < n; at += n - 200) {
			struct buf text = {0};
			struct yfile f, alone;
			struct diags ds, ds_alone;
			int line = 0;
			char small[64];

			big_stream(&text, n, "\n", at, bad[b], &line);
			load(&f, &ds, text.data);
			/* the same document alone, its "---" on line 1 */
			snprintf(small, sizeof(small), "---\ni: %zu\n%s\nl: [a, b]\n", at, bad[b]);
			load(&alone, &ds_alone, small);
			assert_int_equal(ds_alone.n, 1);
			assert_int_equal(ds.n, 1);
			assert_true(f.failed);
			assert_int_equal(f.ndocs, 0);
			assert_int_equal(ds.items[0].loc.line, ds_alone.items[0].loc.line + line - 3);
			assert_int_equal(ds.items[0].loc.col, ds_alone.items[0].loc.col);
			assert_string_equal(ds.items[0].msg, ds_alone.items[0].msg);
			yn_free(&f);
			yn_free(&alone);
			diag_free(&ds);
			diag_free(&ds_alone);
			buf_free(&text);
		}
	}
}

static void test_a_large_file_with_a_syntax_error_reports_it_once(void **state)
{
	(void)state;
	for (from_file = 0; from_file < 2; from_file++)
		test_a_large_file_with_a_syntax_error_reports_it_once_once();
	from_file = 0;
}

/* a document of 300 KB across the middle, longer than a run: a run holds
 * it whole, and every document is where it is */
static void test_a_large_file_without_a_cut_near_the_middle(void **state)
{
	struct buf text = {0}, tail = {0};
	size_t n = 40000, k;
	int unused = 0;

	(void)state;
	big_stream(&text, n / 2, "\n", n, "", &unused);
	buf_puts(&text, "---\nbig:\n");
	for (k = 0; k < 30000; k++)
		buf_puts(&text, "  - 123456789\n");
	big_stream(&tail, n / 2, "\n", n, "", &unused);
	buf_add(&text, tail.data, tail.len);
	assert_true(text.len > (1 << 20));
	for (from_file = 0; from_file < 2; from_file++) {
		struct yfile f;
		struct diags ds;
		const struct ynode *last;

		load(&f, &ds, text.data);
		assert_int_equal(ds.n, 0);
		assert_int_equal(f.ndocs, n + 1);
		assert_int_equal(yn_get(f.docs[n / 2], "big")->n, 30000);
		last = f.docs[n];
		assert_string_equal(yn_get(last, "i")->str, "19999");
		assert_int_equal(yn_loc(yn_key(last, 0)).line, 3 * (int)n + 30000 + 1);
		yn_free(&f);
		diag_free(&ds);
	}
	from_file = 0;
	buf_free(&text);
	buf_free(&tail);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_positions_are_one_based_line_and_column),
		cmocka_unit_test(test_columns_count_characters_not_bytes),
		cmocka_unit_test(test_duplicate_keys_are_reported_with_first_place),
		cmocka_unit_test(test_three_duplicates_each_point_at_the_first),
		cmocka_unit_test(test_repeated_keys_are_marked),
		cmocka_unit_test(test_document_sizes),
		cmocka_unit_test(test_multiple_documents_load_in_order_and_skip_empty_ones),
		cmocka_unit_test(test_empty_input_has_no_documents),
		cmocka_unit_test(test_alias_is_an_error_and_voids_the_file),
		cmocka_unit_test(test_nul_is_an_error_at_its_escape_and_voids_the_file),
		cmocka_unit_test(test_nul_escape_is_found_after_a_bom_an_anchor_and_a_line_break),
		cmocka_unit_test(test_syntax_error_has_its_position),
		cmocka_unit_test(test_invalid_utf8_points_at_the_bad_character),
		cmocka_unit_test(test_nesting_beyond_the_limit_is_refused),
		cmocka_unit_test(test_nesting_at_the_limit_loads),
		cmocka_unit_test(test_scalar_kinds),
		cmocka_unit_test(test_loc_at_is_exact_only_without_escapes),
		cmocka_unit_test(test_cols_exact_counts_characters_at_every_offset),
		cmocka_unit_test(test_loc_after_counts_on_from_an_earlier_offset),
		cmocka_unit_test(test_nodes_know_their_file),
		cmocka_unit_test(test_duplicates_in_a_large_mapping),
		cmocka_unit_test(test_strings_shared_and_wide_spans),
		cmocka_unit_test(test_a_large_file_loads_in_parts_as_in_one),
		cmocka_unit_test(test_a_large_file_reports_from_both_parts_in_order),
		cmocka_unit_test(test_a_large_file_is_parsed_from_both_ends),
		cmocka_unit_test(test_a_large_file_with_a_syntax_error_reports_it_once),
		cmocka_unit_test(test_a_large_file_without_a_cut_near_the_middle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

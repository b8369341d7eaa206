/* test_ynode.c: unit tests of the YAML loader: positions, duplicate keys,
 * multiple documents, aliases, NUL characters, nesting limits, syntax errors. */
#include "harness.h"

#include <stdlib.h>

#include "ynode.h"

static void load(struct yfile *f, struct diags *ds, const char *text)
{
	memset(ds, 0, sizeof(*ds));
	yn_load_string(f, "t.yaml", text, strlen(text), ds);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_positions_are_one_based_line_and_column),
		cmocka_unit_test(test_columns_count_characters_not_bytes),
		cmocka_unit_test(test_duplicate_keys_are_reported_with_first_place),
		cmocka_unit_test(test_three_duplicates_each_point_at_the_first),
		cmocka_unit_test(test_repeated_keys_are_marked),
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
		cmocka_unit_test(test_loc_after_counts_on_from_an_earlier_offset),
		cmocka_unit_test(test_nodes_know_their_file),
		cmocka_unit_test(test_duplicates_in_a_large_mapping),
		cmocka_unit_test(test_strings_shared_and_wide_spans),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

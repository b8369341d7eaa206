/* test_ref.c: unit tests of the reference language inside ${{ }}: every
 * production, every syntax error, and finding references in strings. */
#include "harness.h"

#include "ref.h"

static struct arena arena;

static struct ref parse_ok(const char *body)
{
	struct parse_error err;
	struct ref r;

	if (ref_parse(&arena, body, strlen(body), &r, &err) < 0)
		fail_msg("'%s' does not parse: %s", body, err.msg);
	return r;
}

static void test_roots_and_path_steps(void **state)
{
	struct ref r;

	(void)state;
	r = parse_ok(" params.text1 ");
	assert_int_equal(r.root, REF_PARAM);
	assert_string_equal(r.name, "text1");
	assert_int_equal(r.name_off, 8);
	assert_int_equal(r.nsteps, 0);
	r = parse_ok("tasks.load-file");
	assert_int_equal(r.root, REF_TASK);
	assert_string_equal(r.name, "load-file");
	r = parse_ok("tasks.t.outputs[0][\"key with spaces\"]['single'].last");
	assert_int_equal(r.nsteps, 5);
	assert_string_equal(r.steps[0].key, "outputs");
	assert_int_equal(r.steps[1].is_index, 1);
	assert_int_equal(r.steps[1].index, 0);
	assert_string_equal(r.steps[2].key, "key with spaces");
	assert_string_equal(r.steps[3].key, "single");
	assert_string_equal(r.steps[4].key, "last");
	assert_int_equal(r.steps[0].off, 8);
	r = parse_ok("params.p [ 12 ] . x");
	assert_int_equal(r.steps[0].index, 12);
	assert_string_equal(r.steps[1].key, "x");
	r = parse_ok("params.p[\"q\\\"uote\"]");
	assert_string_equal(r.steps[0].key, "q\"uote");
}

struct bad_case {
	const char *body;   /* what is inside ${{ }} */
	size_t offset;      /* where the error must point */
	const char *words;  /* what the message must say */
};

static void test_every_syntax_error(void **state)
{
	static const struct bad_case cases[] = {
		{"", 0, "empty reference"},
		{"  ", 0, "empty reference"},
		{"params", 6, "incomplete reference"},
		{"params.", 7, "ends after '.'"},
		{"params.p.", 9, "ends after '.'"},
		{"params.p[", 9, "ends after '['"},
		{"params.p[0", 10, "ends too early"},
		{"params.p[x]", 9, "unexpected name 'x'"},
		{"params.p[-1]", 9, "unexpected character '-'"},
		{"params.p q", 9, "unexpected name 'q'"},
		{"env.HOME", 0, "not 'env.'"},
		{"params[0]", 6, "unexpected '['"},
		{"params.p..q", 9, "unexpected '.'"},
		{"params.p[\"open", 9, "not closed"},
		{"params.p[1234567890]", 9, "too large"},
		{"params.p.0", 9, "unexpected '0'"},
		{"params.p+1", 8, "unexpected character '+'"},
		{"params.p\x7f", 8, "byte 0x7F"},
		{"tasks.t]", 7, "unexpected ']'"},
		{"0.x", 0, "unexpected '0'"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct parse_error err;
		struct ref r;

		if (ref_parse(&arena, cases[i].body, strlen(cases[i].body), &r, &err) == 0)
			fail_msg("'%s' parsed", cases[i].body);
		if (err.offset != cases[i].offset || !strstr(err.msg, cases[i].words))
			fail_msg("'%s': got '%s' at %zu, want '%s' at %zu", cases[i].body, err.msg,
				 err.offset, cases[i].words, cases[i].offset);
	}
}

static void test_spans_in_strings(void **state)
{
	const char *s = "a ${{ params.x }} b ${{tasks.y}}${{ open";
	struct ref_span sp;

	(void)state;
	assert_int_equal(ref_next(s, strlen(s), 0, &sp), 1);
	assert_int_equal(sp.start, 2);
	assert_int_equal(sp.end, 17);
	assert_int_equal(sp.body_len, 10);
	assert_int_equal(ref_next(s, strlen(s), sp.end, &sp), 1);
	assert_int_equal(sp.start, 20);
	assert_int_equal(sp.end, 32);
	assert_int_equal(ref_next(s, strlen(s), sp.end, &sp), 1);
	assert_int_equal(sp.end, 0);
	assert_int_equal(ref_next("no refs $ {{ here", strlen("no refs $ {{ here"), 0, &sp), 0);
	/* nothing past len is read: the reference is unclosed there */
	assert_int_equal(ref_next("${{ a }}", 6, 0, &sp), 1);
	assert_int_equal(sp.end, 0);
	assert_int_equal(sp.body_len, 3);
	assert_int_equal(ref_next("x ${{ a }}", 3, 0, &sp), 0);
}

static int teardown(void **state)
{
	(void)state;
	arena_free(&arena);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roots_and_path_steps),
		cmocka_unit_test(test_every_syntax_error),
		cmocka_unit_test(test_spans_in_strings),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}

/* test_type.c: unit tests of the type language: every production of the
 * grammar, every syntax error, canonical printing and assignability. */
#include "harness.h"

#include "type.h"

static struct arena arena;

static const struct type *parse(const char *text)
{
	struct parse_error err;
	const struct type *t = type_parse(&arena, text, &err);

	if (!t)
		fail_msg("'%s' does not parse: %s", text, err.msg);
	return t;
}

static const char *canon(const char *text)
{
	return type_str(parse(text));
}

static void test_every_production_parses(void **state)
{
	(void)state;
	assert_int_equal(parse("string")->kind, TYPE_STRING);
	assert_int_equal(parse("int")->kind, TYPE_INT);
	assert_int_equal(parse("float")->kind, TYPE_FLOAT);
	assert_int_equal(parse("number")->kind, TYPE_NUMBER);
	assert_int_equal(parse("bool")->kind, TYPE_BOOL);
	assert_int_equal(parse("null")->kind, TYPE_NULL);
	assert_int_equal(parse("any")->kind, TYPE_ANY);
	assert_int_equal(parse("list[int]")->kind, TYPE_LIST);
	assert_int_equal(parse("list[int]")->elem->kind, TYPE_INT);
	assert_int_equal(parse("dict[string]")->kind, TYPE_DICT);
	assert_int_equal(parse("int?")->kind, TYPE_OPTIONAL);
	assert_int_equal(parse("file[text]")->format, FORMAT_TEXT);
	assert_int_equal(parse("file[json]")->format, FORMAT_JSON);
	assert_int_equal(parse("file[yaml]")->format, FORMAT_YAML);
	assert_int_equal(parse("file[bytes]")->format, FORMAT_BYTES);
	assert_int_equal(parse("file[any]")->format, FORMAT_ANY);
	assert_int_equal(parse("db[{a: int}]")->kind, TYPE_DB);
	assert_int_equal(parse("{}")->kind, TYPE_RECORD);
	assert_int_equal(parse("{}")->nfields, 0);
	assert_int_equal(parse("{a: int}")->nfields, 1);
	assert_int_equal(parse("{a: int, b?: string}")->fields[1].optional, 1);
	assert_int_equal(parse("{a: int,}")->nfields, 1);
	assert_string_equal(parse("{\"x y\": int}")->fields[0].name, "x y");
	assert_string_equal(parse("{\"q\\\"\": int}")->fields[0].name, "q\"");
	assert_int_equal(parse("  list [ int ] ? ")->kind, TYPE_OPTIONAL);
	assert_int_equal(parse("{a-b: int}")->nfields, 1);
}

static void test_optional_folds(void **state)
{
	(void)state;
	assert_string_equal(canon("int??"), "int?");
	assert_string_equal(canon("null?"), "null");
	assert_string_equal(canon("any?"), "any");
	assert_string_equal(canon("list[int?]?"), "list[int?]?");
}

static void test_canonical_printing_sorts_fields_and_round_trips(void **state)
{
	static const char *const texts[] = {
		"string", "list[dict[float?]]", "{b: int, a?: list[string]}", "file[yaml]",
		"db[{outputs: {x: int}, inputs: {y: string}}]", "{\"x y\": int, a: {c: bool, b: null}}",
		"{}", "dict[{}]?", "{\"\\\"\": int}", "list[{z: any}]",
	};
	size_t i;

	(void)state;
	assert_string_equal(canon("{b: int, a?: list[string]}"), "{a?: list[string], b: int}");
	assert_string_equal(canon("{ \"x y\" : int ,a:{c:bool,b:null}}"),
			    "{a: {b: null, c: bool}, \"x y\": int}");
	for (i = 0; i < sizeof(texts) / sizeof(*texts); i++) {
		const struct type *t = parse(texts[i]);
		struct buf b = {0};
		const struct type *again;

		type_print(&b, t);
		again = parse(b.data);
		assert_true(type_equal(t, again));
		/* printing is a fixed point */
		assert_string_equal(type_str(again), b.data);
		buf_free(&b);
	}
}

struct bad_case {
	const char *text;    /* the type */
	size_t offset;       /* where the error must point */
	const char *words;   /* what the message must say */
};

static void test_every_syntax_error_points_at_its_column(void **state)
{
	static const struct bad_case cases[] = {
		{"", 0, "empty type"},
		{"   ", 0, "empty type"},
		{"list[", 5, "ends too early"},
		{"list[int", 8, "ends too early"},
		{"list[int]]", 9, "unexpected ']'"},
		{"{a int}", 3, "unexpected name 'int'"},
		{"{a: }", 4, "unexpected '}'"},
		{"{a: int b: int}", 8, "unexpected name 'b'"},
		{"{,}", 1, "unexpected ','"},
		{"{a: int,,}", 8, "unexpected ','"},
		{"{a?? : int}", 3, "unexpected '?'"},
		{"int!", 3, "unexpected character '!'"},
		{"int\x01", 3, "byte 0x01"},
		{"?", 0, "unexpected '?'"},
		{"[int]", 0, "unexpected '['"},
		{"list[]", 5, "unexpected ']'"},
		{"int int", 4, "unexpected name 'int'"},
		{"{\"a: int}", 1, "not closed"},
		{"strng", 0, "did you mean 'string'"},
		{"text", 0, "file format"},
		{"list[text]", 5, "file format"},
		{"file[txt]", 5, "unknown type 'txt'"},
		{"file[int]", 5, "takes a format"},
		{"lst[int]", 0, "did you mean 'list'"},
		{"foo[int]", 0, "the types that take an argument"},
		{"dict", 0, "needs a type argument"},
		{"{a: int, a: bool}", 9, "appears twice"},
		{"{\"\": int, b}", 11, "unexpected '}'"},
		{"}", 0, "unexpected '}'"},
		{":", 0, "unexpected ':'"},
		{"\"a\"", 0, "unexpected a quoted name"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct parse_error err;

		if (type_parse(&arena, cases[i].text, &err))
			fail_msg("'%s' parsed", cases[i].text);
		if (err.offset != cases[i].offset || !strstr(err.msg, cases[i].words))
			fail_msg("'%s': got '%s' at %zu, want '%s' at %zu", cases[i].text, err.msg,
				 err.offset, cases[i].words, cases[i].offset);
	}
}

static void test_deep_nesting_is_refused_not_crashed(void **state)
{
	struct buf b = {0};
	struct parse_error err;
	int i;

	(void)state;
	for (i = 0; i < 5000; i++)
		buf_puts(&b, "list[");
	buf_puts(&b, "int");
	for (i = 0; i < 5000; i++)
		buf_puts(&b, "]");
	assert_null(type_parse(&arena, b.data, &err));
	assert_non_null(strstr(err.msg, "nested too deeply"));
	buf_free(&b);
}

struct fit_case {
	const char *s;       /* source type */
	const char *t;       /* target type */
	enum type_fit fit;   /* expected answer */
};

static void test_assignability_table(void **state)
{
	static const struct fit_case cases[] = {
		/* identical and primitive */
		{"string", "string", FIT_YES}, {"int", "int", FIT_YES}, {"bool", "bool", FIT_YES},
		{"null", "null", FIT_YES}, {"string", "int", FIT_NO}, {"int", "string", FIT_NO},
		{"bool", "int", FIT_NO}, {"null", "string", FIT_NO}, {"string", "bool", FIT_NO},
		/* numeric tower */
		{"int", "float", FIT_YES}, {"int", "number", FIT_YES}, {"float", "number", FIT_YES},
		{"float", "int", FIT_NO}, {"number", "float", FIT_NO}, {"number", "int", FIT_NO},
		/* any both ways */
		{"int", "any", FIT_YES}, {"{a: int}", "any", FIT_YES}, {"any", "any", FIT_YES},
		{"any", "int", FIT_VIA_ANY}, {"any", "list[int]", FIT_VIA_ANY},
		{"list[any]", "list[string]", FIT_VIA_ANY}, {"{a: any}", "{a: int}", FIT_VIA_ANY},
		{"list[any]", "any", FIT_YES},
		/* optional */
		{"null", "int?", FIT_YES}, {"int", "int?", FIT_YES}, {"int?", "int?", FIT_YES},
		{"int?", "int", FIT_NO}, {"int", "float?", FIT_YES}, {"int?", "float?", FIT_YES},
		{"string", "int?", FIT_NO}, {"null", "any", FIT_YES}, {"any", "int?", FIT_VIA_ANY},
		/* list and dict are covariant */
		{"list[int]", "list[float]", FIT_YES}, {"list[float]", "list[int]", FIT_NO},
		{"list[int]", "list[int?]", FIT_YES}, {"list[int?]", "list[int]", FIT_NO},
		{"dict[int]", "dict[number]", FIT_YES}, {"dict[string]", "dict[int]", FIT_NO},
		{"list[int]", "dict[int]", FIT_NO}, {"dict[int]", "list[int]", FIT_NO},
		{"list[list[int]]", "list[list[number]]", FIT_YES},
		/* records by width and depth */
		{"{a: int, b: string}", "{a: int}", FIT_YES}, {"{a: int}", "{a: int, b: string}", FIT_NO},
		{"{a: int}", "{a: int, b?: string}", FIT_YES}, {"{a: int, b: int}", "{a: int, b?: string}", FIT_NO},
		{"{a: int, b?: string}", "{a: int}", FIT_YES}, {"{a?: int}", "{a: int}", FIT_NO},
		{"{a?: int}", "{a?: float}", FIT_YES}, {"{a: {b: int}}", "{a: {b: float}}", FIT_YES},
		{"{a: {b: float}}", "{a: {b: int}}", FIT_NO}, {"{}", "{}", FIT_YES},
		{"{a: int}", "{}", FIT_YES}, {"{a: int}", "dict[int]", FIT_YES},
		{"{a: int, b: string}", "dict[int]", FIT_NO}, {"dict[int]", "{a: int}", FIT_NO},
		{"string", "{}", FIT_NO}, {"{a: null}", "{a: int?}", FIT_YES},
		/* files */
		{"file[text]", "file[text]", FIT_YES}, {"file[text]", "file[any]", FIT_YES},
		{"file[text]", "file[json]", FIT_NO}, {"file[any]", "file[text]", FIT_VIA_ANY},
		{"file[json]", "string", FIT_NO}, {"string", "file[text]", FIT_NO},
		/* db representations */
		{"db[{a: int}]", "db[{a: int}]", FIT_YES}, {"db[{a: int, b: int}]", "db[{a: int}]", FIT_YES},
		{"db[{a: int}]", "db[{a: string}]", FIT_NO}, {"db[{a: int}]", "db[any]", FIT_YES},
		{"db[{a: int}]", "{a: int}", FIT_NO}, {"file[text]", "db[any]", FIT_NO},
	};
	size_t i;

	(void)state;
	assert_true(sizeof(cases) / sizeof(*cases) >= 60);
	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		enum type_fit fit = type_assignable(parse(cases[i].s), parse(cases[i].t));

		if (fit != cases[i].fit)
			fail_msg("%s <: %s gave %d, want %d", cases[i].s, cases[i].t, fit, cases[i].fit);
	}
}

static void test_never_fits_everything_and_joins_away(void **state)
{
	(void)state;
	assert_int_equal(type_assignable(&type_never, parse("int")), FIT_YES);
	assert_int_equal(type_assignable(type_list(&arena, &type_never), parse("list[{a: int}]")),
			 FIT_YES);
	assert_string_equal(type_str(type_join(&arena, &type_never, &type_int)), "int");
	assert_string_equal(type_str(type_join(&arena, &type_int, &type_float)), "float");
	assert_string_equal(type_str(type_join(&arena, &type_int, &type_null)), "int?");
	assert_string_equal(type_str(type_join(&arena, &type_int, &type_string)), "any");
}

struct value_case {
	const char *type;   /* the type */
	const char *json;   /* a value */
	const char *why;    /* NULL when it fits, else what the message must say */
};

static void test_values_are_checked_with_the_path_of_the_first_bad_one(void **state)
{
	static const struct value_case cases[] = {
		{"int", "3", NULL}, {"int", "3.5", "$: expected int, got a number"},
		{"float", "3", NULL}, {"number", "2.5", NULL}, {"string", "\"x\"", NULL},
		{"string", "1", "$: expected string, got an integer"}, {"bool", "true", NULL},
		{"null", "null", NULL}, {"int?", "null", NULL}, {"int?", "\"x\"", "expected int?"},
		{"list[int]", "[1, 2, \"3\"]", "$[2]: expected int, got a string"},
		{"dict[bool]", "{\"a\": true, \"b\": 1}", "$.b: expected bool"},
		{"{a: int, b?: {c: list[string]}}", "{\"a\": 1, \"b\": {\"c\": [\"x\", 2]}}",
		 "$.b.c[1]: expected string"},
		{"{a: int, b?: string}", "{\"b\": \"x\"}", "$.a: missing (expected int)"},
		{"{a: int}", "{\"a\": 1, \"extra\": [1]}", NULL},
		{"any", "{\"x\": [null]}", NULL},
		{"file[text]", "{\"filename\": \"f\", \"file_type_string\": \"text\", "
			       "\"filesystem_identifier\": \"local\"}", NULL},
		{"file[text]", "{\"filename\": \"f\", \"file_type_string\": "
			       "\"lume_services.files.file:File[TextSerializer]\", "
			       "\"filesystem_identifier\": \"local\"}", NULL},
		{"file[json]", "{\"filename\": \"f\", \"file_type_string\": \"text\", "
			       "\"filesystem_identifier\": \"local\"}", "is not a json file"},
		{"file[any]", "{\"filename\": \"f\"}", "expected file[any], got an object"},
		{"db[any]", "{\"project_name\": \"p\", \"result_type_string\": \"generic\", "
			    "\"query\": {\"unique_hash\": \"sha256:0\"}}", NULL},
		{"db[any]", "{\"project_name\": \"p\"}", "expected db[any]"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		json_t *v = json_loads(cases[i].json, JSON_DECODE_ANY, NULL);
		struct buf why = {0};
		int ok;

		assert_non_null(v);
		ok = type_check_value(parse(cases[i].type), v, "$", &why);
		if (!cases[i].why && !ok)
			fail_msg("%s %s refused: %s", cases[i].type, cases[i].json, why.data);
		if (cases[i].why && (ok || !strstr(why.data, cases[i].why)))
			fail_msg("%s %s: got '%s', want '%s'", cases[i].type, cases[i].json,
				 ok ? "(accepted)" : why.data, cases[i].why);
		json_decref(v);
		buf_free(&why);
	}
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
		cmocka_unit_test(test_every_production_parses),
		cmocka_unit_test(test_optional_folds),
		cmocka_unit_test(test_canonical_printing_sorts_fields_and_round_trips),
		cmocka_unit_test(test_every_syntax_error_points_at_its_column),
		cmocka_unit_test(test_deep_nesting_is_refused_not_crashed),
		cmocka_unit_test(test_assignability_table),
		cmocka_unit_test(test_never_fits_everything_and_joins_away),
		cmocka_unit_test(test_values_are_checked_with_the_path_of_the_first_bad_one),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}

/* test_plan.c: unit tests of flowrun's plan reader: the committed lume plan
 * loads; a changed byte, a removed member, an index out of range, an
 * unknown version are each refused with a message naming where. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jarena.h"
#include "plan.h"
#include "plan_format.h"

#define LUME_PLAN "tests/plans/lume.json"

static char *read_text(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *text;
	long n;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	text = xmalloc((size_t)n + 1);
	assert_int_equal(fread(text, 1, (size_t)n, fp), (size_t)n);
	text[n] = '\0';
	fclose(fp);
	*len = (size_t)n;
	return text;
}

/* rehashed: the plan text after edit, with a hash that matches again, so
 * the structural checks are what must catch the edit */
static char *rehashed(json_t *root)
{
	char hash[72];

	assert_int_equal(plan_hash(root, 0, hash), 0);
	json_object_set_new(root, "hash", json_string(hash));
	return json_dumps(root, PLAN_DUMP_FLAGS);
}

static json_t *lume_json(void)
{
	json_error_t err;
	json_t *root = json_load_file(LUME_PLAN, 0, &err);

	assert_non_null(root);
	return root;
}

/* refused: parses text, expecting failure with words in the message */
static void refused(const char *text, const char *words)
{
	struct plan p;
	struct buf err = {0};

	if (plan_parse(&p, text, strlen(text), &err) == 0)
		fail_msg("accepted a plan that should be refused for '%s'", words);
	if (!strstr(err.data, words))
		fail_msg("message '%s' does not say '%s'", err.data, words);
	plan_free(&p);
	buf_free(&err);
}

static void test_lume_plan_loads(void **state)
{
	struct plan p;
	struct buf err = {0};

	(void)state;
	if (plan_load(&p, LUME_PLAN, &err) < 0)
		fail_msg("%s", err.data);
	assert_string_equal(p.name, "flow_of_flows");
	assert_int_equal(p.ninputs, 5);
	assert_int_equal(p.nflows, 3);
	assert_string_equal(p.flows[2].name, "flow3");
	assert_int_equal(p.flows[2].params[0].source.kind, SOURCE_DB);
	assert_int_equal(p.flows[2].params[0].source.flow, 1);
	assert_int_equal(p.flows[2].params[0].source.task, 2);
	assert_int_equal(p.flows[1].params[0].source.kind, SOURCE_FILE);
	assert_int_equal(p.flows[0].tasks[1].kind, TASK_BUILTIN);
	assert_int_equal(p.flows[0].tasks[1].needs[0], 0);
	assert_int_equal(p.flows[2].tasks[0].result->kind, TYPE_BOOL);
	assert_non_null(p.inputs[1].deflt);
	assert_null(p.inputs[0].deflt);
	plan_free(&p);
	buf_free(&err);
}

/* what jansson cut from big blocks while plans were read goes back once
 * every plan is freed, in either order; values made outside are malloc's,
 * a value read from a plan and grown afterwards is freed whole */
static void test_plan_memory_goes_back(void **state)
{
	struct plan a, b;
	struct buf err = {0};
	json_t *outside = json_object(), *flow;
	char key[16];
	int i;

	(void)state;
	json_object_set_new(outside, "x", json_string("made outside"));
	assert_int_equal(jarena_live(), 0);
	assert_int_equal(plan_load(&a, LUME_PLAN, &err), 0);
	assert_true(jarena_live() > 100);
	assert_int_equal(plan_load(&b, LUME_PLAN, &err), 0);
	flow = json_array_get(json_object_get(a.root, "flows"), 0);
	assert_non_null(flow);
	for (i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		json_object_set_new(flow, key, json_integer(i));
	}
	json_object_set(outside, "flow", flow);
	plan_free(&a);
	assert_true(jarena_live() > 100);
	plan_free(&b);
	assert_true(jarena_live() > 0); /* the flow outside still holds its part */
	json_decref(outside);
	assert_int_equal(jarena_live(), 0);
	/* a plan refused as JSON gives back what it had made */
	refused("{\"flows\": [{\"name\": \"a\"}, 2", "not valid JSON");
	assert_int_equal(jarena_live(), 0);
	buf_free(&err);
}

static void test_every_changed_byte_is_refused(void **state)
{
	size_t len, i;
	char *text = read_text(LUME_PLAN, &len);
	const char subst[] = "x0}\"";

	(void)state;
	/* the trailing newline is whitespace to JSON: leave it */
	for (i = 0; i + 1 < len; i++) {
		char saved = text[i], c = subst[i % 4] == saved ? 'y' : subst[i % 4];
		struct plan p;
		struct buf err = {0};

		text[i] = c;
		if (plan_parse(&p, text, len, &err) == 0)
			fail_msg("byte %zu changed to '%c' was accepted", i, c);
		plan_free(&p);
		buf_free(&err);
		text[i] = saved;
	}
	free(text);
}

static void test_changed_content_names_the_hash(void **state)
{
	size_t len;
	char *text = read_text(LUME_PLAN, &len), *at = strstr(text, "flow1-text1");

	(void)state;
	at[4] = '9';
	refused(text, "does not match its hash");
	free(text);
}

static void test_removed_member_is_named_with_its_path(void **state)
{
	json_t *root = lume_json();
	char *text;

	(void)state;
	json_object_del(json_array_get(json_object_get(json_array_get(json_object_get(root, "flows"), 1),
						       "tasks"), 2), "result");
	text = rehashed(root);
	refused(text, "flows[1].tasks[2]: missing member 'result'");
	free(text);
	json_decref(root);
}

static void test_index_out_of_range_is_refused(void **state)
{
	json_t *root = lume_json(), *src;
	char *text;

	(void)state;
	src = json_object_get(json_object_get(json_array_get(json_object_get(
		json_array_get(json_object_get(root, "flows"), 2), "params"), 0), "source"), "db");
	json_object_set_new(src, "task", json_integer(7));
	text = rehashed(root);
	refused(text, "flows[2].params[0].source.db.task: task 7 out of range");
	free(text);
	json_object_set_new(src, "task", json_integer(2));
	json_object_set_new(src, "flow", json_integer(2));
	text = rehashed(root);
	refused(text, "a mapping takes from an earlier flow");
	free(text);
	json_decref(root);
}

static void test_reference_to_a_later_task_is_refused(void **state)
{
	json_t *root = lume_json(), *argv;
	char *text;

	(void)state;
	argv = json_object_get(json_array_get(json_object_get(json_array_get(json_object_get(root, "flows"),
									     0), "tasks"), 0), "argv");
	json_array_append_new(argv, json_pack("{s:{s:i}}", "ref", "task", 1));
	text = rehashed(root);
	refused(text, "flows[0].tasks[0].argv[6].ref.task");
	free(text);
	json_decref(root);
}

static void test_unknown_version_and_format_are_refused(void **state)
{
	json_t *root = lume_json();
	char *text;

	(void)state;
	json_object_set_new(root, "version", json_integer(2));
	text = rehashed(root);
	refused(text, "version 2 is not supported");
	free(text);
	json_object_set_new(root, "format", json_string("other"));
	text = rehashed(root);
	refused(text, "not a flowc plan");
	free(text);
	json_decref(root);
	refused("[1, 2]", "a plan is a JSON object");
	refused("{\"format\": \"flowc-plan\"", "not valid JSON");
	refused("", "not valid JSON");
}

static void test_unknown_member_and_bad_template_are_refused(void **state)
{
	json_t *root = lume_json(), *task;
	char *text;

	(void)state;
	task = json_array_get(json_object_get(json_array_get(json_object_get(root, "flows"), 0), "tasks"), 0);
	json_object_set_new(task, "colour", json_string("red"));
	text = rehashed(root);
	refused(text, "unknown member 'colour'");
	free(text);
	json_object_del(task, "colour");
	json_array_set_new(json_object_get(task, "argv"), 0, json_pack("{s:s}", "eval", "x"));
	text = rehashed(root);
	refused(text, "flows[0].tasks[0].argv[0].eval: unknown template kind");
	free(text);
	json_array_set_new(json_object_get(task, "argv"), 0, json_integer(3));
	text = rehashed(root);
	refused(text, "a template is a string or an object");
	free(text);
	json_array_set_new(json_object_get(task, "argv"), 0, json_string("sh"));
	json_object_set_new(task, "result", json_string("lst[int]"));
	text = rehashed(root);
	refused(text, "bad type 'lst[int]'");
	free(text);
	json_decref(root);
}

/* flow and task names become file names in the run directory: a name
 * with a '/' or '..' or a repeated flow name is refused even when the
 * hash was made to match */
static void test_names_that_are_not_names_are_refused(void **state)
{
	json_t *root, *flows;
	char *text;

	(void)state;
	root = lume_json();
	json_object_set_new(json_array_get(json_object_get(json_array_get(json_object_get(root,
		"flows"), 0), "tasks"), 0), "name", json_string("../../escape"));
	text = rehashed(root);
	refused(text, "flows[0].tasks[0]: task name '../../escape' is not a name");
	free(text);
	json_decref(root);

	root = lume_json();
	json_object_set_new(json_array_get(json_object_get(root, "flows"), 1), "name",
			    json_string("a/b"));
	text = rehashed(root);
	refused(text, "flow name 'a/b' is not a name");
	free(text);
	json_decref(root);

	/* a timeout beyond a year would overflow a deadline */
	root = lume_json();
	json_object_set_new(json_array_get(json_object_get(json_array_get(json_object_get(root,
		"flows"), 0), "tasks"), 0), "timeout_ms", json_integer(9223372036854775000LL));
	text = rehashed(root);
	refused(text, "timeout_ms: 9223372036854775000 is more than a year in ms");
	free(text);
	json_decref(root);

	root = lume_json();
	flows = json_object_get(root, "flows");
	json_object_set_new(json_array_get(flows, 2), "name", json_string("flow1"));
	text = rehashed(root);
	refused(text, "flows[2]: flow 'flow1' appears twice");
	free(text);
	json_decref(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lume_plan_loads),
		cmocka_unit_test(test_plan_memory_goes_back),
		cmocka_unit_test(test_every_changed_byte_is_refused),
		cmocka_unit_test(test_changed_content_names_the_hash),
		cmocka_unit_test(test_removed_member_is_named_with_its_path),
		cmocka_unit_test(test_index_out_of_range_is_refused),
		cmocka_unit_test(test_reference_to_a_later_task_is_refused),
		cmocka_unit_test(test_unknown_version_and_format_are_refused),
		cmocka_unit_test(test_unknown_member_and_bad_template_are_refused),
		cmocka_unit_test(test_names_that_are_not_names_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

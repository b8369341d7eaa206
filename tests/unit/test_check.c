/* test_check.c: unit tests of resolution and the reference checks, on the
 * lume-services example and on small flows written for each check. */
#include "harness.h"

#include <errno.h>
#include <stdlib.h>

#define LUME "specs/examples/lume/"

static const char flows_ab[] =
	"name: a\nproject_name: test\nparameters:\n  text: string\n"
	"tasks:\n  - {name: make, run: [echo]}\n"
	"---\nname: b\nproject_name: test\nparameters:\n  text: string\n  n: int\n"
	"tasks:\n  - {name: use, run: [echo, '${{ params.text }}']}\n";

static void load_lume(struct driver *d, const char *fof_text)
{
	static const char *const files[] = {LUME "flow1.yaml", LUME "flow2.yaml", LUME "flow3.yaml"};
	size_t i;

	memset(d, 0, sizeof(*d));
	for (i = 0; i < 3; i++)
		if (driver_add_file(d, files[i], 1) < 0)
			fail_msg("cannot read %s: %s", files[i], strerror(errno));
	if (fof_text)
		driver_add_string(d, "fof.yaml", fof_text);
	else if (driver_add_file(d, LUME "flow_of_flows.yaml", 1) < 0)
		fail_msg("cannot read the lume flow of flows");
	driver_check(d);
	diag_sort(&d->ds);
}

static void test_lume_example_checks_clean(void **state)
{
	struct driver d;

	(void)state;
	load_lume(&d, NULL);
	if (d.ds.n)
		dump(&d.ds);
	assert_int_equal(d.ds.n, 0);
	assert_int_equal(d.set.nflows, 3);
	assert_int_equal(d.set.nfofs, 1);
	assert_ptr_equal(d.set.fofs[0]->entries[2].flow, d.set.flows[2]);
	driver_free(&d);
}

static const char lume_fof_broken[] =
	"name: flow_of_flows\nproject_name: test\ncomposing_flows:\n"
	"  - name: flow1\n    project_name: test\n"
	"  - name: flow2\n    project_name: test\n    mapped_parameters:\n"
	"      file_ref:\n        parent_flow_name: flow1\n        parent_task_name: save_text_file\n"
	"        map_type: file\n"
	"  - name: flow3\n    project_name: test\n    mapped_parameters:\n"
	"      text1:\n        parent_flow_name: flow4\n        parent_task_name: save_db_result\n"
	"        map_type: db\n"
	"      text2:\n        parent_flow_name: flow2\n        parent_task_name: save_result\n"
	"        map_type: db\n";

static void test_lume_services_three_errors_in_one_run(void **state)
{
	struct driver d;
	const struct diag *e;

	(void)state;
	load_lume(&d, lume_fof_broken);
	assert_int_equal(d.ds.n, 3);
	e = find_code(&d.ds, DIAG_E0203);
	assert_non_null(e);
	assert_int_equal(e->loc.line, 9);
	assert_int_equal(e->loc.col, 7);
	assert_string_equal(e->msg, "parameter 'file_ref' is not a parameter of flow 'flow2' "
				    "(did you mean 'file_rep'?)");
	e = find_code(&d.ds, DIAG_E0204);
	assert_non_null(e);
	assert_int_equal(e->loc.line, 17);
	assert_non_null(strstr(e->msg, "'flow4'"));
	e = find_code(&d.ds, DIAG_E0205);
	assert_non_null(e);
	assert_int_equal(e->loc.line, 22);
	assert_non_null(strstr(e->msg, "task 'save_result' is not a task of parent flow 'flow2'"));
	/* sorted by position */
	assert_true(d.ds.items[0].loc.line < d.ds.items[1].loc.line);
	assert_true(d.ds.items[1].loc.line < d.ds.items[2].loc.line);
	driver_free(&d);
}

static void test_unknown_flow_lists_known_flows(void **state)
{
	struct driver d;
	const char *texts[] = {flows_ab, "name: fof\nproject_name: test\ncomposing_flows:\n"
					 "  - {name: c, project_name: test}\n"};
	const struct diag *e;

	(void)state;
	front_end(&d, texts, 2);
	e = find_code(&d.ds, DIAG_E0201);
	assert_non_null(e);
	assert_int_equal(d.ds.n, 1);
	assert_int_equal(e->nnotes, 2);
	assert_string_equal(e->notes[0].msg, "known flows (project/name): test/a, test/b");
	driver_free(&d);
}

static void test_same_flow_in_two_files_names_both(void **state)
{
	struct driver d;
	const char *texts[] = {flows_ab, "\n\nname: a\nproject_name: test\ntasks: [{name: t, run: [x]}]\n"};
	const struct diag *e;

	(void)state;
	front_end(&d, texts, 2);
	e = find_code(&d.ds, DIAG_E0202);
	assert_non_null(e);
	assert_string_equal(e->loc.file, "b.yaml");
	assert_int_equal(e->loc.line, 3);
	assert_string_equal(e->notes[0].loc.file, "a.yaml");
	assert_int_equal(e->notes[0].loc.line, 1);
	driver_free(&d);
}

static void test_same_name_in_other_project_is_another_flow(void **state)
{
	struct driver d;
	const char *texts[] = {flows_ab, "name: a\nproject_name: other\ntasks: [{name: t, run: [x]}]\n"};

	(void)state;
	front_end(&d, texts, 2);
	assert_int_equal(d.ds.n, 0);
	driver_free(&d);
}

static void test_task_cycle_is_printed_as_a_path(void **state)
{
	struct driver d;
	const char *texts[] = {"name: f\nproject_name: p\ntasks:\n"
			       "  - {name: x, run: [echo, '${{ tasks.z.out }}']}\n"
			       "  - {name: y, run: [echo], depends_on: [x]}\n"
			       "  - {name: z, run: [echo], env: {A: '${{ tasks.y }}'}}\n"};
	const struct diag *e;

	(void)state;
	front_end(&d, texts, 1);
	assert_int_equal(d.ds.n, 1);
	e = find_code(&d.ds, DIAG_E0114);
	assert_non_null(e);
	assert_non_null(strstr(e->msg, "x -> z -> y -> x"));
	driver_free(&d);
}

static void test_flow_cycle_and_self_mapping(void **state)
{
	struct driver d;
	const char *texts[] = {flows_ab,
			       "name: fof\nproject_name: test\ncomposing_flows:\n"
			       "  - name: a\n    project_name: test\n    mapped_parameters:\n"
			       "      text: {parent_flow_name: b, parent_task_name: use}\n"
			       "  - name: b\n    project_name: test\n    mapped_parameters:\n"
			       "      text: {parent_flow_name: a, parent_task_name: make}\n"
			       "      n: {parent_flow_name: b, parent_task_name: use}\n"};
	const struct diag *e;

	(void)state;
	front_end(&d, texts, 2);
	e = find_code(&d.ds, DIAG_E0211);
	assert_non_null(e);
	assert_non_null(strstr(e->msg, "a -> b -> a"));
	assert_int_equal(count_code(&d.ds, DIAG_E0212), 1);
	assert_int_equal(d.ds.n, 2);
	driver_free(&d);
}

static void test_unmapped_parameters_collide_by_composed_name(void **state)
{
	struct driver d;
	const char *texts[] = {"name: p-q\nproject_name: t\nparameters: {r: string}\n"
			       "tasks: [{name: t, run: [x]}]\n---\n"
			       "name: p\nproject_name: t\nparameters: {q-r: string}\n"
			       "tasks: [{name: t, run: [x]}]\n---\n"
			       "name: fof\nproject_name: t\ncomposing_flows:\n"
			       "  - {name: p-q, project_name: t}\n  - {name: p, project_name: t}\n"};

	(void)state;
	front_end(&d, texts, 1);
	assert_int_equal(count_code(&d.ds, DIAG_E0210), 1);
	assert_int_equal(d.ds.n, 1);
	driver_free(&d);
}

static void test_mapped_parameter_does_not_become_composed(void **state)
{
	struct driver d;
	const char *texts[] = {"name: p-q\nproject_name: t\nparameters: {r: string}\n"
			       "tasks: [{name: t, run: [x]}]\n---\n"
			       "name: p\nproject_name: t\nparameters: {q-r: string}\n"
			       "tasks: [{name: t, run: [x]}]\n---\n"
			       "name: fof\nproject_name: t\ncomposing_flows:\n"
			       "  - {name: p-q, project_name: t}\n"
			       "  - {name: p, project_name: t, mapped_parameters: "
			       "{q-r: {parent_flow_name: p-q, parent_task_name: t}}}\n"};

	(void)state;
	front_end(&d, texts, 1);
	assert_int_equal(d.ds.n, 0);
	driver_free(&d);
}

static void test_references_are_checked_in_run_env_and_nested_with(void **state)
{
	struct driver d;
	const char *texts[] = {"name: f\nproject_name: p\nparameters: {a: string}\ntasks:\n"
			       "  - name: t\n    run: [echo, '${{ params.b }}']\n"
			       "    env: {X: 'pre ${{ params.c }} post'}\n"
			       "    with: {k: [{deep: '${{ tasks.nope[0] }}'}], ok: '${{ params.a }}'}\n"};

	(void)state;
	front_end(&d, texts, 1);
	assert_int_equal(count_code(&d.ds, DIAG_E0110), 2);
	assert_int_equal(count_code(&d.ds, DIAG_E0111), 1);
	assert_int_equal(d.ds.n, 3);
	assert_int_equal(d.ds.items[0].loc.col, 18); /* the $ after the quote */
	driver_free(&d);
}

static void test_each_reference_of_a_string_has_its_column(void **state)
{
	struct driver d;
	const char *texts[] = {"name: f\nproject_name: p\nparameters: {a: string}\ntasks:\n"
			       "  - {name: t, run: [echo, 'x ${{ params.b }} ${{ params.a.y }} ${{ tasks.c }}']}\n"};

	(void)state;
	front_end(&d, texts, 1);
	assert_int_equal(d.ds.n, 3);
	assert_int_equal(d.ds.items[0].code, DIAG_E0110);
	assert_int_equal(d.ds.items[0].loc.col, 30);
	assert_int_equal(d.ds.items[1].code, DIAG_E0302);
	assert_int_equal(d.ds.items[1].loc.col, 59); /* the y of .y */
	assert_int_equal(d.ds.items[2].code, DIAG_E0111);
	assert_int_equal(d.ds.items[2].loc.col, 64);
	driver_free(&d);
}

static void test_references_are_found_by_their_scalar(void **state)
{
	struct driver d;
	const char *texts[] = {"name: f\nproject_name: p\nparameters: {a: string}\ntasks:\n"
			       "  - name: t\n    run: [echo, '${{ params.a }}-${{ params.a }}', x]\n"
			       "    env: {A: '${{ params.a }}', B: plain}\n"};
	const struct spec_task *t;
	size_t first = 99;

	(void)state;
	front_end(&d, texts, 1);
	assert_int_equal(d.ds.n, 0);
	t = &d.set.flows[0]->tasks[0];
	assert_int_equal(t->nrefs, 3);
	assert_int_equal(t->nscalars, 2);
	assert_int_equal(spec_refs_in(t, yn_item(t->run, 1), &first), 2);
	assert_int_equal(first, 0);
	assert_int_equal(spec_refs_in(t, yn_get(t->env, "A"), &first), 1);
	assert_int_equal(first, 2);
	assert_int_equal(spec_refs_in(t, yn_item(t->run, 2), &first), 0);
	assert_int_equal(spec_refs_in(t, yn_get(t->env, "B"), &first), 0);
	driver_free(&d);
}

static void test_shell_with_reference_is_refused(void **state)
{
	struct driver d;
	const char *texts[] = {"name: f\nproject_name: p\nparameters: {a: string}\ntasks:\n"
			       "  - {name: t, shell: 'echo ${{ params.a }}'}\n"};

	(void)state;
	front_end(&d, texts, 1);
	assert_int_equal(count_code(&d.ds, DIAG_E0109), 1);
	assert_int_equal(d.ds.n, 1);
	driver_free(&d);
}

static void test_lume_text1_as_int_is_one_mismatch_at_the_mapping(void **state)
{
	struct driver d;
	const struct diag *e;
	FILE *fp = fopen(LUME "flow3.yaml", "rb");
	char text[4096];
	size_t n;
	char *at;

	(void)state;
	assert_non_null(fp);
	n = fread(text, 1, sizeof(text) - 1, fp);
	fclose(fp);
	text[n] = '\0';
	at = strstr(text, "  text1: string");
	assert_non_null(at);
	memcpy(at, "  text1: int   ", 15);
	memset(&d, 0, sizeof(d));
	assert_int_equal(driver_add_file(&d, LUME "flow1.yaml", 1), 0);
	assert_int_equal(driver_add_file(&d, LUME "flow2.yaml", 1), 0);
	driver_add_string(&d, "flow3.yaml", text);
	assert_int_equal(driver_add_file(&d, LUME "flow_of_flows.yaml", 1), 0);
	driver_check(&d);
	assert_int_equal(d.ds.n, 1);
	e = find_code(&d.ds, DIAG_E0303);
	assert_non_null(e);
	assert_string_equal(e->loc.file, LUME "flow_of_flows.yaml");
	assert_int_equal(e->loc.line, 19);
	assert_non_null(strstr(e->msg, "is string, expected int"));
	driver_free(&d);
}

static void test_lume_types_flow_through_builtins(void **state)
{
	struct driver d;
	const struct spec_flow *flow2;

	(void)state;
	load_lume(&d, NULL);
	flow2 = d.set.flows[1];
	assert_string_equal(type_str(d.set.flows[0]->tasks[1].result_t), "file[text]");
	assert_string_equal(type_str(flow2->params[0].t), "file[text]");
	assert_string_equal(type_str(flow2->tasks[0].result_t), "string");
	assert_string_equal(type_str(flow2->tasks[2].result_t),
			    "db[{inputs: {input1: string}, outputs: {output1: string}}]");
	assert_string_equal(type_str(d.set.flows[2]->tasks[0].result_t), "bool");
	driver_free(&d);
}

static void test_strict_turns_any_into_a_warning(void **state)
{
	struct driver d;
	const char *text = "name: a\nproject_name: t\ntasks: [{name: x, run: [cat], result: any}]\n"
			   "---\nname: b\nproject_name: t\nparameters: {p: int}\n"
			   "tasks: [{name: y, run: [echo]}]\n---\n"
			   "name: fof\nproject_name: t\ncomposing_flows:\n  - {name: a, project_name: t}\n"
			   "  - {name: b, project_name: t, mapped_parameters: "
			   "{p: {parent_flow_name: a, parent_task_name: x}}}\n";

	(void)state;
	memset(&d, 0, sizeof(d));
	driver_add_string(&d, "a.yaml", text);
	driver_check(&d);
	assert_int_equal(d.ds.n, 0);
	driver_free(&d);
	memset(&d, 0, sizeof(d));
	d.strict = 1;
	driver_add_string(&d, "a.yaml", text);
	driver_check(&d);
	assert_int_equal(d.ds.n, 1);
	assert_int_equal(d.ds.nerrors, 0);
	assert_int_equal(count_code(&d.ds, DIAG_W0301), 1);
	driver_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lume_example_checks_clean),
		cmocka_unit_test(test_lume_services_three_errors_in_one_run),
		cmocka_unit_test(test_unknown_flow_lists_known_flows),
		cmocka_unit_test(test_same_flow_in_two_files_names_both),
		cmocka_unit_test(test_same_name_in_other_project_is_another_flow),
		cmocka_unit_test(test_task_cycle_is_printed_as_a_path),
		cmocka_unit_test(test_flow_cycle_and_self_mapping),
		cmocka_unit_test(test_unmapped_parameters_collide_by_composed_name),
		cmocka_unit_test(test_mapped_parameter_does_not_become_composed),
		cmocka_unit_test(test_references_are_checked_in_run_env_and_nested_with),
		cmocka_unit_test(test_each_reference_of_a_string_has_its_column),
		cmocka_unit_test(test_references_are_found_by_their_scalar),
		cmocka_unit_test(test_shell_with_reference_is_refused),
		cmocka_unit_test(test_lume_text1_as_int_is_one_mismatch_at_the_mapping),
		cmocka_unit_test(test_lume_types_flow_through_builtins),
		cmocka_unit_test(test_strict_turns_any_into_a_warning),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_spec.c: unit tests of the spec model: fields, defaults, durations,
 * suggestions, task actions. */
#include "harness.h"

#include "spec.h"

static void run1(struct driver *d, const char *text)
{
	const char *texts[] = {text};

	front_end(d, texts, 1);
}

static void test_durations_parse_units_and_bare_seconds(void **state)
{
	long long ms = -1;

	(void)state;
	assert_int_equal(spec_parse_duration("30s", &ms), 0);
	assert_int_equal(ms, 30000);
	assert_int_equal(spec_parse_duration("5m", &ms), 0);
	assert_int_equal(ms, 300000);
	assert_int_equal(spec_parse_duration("1h30m", &ms), 0);
	assert_int_equal(ms, 5400000);
	assert_int_equal(spec_parse_duration("500ms", &ms), 0);
	assert_int_equal(ms, 500);
	assert_int_equal(spec_parse_duration("1.5h", &ms), 0);
	assert_int_equal(ms, 5400000);
	assert_int_equal(spec_parse_duration("2", &ms), 0);
	assert_int_equal(ms, 2000);
	assert_int_equal(spec_parse_duration("1d", &ms), 0);
	assert_int_equal(ms, 86400000);
	assert_int_equal(spec_parse_duration("0s", &ms), 0);
	assert_int_equal(ms, 0);
}

static void test_bad_durations_are_refused(void **state)
{
	static const char *const bad[] = {"", "s", "30", "30 s", "-5s", "1.s", ".5s", "5x",
					  "1e3s", "0x10s", "5m3", "367d", "1..5s", "30seconds"};
	long long ms;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		int rc = spec_parse_duration(bad[i], &ms);

		if (i == 2)
			assert_int_equal(rc, 0); /* "30" is 30 seconds */
		else if (strcmp(bad[i], "367d") == 0)
			assert_int_equal(rc, -2); /* a duration, longer than a year */
		else if (rc != -1)
			fail_msg("'%s' parsed as %lld ms", bad[i], ms);
	}
}

static void test_flow_fields_and_defaults(void **state)
{
	struct driver d;
	const struct spec_flow *f;

	(void)state;
	run1(&d, "name: f\nproject_name: p\nimage: img:1\nparameters:\n"
		 "  a: string\n  b: {type: int, default: 3, description: bee}\n"
		 "tasks:\n  - {name: t, run: [echo], timeout: 1m, retries: 2, retry_delay: 5s, cache: true}\n"
		 "  - {name: u, shell: 'echo hi'}\n");
	assert_int_equal(d.ds.n, 0);
	assert_int_equal(d.set.nflows, 1);
	f = d.set.flows[0];
	assert_string_equal(f->head.name, "f");
	assert_string_equal(f->head.project, "p");
	assert_string_equal(f->head.image->str, "img:1");
	assert_int_equal(f->nparams, 2);
	assert_null(f->params[0].deflt);
	assert_string_equal(f->params[0].type->str, "string");
	assert_string_equal(f->params[1].deflt->str, "3");
	assert_string_equal(f->params[1].type->str, "int");
	assert_int_equal(f->ntasks, 2);
	assert_int_equal(f->tasks[0].action, SPEC_RUN);
	assert_int_equal(f->tasks[0].timeout_ms, 60000);
	assert_int_equal(f->tasks[0].retries, 2);
	assert_int_equal(f->tasks[0].retry_delay_ms, 5000);
	assert_int_equal(f->tasks[0].cache, 1);
	assert_int_equal(f->tasks[1].action, SPEC_SHELL);
	assert_int_equal(f->tasks[1].timeout_ms, 0);
	assert_int_equal(f->tasks[1].retries, 0);
	assert_int_equal(f->tasks[1].cache, 0);
	driver_free(&d);
}

static void test_unknown_key_suggests_the_close_one(void **state)
{
	struct driver d;
	const struct diag *e;

	(void)state;
	run1(&d, "name: f\nproject_name: p\ntasks:\n  - {name: t, run: [echo], retires: 2}\n");
	e = find_code(&d.ds, DIAG_E0102);
	assert_non_null(e);
	assert_int_equal(d.ds.n, 1);
	assert_non_null(strstr(e->msg, "did you mean 'retries'"));
	assert_int_equal(e->loc.line, 4);
	assert_int_equal(e->loc.col, 28);
	driver_free(&d);
}

static void test_unknown_key_far_from_all_has_no_suggestion(void **state)
{
	struct driver d;

	(void)state;
	run1(&d, "name: f\nproject_name: p\nzebra: 1\ntasks:\n  - {name: t, run: [echo]}\n");
	assert_int_equal(d.ds.n, 1);
	assert_null(strstr(d.ds.items[0].msg, "did you mean"));
	driver_free(&d);
}

static void test_task_needs_exactly_one_action(void **state)
{
	struct driver d;

	(void)state;
	run1(&d, "name: f\nproject_name: p\ntasks:\n  - {name: a}\n  - {name: b, run: [x], uses: load_file}\n"
		 "  - {name: c, uses: save_db_result, with: {result: {inputs: {}, outputs: {}}}}\n");
	assert_int_equal(count_code(&d.ds, DIAG_E0106), 2);
	assert_int_equal(d.ds.n, 2);
	assert_int_equal(d.set.flows[0]->tasks[2].action, SPEC_USES);
	driver_free(&d);
}

static void test_flow_of_flows_is_recognised_by_composing_flows(void **state)
{
	struct driver d;
	const struct spec_fof *fof;

	(void)state;
	run1(&d, "name: fof\nproject_name: p\ncomposing_flows:\n  - {name: a, project_name: p}\n"
		 "  - name: b\n    project_name: p\n    mapped_parameters:\n"
		 "      x: {parent_flow_name: a, parent_task_name: t, map_type: db,"
		 " attribute: outputs, attribute_index: [y, 0]}\n"
		 "      z: {parent_flow_name: a, parent_task_name: t}\n");
	assert_int_equal(d.set.nflows, 0);
	assert_int_equal(d.set.nfofs, 1);
	fof = d.set.fofs[0];
	assert_int_equal(fof->nentries, 2);
	assert_int_equal(fof->entries[1].nmaps, 2);
	assert_int_equal(fof->entries[1].maps[0].map_type, SPEC_MAP_DB);
	assert_string_equal(fof->entries[1].maps[0].attribute->str, "outputs");
	assert_int_equal(fof->entries[1].maps[0].attribute_index->n, 2);
	assert_int_equal(fof->entries[1].maps[1].map_type, SPEC_MAP_RAW);
	/* the flows a and b are not loaded */
	assert_int_equal(count_code(&d.ds, DIAG_E0201), 2);
	driver_free(&d);
}

static void test_missing_required_keys_are_each_reported(void **state)
{
	struct driver d;

	(void)state;
	run1(&d, "composing_flows:\n  - {name: a}\n  - name: b\n    project_name: p\n"
		 "    mapped_parameters: {x: {map_type: raw}}\n");
	/* fof name and project, entry project, parent flow and task */
	assert_int_equal(count_code(&d.ds, DIAG_E0104), 5);
	driver_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durations_parse_units_and_bare_seconds),
		cmocka_unit_test(test_bad_durations_are_refused),
		cmocka_unit_test(test_flow_fields_and_defaults),
		cmocka_unit_test(test_unknown_key_suggests_the_close_one),
		cmocka_unit_test(test_unknown_key_far_from_all_has_no_suggestion),
		cmocka_unit_test(test_task_needs_exactly_one_action),
		cmocka_unit_test(test_flow_of_flows_is_recognised_by_composing_flows),
		cmocka_unit_test(test_missing_required_keys_are_each_reported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

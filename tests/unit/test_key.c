/* test_key.c: unit tests of task keys (runtime/key.c) on flow2 of the
 * committed lume plan: what a task references, each once; a key that costs
 * what the task references, not the size of its flow; a file given by a
 * file representation keyed by its content (and a FIFO in its place never
 * opened); a task naming a bundled file keyed on every file of the bundle. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "key.h"
#include "sha256.h"

#define LUME_PLAN "tests/plans/lume.json"

/* flow2: load_file (with: file: params.file_rep), format_result (with: two
 * references to load_file), save_db_result */
struct fixture {
	struct plan p;
	struct files fs;
	char dir[64];
	json_t *params[1];
	json_t *results[3];
};

static int setup(void **state)
{
	struct fixture *x = xcalloc(1, sizeof(*x));
	struct buf why = {0}, spec = {0};

	assert_int_equal(plan_load(&x->p, LUME_PLAN, &why), 0);
	strcpy(x->dir, "/tmp/test_key.XXXXXX");
	assert_non_null(mkdtemp(x->dir));
	buf_printf(&spec, "local=%s", x->dir);
	assert_int_equal(files_add(&x->fs, spec.data, &why), 0);
	x->params[0] = json_pack("{s:s,s:s,s:s}", "filename", "f.txt", "file_type_string", "text",
				 "filesystem_identifier", "local");
	x->results[0] = json_string("hey you");
	buf_free(&spec);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *x = *state;
	char path[128];

	snprintf(path, sizeof(path), "%s/f.txt", x->dir);
	unlink(path);
	rmdir(x->dir);
	json_decref(x->params[0]);
	json_decref(x->results[0]);
	files_free(&x->fs);
	plan_free(&x->p);
	free(x);
	return 0;
}

static void put_file(const struct fixture *x, const char *text)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/f.txt", x->dir);
	unlink(path);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* key: the key of task t of flow2, its files read into *read (or NULL) */
static void key(struct fixture *x, const struct plan_flow *pf, size_t t, char hex[65],
		json_t **read)
{
	struct tmpl_scope scope = {x->params, x->results, NULL};
	struct key_in in = {&x->p, pf, &pf->tasks[t], &scope, &x->fs, NULL};
	struct task_key k;
	struct buf why = {0};

	assert_int_equal(key_task(&in, &k, &why), 0);
	memcpy(hex, k.hex, 65);
	if (read)
		*read = k.read ? json_incref(k.read) : NULL;
	key_clear(&k);
}

static void test_references_each_once(void **state)
{
	struct fixture *x = *state;
	const struct plan_flow *pf = &x->p.flows[1];
	struct key_refs r;

	key_refs(pf, &pf->tasks[1], &r);
	assert_int_equal(r.nparams, 0);
	assert_int_equal(r.ntasks, 1);
	assert_int_equal(r.tasks[0], 0);
	key_refs_free(&r);
	key_refs(pf, &pf->tasks[0], &r);
	assert_int_equal(r.nparams, 1);
	assert_int_equal(r.params[0], 0);
	assert_int_equal(r.ntasks, 0);
	key_refs_free(&r);
}

/* a key costs what its task references: a flow said to hold 2^40 tasks and
 * parameters (a key that allocated per task or parameter of its flow could
 * not be computed) keys as the real one does */
static void test_cost_is_not_the_flow_size(void **state)
{
	struct fixture *x = *state;
	struct plan_flow huge = x->p.flows[1];
	char a[65], b[65];

	huge.ntasks = (size_t)1 << 40;
	huge.nparams = (size_t)1 << 40;
	put_file(x, "one");
	key(x, &x->p.flows[1], 1, a, NULL);
	key(x, &huge, 1, b, NULL);
	assert_string_equal(a, b);
	key(x, &x->p.flows[1], 0, a, NULL);
	key(x, &huge, 0, b, NULL);
	assert_string_equal(a, b);
}

static void test_files_by_content(void **state)
{
	struct fixture *x = *state;
	const struct plan_flow *pf = &x->p.flows[1];
	char one[65], two[65], again[65], fifo[65], hex[65], path[128];
	json_t *read;

	put_file(x, "one");
	key(x, pf, 0, one, &read);
	sha256_hex("one", 3, hex);
	assert_non_null(read);
	assert_string_equal(json_string_value(json_object_get(read, "local:f.txt")), hex);
	json_decref(read);
	put_file(x, "two");
	key(x, pf, 0, two, NULL);
	assert_string_not_equal(one, two);
	put_file(x, "one");
	key(x, pf, 0, again, NULL);
	assert_string_equal(one, again);
	/* a FIFO is never opened (opening it for reading would block) */
	snprintf(path, sizeof(path), "%s/f.txt", x->dir);
	unlink(path);
	assert_int_equal(mkfifo(path, 0600), 0);
	key(x, pf, 0, fifo, &read);
	assert_true(json_is_null(json_object_get(read, "local:f.txt")));
	assert_string_not_equal(fifo, one);
	json_decref(read);
	/* a task given no file reads none */
	key(x, pf, 1, hex, &read);
	assert_null(read);
}

/* a task naming one bundled file is keyed on every file of the bundle */
static void test_bundle_whole(void **state)
{
	struct plan p;
	struct buf why = {0};
	json_t *files;
	size_t f, t, named = 0;

	(void)state;
	assert_int_equal(plan_load(&p, "tests/plans/bundle.json", &why), 0);
	assert_true(p.nfiles >= 2);
	for (f = 0; f < p.nflows; f++)
		for (t = 0; t < p.flows[f].ntasks; t++) {
			files = key_bundled(&p, &p.flows[f].tasks[t]);
			if (json_object_size(files)) {
				named++;
				assert_int_equal(json_object_size(files), p.nfiles);
				assert_string_equal(
					json_string_value(json_object_get(files, p.files[1].path)),
					p.files[1].sha256);
			}
			json_decref(files);
		}
	assert_true(named >= 1);
	plan_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_references_each_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cost_is_not_the_flow_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_files_by_content, setup, teardown),
		cmocka_unit_test(test_bundle_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

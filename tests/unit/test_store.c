/* test_store.c: one suite for both results stores: run with
 * FLOWRUN_TEST_STORE set to a path (SQLite) or a postgresql:// URL. Saving,
 * loading, listing, saving twice, eight processes saving at once, and
 * connection errors that name the server but never a password. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store.h"

static const char *url;
static char project[64];   /* a project of this test run only */

static struct store *open_store(void)
{
	struct buf why = {0};
	struct store *s = store_open(url, &why);

	if (!s)
		fail_msg("cannot open %s: %s", url, why.data);
	buf_free(&why);
	return s;
}

static json_t *result_of(const char *in, const char *out)
{
	return json_pack("{s:{s:s},s:{s:s}}", "inputs", "x", in, "outputs", "y", out);
}

static json_t *list(struct store *s, const char *flow)
{
	struct buf why = {0};
	json_t *docs = store_list(s, project, flow, &why);

	if (!docs)
		fail_msg("list: %s", why.data);
	return docs;
}

static void test_save_load_and_save_again(void **state)
{
	struct store *s = open_store();
	json_t *result = result_of("a", "b"), *rep, *again, *doc, *docs;
	struct buf why = {0};

	(void)state;
	rep = store_save(s, result, "generic", "flow2", project, "run-1", &why);
	assert_non_null(rep);
	assert_string_equal(json_string_value(json_object_get(rep, "project_name")), project);
	assert_string_equal(json_string_value(json_object_get(rep, "result_type_string")), "generic");
	assert_int_equal(strncmp(json_string_value(json_object_get(json_object_get(rep, "query"),
								   "unique_hash")), "sha256:", 7), 0);
	doc = store_load(s, rep, &why);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "outputs"), "y")), "b");
	assert_string_equal(json_string_value(json_object_get(doc, "flow_name")), "flow2");
	assert_string_equal(json_string_value(json_object_get(doc, "run_id")), "run-1");
	assert_true(json_equal(json_object_get(doc, "unique_hash"),
			       json_object_get(json_object_get(rep, "query"), "unique_hash")));
	/* the same result from another run: the same representation, one row */
	again = store_save(s, result, "generic", "flow2", project, "run-2", &why);
	assert_non_null(again);
	assert_true(json_equal(rep, again));
	docs = list(s, "flow2");
	assert_int_equal(json_array_size(docs), 1);
	json_decref(docs);
	json_decref(doc);
	json_decref(rep);
	json_decref(again);
	json_decref(result);
	store_close(s);
	buf_free(&why);
}

static void test_list_filters_by_flow(void **state)
{
	struct store *s = open_store();
	struct buf why = {0};
	json_t *r1 = result_of("1", "1"), *r2 = result_of("2", "2"), *docs;

	(void)state;
	json_decref(store_save(s, r1, "generic", "flowA", project, "run", &why));
	json_decref(store_save(s, r2, "generic", "flowA", project, "run", &why));
	json_decref(store_save(s, r1, "generic", "flowB", project, "run", &why));
	assert_int_equal(why.len, 0);
	docs = list(s, "flowA");
	assert_int_equal(json_array_size(docs), 2);
	json_decref(docs);
	docs = list(s, "flowB");
	assert_int_equal(json_array_size(docs), 1);
	json_decref(docs);
	json_decref(r1);
	json_decref(r2);
	store_close(s);
}

static void test_unknown_hash_is_not_found(void **state)
{
	struct store *s = open_store();
	struct buf why = {0};
	json_t *rep = json_pack("{s:{s:s}}", "query", "unique_hash", "sha256:nothing");

	(void)state;
	assert_null(store_load(s, rep, &why));
	assert_non_null(strstr(why.data, "no document"));
	json_decref(rep);
	store_close(s);
	buf_free(&why);
}

static void test_eight_processes_save_at_once(void **state)
{
	pid_t pids[8];
	json_t *docs;
	struct store *s;
	int i, status;

	(void)state;
	for (i = 0; i < 8; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			struct buf why = {0};
			struct store *c = store_open(url, &why);
			char in[16];
			json_t *r, *rep;

			/* four save the same result, four a result of their own */
			snprintf(in, sizeof(in), "%d", i < 4 ? 0 : i);
			r = result_of(in, "same");
			rep = c ? store_save(c, r, "generic", "race", project, "run", &why) : NULL;
			if (!rep)
				fprintf(stderr, "child %d: %s\n", i, why.data);
			_exit(rep ? 0 : 1);
		}
	}
	for (i = 0; i < 8; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	s = open_store();
	docs = list(s, "race");
	assert_int_equal(json_array_size(docs), 5);
	json_decref(docs);
	store_close(s);
}

static void test_errors_name_the_server_not_the_password(void **state)
{
	struct buf why = {0};

	(void)state;
	assert_null(store_open("postgresql://someone:s3cret@127.0.0.1:1/resultsdb", &why));
	assert_non_null(strstr(why.data, "127.0.0.1"));
	assert_non_null(strstr(why.data, "resultsdb"));
	assert_null(strstr(why.data, "s3cret"));
	buf_free(&why);
}

static void public_is(const char *given, const char *want)
{
	char *got = store_url_public(given);

	if (strcmp(got, want) != 0)
		fail_msg("store_url_public(\"%s\") is \"%s\", not \"%s\"", given, got, want);
	free(got);
}

static void test_recorded_urls_hold_no_password(void **state)
{
	(void)state;
	public_is("postgresql://u:s3cret@h:5432/db", "postgresql://u@h:5432/db");
	public_is("postgres://u:s3:cret@h/db?sslmode=require&password=s3cret&x=1",
		  "postgres://u@h/db?sslmode=require&x=1");
	public_is("postgresql://h/db?password=s3cret", "postgresql://h/db");
	public_is("postgresql://u@h/db", "postgresql://u@h/db");
	public_is("host=h port=5 password=s3cret dbname=d", "host=h port=5 dbname=d");
	public_is("  password = 's3 \\'cret'  user=u", "user=u");
	public_is("results.db", "results.db");
	public_is("sqlite:a=b.db", "sqlite:a=b.db");
	public_is("x=password.db", "x=password.db");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recorded_urls_hold_no_password),
		cmocka_unit_test(test_save_load_and_save_again),
		cmocka_unit_test(test_list_filters_by_flow),
		cmocka_unit_test(test_unknown_hash_is_not_found),
		cmocka_unit_test(test_eight_processes_save_at_once),
		/* PostgreSQL only: SQLite has no server to name */
		cmocka_unit_test(test_errors_name_the_server_not_the_password),
	};
	size_t ntests = sizeof(tests) / sizeof(*tests);

	url = getenv("FLOWRUN_TEST_STORE");
	if (!url) {
		fprintf(stderr, "test_store: set FLOWRUN_TEST_STORE to a path or a postgresql:// URL\n");
		return 2;
	}
	snprintf(project, sizeof(project), "test-%ld-%d", (long)time(NULL), (int)getpid());
	printf("results store under test: %s\n", strncmp(url, "postgresql", 10) ? "SQLite" : "PostgreSQL");
	if (strncmp(url, "postgresql://", 13) != 0)
		ntests--;
	return _cmocka_run_group_tests("test_store", tests, ntests, NULL, NULL);
}

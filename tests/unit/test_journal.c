/* test_journal.c: unit tests of the journal: events written and read
 * back field by field, the merge order of writers' files, a torn last
 * line and a broken line skipped, a newer version refused, large results
 * kept in a file, text that is not UTF-8 kept readable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"

/* a fresh run directory under /tmp */
static char *new_dir(void)
{
	char *dir = xstrdup("/tmp/flowrun-journal-test-XXXXXX");

	assert_non_null(mkdtemp(dir));
	return dir;
}

static void remove_dir(char *dir)
{
	struct buf cmd = {0};

	buf_printf(&cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd.data), 0);
	buf_free(&cmd);
	free(dir);
}

static struct journal *open_journal(const char *dir, unsigned session, long flow, unsigned k)
{
	struct journal_event open = {0};
	struct buf why = {0};
	char *name = journal_name(session, flow, k);
	struct journal *j;

	open.kind = JE_OPEN;
	open.session = session;
	open.flow = flow;
	open.flow_name = flow >= 0 ? "f" : NULL;
	open.backend = flow >= 0 ? NULL : "local";
	j = journal_create(dir, name, "run-1", &open, &why);
	if (!j)
		fail_msg("%s", why.data);
	free(name);
	return j;
}

static void add_task(struct journal *j, long flow, long task, enum run_state st, json_t *result,
		     const char *reason)
{
	struct journal_event ev = {0};
	struct buf why = {0};

	ev.kind = JE_TASK;
	ev.flow = flow;
	ev.flow_name = "f";
	ev.task = task;
	ev.task_name = "t";
	ev.state = st;
	ev.attempt = 1;
	ev.ms = 7;
	ev.result = result;
	ev.reason = reason;
	if (journal_add(j, &ev, &why) != 0)
		fail_msg("%s", why.data);
}

/* what the reader gives, one line of text an event */
struct seen {
	struct buf text;
	int n;
};

static int record(void *ctx, const struct journal_event *ev)
{
	struct seen *s = ctx;
	char *result = ev->result ? json_dumps(ev->result, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	buf_printf(&s->text, "%u:%d:%ld:%ld:%s:%s:%s;", ev->session, (int)ev->kind, ev->flow,
		   ev->task, ev->kind == JE_TASK || ev->kind == JE_FLOW ? journal_state_names[ev->state] : "-",
		   result ? result : "-", ev->reason ? ev->reason : "-");
	free(result);
	s->n++;
	return 0;
}

static void read_all(const char *dir, struct seen *s)
{
	struct buf why = {0};

	memset(s, 0, sizeof(*s));
	if (journal_read(dir, NULL, 0, record, s, &why) != 0)
		fail_msg("%s", why.data);
}

static void append(const char *dir, const char *name, const char *text)
{
	struct buf path = {0};
	FILE *fp;

	buf_printf(&path, "%s/journal/%s", dir, name);
	fp = fopen(path.data, "ab");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	buf_free(&path);
}

static void test_events_read_back_field_by_field(void **state)
{
	char *dir = new_dir();
	struct journal *j = open_journal(dir, 0, -1, 0);
	struct buf why = {0};
	struct seen s;
	json_t *r = json_pack("{s:[i,i]}", "a", 1, 2);

	(void)state;
	add_task(j, 0, 1, ST_RUNNING, NULL, NULL);
	add_task(j, 0, 1, ST_SUCCESS, r, NULL);
	add_task(j, 2, 0, ST_FAILED, NULL, "exit status 3");
	assert_int_equal(journal_close(j, &why), 0);
	read_all(dir, &s);
	assert_string_equal(s.text.data, "0:0:-1:-1:-:-:-;0:2:0:1:Running:-:-;"
					 "0:2:0:1:Success:{\"a\":[1,2]}:-;0:2:2:0:Failed:-:exit status 3;");
	buf_free(&s.text);
	json_decref(r);
	remove_dir(dir);
}

static void test_files_merge_by_session_flows_before_driver(void **state)
{
	char *dir = new_dir();
	struct journal *d0 = open_journal(dir, 0, -1, 0), *f1 = open_journal(dir, 0, 1, 0);
	struct journal *f1again = open_journal(dir, 0, 1, 1), *d1 = open_journal(dir, 1, -1, 0);
	struct buf why = {0};
	struct seen s;

	(void)state;
	add_task(d1, 1, 0, ST_FAILED, NULL, "d1");
	add_task(f1again, 1, 0, ST_FAILED, NULL, "f1again");
	add_task(d0, 1, 0, ST_FAILED, NULL, "d0");
	add_task(f1, 1, 0, ST_FAILED, NULL, "f1");
	assert_int_equal(journal_close(d0, &why), 0);
	assert_int_equal(journal_close(f1, &why), 0);
	assert_int_equal(journal_close(f1again, &why), 0);
	assert_int_equal(journal_close(d1, &why), 0);
	read_all(dir, &s);
	assert_string_equal(s.text.data, "0:0:1:-1:-:-:-;0:2:1:0:Failed:-:f1;"
					 "0:0:1:-1:-:-:-;0:2:1:0:Failed:-:f1again;"
					 "0:0:-1:-1:-:-:-;0:2:1:0:Failed:-:d0;"
					 "1:0:-1:-1:-:-:-;1:2:1:0:Failed:-:d1;");
	buf_free(&s.text);
	/* a job body reads the files of the flows it needs only */
	{
		unsigned char only[2] = {1, 0};

		memset(&s, 0, sizeof(s));
		assert_int_equal(journal_read(dir, only, 2, record, &s, &why), 0);
		assert_string_equal(s.text.data, "0:0:-1:-1:-:-:-;0:2:1:0:Failed:-:d0;"
						 "1:0:-1:-1:-:-:-;1:2:1:0:Failed:-:d1;");
		buf_free(&s.text);
	}
	remove_dir(dir);
}

static void test_torn_and_broken_lines_are_skipped(void **state)
{
	char *dir = new_dir();
	struct journal *j = open_journal(dir, 0, -1, 0);
	struct buf why = {0};
	struct seen s;

	(void)state;
	add_task(j, 0, 0, ST_RUNNING, NULL, NULL);
	assert_int_equal(journal_close(j, &why), 0);
	/* a line without a state, one that is not JSON, then a torn one */
	append(dir, "0.jsonl", "{\"flow\":0,\"flow_name\":\"f\",\"task\":0}\nnot json\n"
			       "{\"flow\":0,\"flow_name\":\"f\",\"task\":0,\"state\":\"Success\",\"result\":");
	read_all(dir, &s);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.text.data, "0:0:-1:-1:-:-:-;0:2:0:0:Running:-:-;");
	buf_free(&s.text);
	remove_dir(dir);
}

/* newer_file: DIR/journal/NAME opening a journal of version 99 */
static void newer_file(const char *dir, const char *name)
{
	struct buf path = {0};

	buf_printf(&path, "%s/journal", dir);
	assert_int_equal(util_mkdirs(path.data), 0);
	append(dir, name, "{\"journal\":99,\"event\":\"open\",\"session\":0,\"t\":1}\n");
	buf_free(&path);
}

static void test_a_newer_journal_is_refused(void **state)
{
	char *dir = new_dir();
	struct buf why = {0};
	struct seen s = {0};

	(void)state;
	newer_file(dir, "0.jsonl");
	assert_int_equal(journal_read(dir, NULL, 0, record, &s, &why), -1);
	assert_non_null(strstr(why.data, "written by a newer flowrun (journal version 99; this "
					  "flowrun reads version 2)"));
	buf_free(&why);
	remove_dir(dir);
}

/* a name with a number beyond any flowrun writes is not a journal file */
static void test_a_hostile_file_name_is_ignored(void **state)
{
	char *dir = new_dir();
	struct buf why = {0};
	struct seen s = {0};

	(void)state;
	newer_file(dir, "4294967295.jsonl");
	newer_file(dir, "0.4294967295.0.jsonl");
	assert_int_equal(journal_read(dir, NULL, 0, record, &s, &why), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(journal_next_session(dir, &why), 0);
	remove_dir(dir);
}

static void test_an_old_run_directory_is_named(void **state)
{
	char *dir = new_dir();
	struct buf why = {0}, path = {0};
	struct seen s = {0};
	FILE *fp;

	(void)state;
	buf_printf(&path, "%s/journal.jsonl", dir);
	fp = fopen(path.data, "w");
	assert_non_null(fp);
	fclose(fp);
	assert_int_equal(journal_read(dir, NULL, 0, record, &s, &why), -1);
	assert_non_null(strstr(why.data, "run directory format 1"));
	buf_free(&why);
	buf_free(&path);
	remove_dir(dir);
}

static void test_a_large_result_goes_to_a_file(void **state)
{
	char *dir = new_dir(), *big = xmalloc(JOURNAL_INLINE_MAX + 2);
	struct journal *j = open_journal(dir, 0, -1, 0);
	struct buf why = {0};
	struct seen s;
	json_t *r, *back;

	(void)state;
	memset(big, 'x', JOURNAL_INLINE_MAX + 1);
	big[JOURNAL_INLINE_MAX + 1] = '\0';
	r = json_string(big);
	add_task(j, 0, 0, ST_SUCCESS, r, NULL);
	assert_int_equal(journal_close(j, &why), 0);
	read_all(dir, &s);
	/* inline results only: this one is not */
	assert_string_equal(s.text.data, "0:0:-1:-1:-:-:-;0:2:0:0:Success:-:-;");
	{
		struct journal_event ev = {0};

		ev.result_file = "tasks/f.t.result.json";
		back = journal_load_result(dir, &ev, &why);
	}
	assert_non_null(back);
	assert_true(json_equal(back, r));
	json_decref(back);
	json_decref(r);
	free(big);
	buf_free(&s.text);
	remove_dir(dir);
}

static void test_text_that_is_not_utf8_stays_readable(void **state)
{
	char *dir = new_dir();
	struct journal *j = open_journal(dir, 0, -1, 0);
	struct buf why = {0};
	struct seen s;

	(void)state;
	add_task(j, 0, 0, ST_FAILED, NULL, "bad \xff\xfe byte, \"quote\"\n\x01");
	assert_int_equal(journal_close(j, &why), 0);
	read_all(dir, &s);
	assert_string_equal(s.text.data, "0:0:-1:-1:-:-:-;0:2:0:0:Failed:-:bad \xef\xbf\xbd\xef\xbf\xbd "
					 "byte, \"quote\"\n\x01;");
	buf_free(&s.text);
	remove_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_events_read_back_field_by_field),
		cmocka_unit_test(test_files_merge_by_session_flows_before_driver),
		cmocka_unit_test(test_torn_and_broken_lines_are_skipped),
		cmocka_unit_test(test_a_newer_journal_is_refused),
		cmocka_unit_test(test_a_hostile_file_name_is_ignored),
		cmocka_unit_test(test_an_old_run_directory_is_named),
		cmocka_unit_test(test_a_large_result_goes_to_a_file),
		cmocka_unit_test(test_text_that_is_not_utf8_stays_readable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

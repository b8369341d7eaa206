/* test_container.c: unit tests of the engines' command lines, which need
 * no engine: what podman, docker and apptainer are asked to bind (nested
 * directories once, never / or a path the syntax cannot carry), the env
 * names without their values, the user, the network, the image by id,
 * and the commands that remove what is left behind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container.h"

#define ID "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static char *task_argv[] = {"python3", "-c", "print(1)", NULL};
static char *task_env[] = {"FLOWRUN_RESULT=/w/run/tasks/f.t.result.out", "SECRET=s3cr3t", NULL};

/* a task with these mounts (NULL-terminated) */
static struct container_task task(char **mounts)
{
	struct container_task t = {0};

	t.image = "localhost/img:1";
	t.image_id = ID;
	t.argv = task_argv;
	t.cwd = "/w";
	t.mounts = mounts;
	while (mounts && mounts[t.nmounts])
		t.nmounts++;
	t.env = task_env;
	t.nenv = 2;
	t.flow = 2;
	t.task = 3;
	t.attempt = 1;
	return t;
}

/* count: how many arguments of v are s */
static int count(char **v, const char *s)
{
	int n = 0;

	for (; *v; v++)
		n += strcmp(*v, s) == 0;
	return n;
}

/* joined: v as one line, to free */
static char *joined(char **v)
{
	struct buf b = {0};

	for (; *v; v++)
		buf_printf(&b, "%s ", *v);
	return buf_steal(&b);
}

static void test_podman(void **state)
{
	char *mounts[] = {"/w/run/tasks", "/data", "/w", NULL};
	struct container_task t = task(mounts);
	struct containers *c = containers_new(ENGINE_PODMAN, 0, "RUN");
	struct buf why = {0};
	char *name = NULL, **v = containers_argv(c, &t, &name, &why), *line;
	char expect[128];
	size_t n;

	(void)state;
	assert_non_null(v);
	line = joined(v);
	print_message("%s\n", line);
	assert_string_equal(v[0], "podman");
	assert_string_equal(v[1], "run");
	snprintf(expect, sizeof(expect), "flowrun-RUN-%ld-2-3-1", (long)getpid());
	assert_string_equal(name, expect);
	/* /w/run/tasks lies beneath /w: bound once, with /w */
	assert_int_equal(count(v, "--volume=/w:/w"), 1);
	assert_int_equal(count(v, "--volume=/data:/data"), 1);
	assert_null(strstr(line, "/w/run/tasks:"));
	assert_int_equal(count(v, "--workdir=/w"), 1);
	/* the names, never the values */
	assert_int_equal(count(v, "--env=FLOWRUN_RESULT"), 1);
	assert_int_equal(count(v, "--env=SECRET"), 1);
	assert_null(strstr(line, "s3cr3t"));
	assert_int_equal(count(v, "--network=none"), 1);
	assert_int_equal(count(v, "--interactive"), 0);
	assert_int_equal(count(v, "--rm"), 1);
	assert_int_equal(count(v, "--init"), 1);
	assert_int_equal(count(v, "--label=flowrun.run=RUN"), 1);
	assert_int_equal(count(v, "--label=flowrun.flow=2"), 1);
	if (geteuid() == 0)
		assert_int_equal(count(v, "--user=0:0"), 1);
	else
		assert_int_equal(count(v, "--userns=keep-id"), 1);
	/* the image by its id, then the task's argv as it was */
	for (n = 0; v[n]; n++)
		;
	assert_true(n > 4);
	assert_string_equal(v[n - 4], ID + 7);
	assert_string_equal(v[n - 3], "python3");
	assert_string_equal(v[n - 1], "print(1)");
	containers_argv_free(v);
	free(line);
	free(name);
	containers_free(c);
}

static void test_network_and_input(void **state)
{
	struct container_task t = task(NULL);
	struct containers *c = containers_new(ENGINE_DOCKER, 0, "RUN");
	struct buf why = {0};
	char *name = NULL, **v;

	(void)state;
	t.network = 1;
	t.input = 1;
	v = containers_argv(c, &t, &name, &why);
	assert_non_null(v);
	assert_string_equal(v[0], "docker");
	assert_int_equal(count(v, "--network=host"), 1);
	assert_int_equal(count(v, "--network=none"), 0);
	assert_int_equal(count(v, "--interactive"), 1);
	assert_int_equal(count(v, "--userns=keep-id"), 0);
	containers_argv_free(v);
	free(name);
	containers_free(c);
}

static void test_unbindable(void **state)
{
	static const char *const bad[] = {"/", "/a:b", "/a,b", "relative"};
	struct containers *c = containers_new(ENGINE_PODMAN, 0, "RUN");
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *mounts[] = {(char *)bad[i], NULL};
		struct container_task t = task(mounts);
		struct buf why = {0};
		char *name = NULL, **v = containers_argv(c, &t, &name, &why);

		assert_null(v);
		assert_null(name);
		assert_non_null(strstr(why.data, bad[i]));
		assert_non_null(strstr(why.data, "cannot be bound"));
		buf_free(&why);
	}
	containers_free(c);
}

static void test_apptainer(void **state)
{
	char *mounts[] = {"/data", NULL};
	struct container_task t = task(mounts);
	struct containers *c = containers_new(ENGINE_APPTAINER, 0, "RUN");
	struct buf why = {0};
	char *name = NULL, **v, *line;

	(void)state;
	t.image = "/images/py.sif";
	v = containers_argv(c, &t, &name, &why);
	assert_non_null(v);
	line = joined(v);
	assert_string_equal(line, "apptainer exec --net --network=none --bind=/data --bind=/w "
				  "--pwd=/w /images/py.sif python3 -c print(1) ");
	/* nothing outlives its process: no name, nothing to clean up */
	assert_null(name);
	assert_null(containers_cleanup_argv(c));
	containers_argv_free(v);
	free(line);
	containers_free(c);
}

static void test_cleanup(void **state)
{
	struct containers *p = containers_new(ENGINE_PODMAN, 0, "RUN");
	struct containers *d = containers_new(ENGINE_DOCKER, 0, "RUN");
	char **v = containers_cleanup_argv(p), *line = joined(v), owner[64];
	char host[256] = "";

	(void)state;
	gethostname(host, sizeof(host) - 1);
	snprintf(owner, sizeof(owner), "label=flowrun.owner=%.30s-%ld", host, (long)getpid());
	assert_string_equal(v[0], "podman");
	assert_non_null(strstr(line, "rm --force --time=0 --filter="));
	assert_non_null(strstr(line, owner));
	containers_argv_free(v);
	free(line);
	/* docker's rm has no filter: a list through a shell, the label an argument */
	v = containers_cleanup_argv(d);
	assert_string_equal(v[0], "/bin/sh");
	assert_string_equal(v[1], "-c");
	assert_non_null(strstr(v[2], "docker ps --all --quiet --filter \"label=$1\""));
	assert_non_null(strstr(v[4], "flowrun.owner="));
	containers_argv_free(v);
	containers_free(p);
	containers_free(d);
}

static void test_engine_names(void **state)
{
	enum container_engine e;

	(void)state;
	assert_int_equal(container_engine_parse("podman", &e), 0);
	assert_int_equal(e, ENGINE_PODMAN);
	assert_int_equal(container_engine_parse("apptainer", &e), 0);
	assert_string_equal(container_engine_name(e), "apptainer");
	assert_int_equal(container_engine_parse("Podman", &e), -1);
	assert_int_equal(container_engine_parse("", &e), -1);
	assert_int_equal(container_engine_parse(NULL, &e), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_podman),
		cmocka_unit_test(test_network_and_input),
		cmocka_unit_test(test_unbindable),
		cmocka_unit_test(test_apptainer),
		cmocka_unit_test(test_cleanup),
		cmocka_unit_test(test_engine_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

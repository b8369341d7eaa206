/* test_files.c: unit tests of the named filesystems, in both ways of
 * resolving a name (openat2, and the walk of O_NOFOLLOW opens kernels
 * without it get): writes land where they should with the umask's mode,
 * names that leave the root are refused, a FIFO or a directory is not
 * opened for reading (and never blocks), and a directory swapped for a
 * symbolic link to elsewhere while writes go on never lets one out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "files.h"

/* writes while another process swaps a directory for a link */
#define RACE_WRITES 10000

struct fixture {
	char *top;          /* the test's directory */
	struct buf root;    /* TOP/root: the filesystem "fs" */
	struct buf out;     /* TOP/outside: where nothing may land */
	struct files fs;
};

static int setup(void **state, int walk)
{
	struct fixture *x = xcalloc(1, sizeof(*x));
	struct buf spec = {0}, why = {0};
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

	buf_printf(&spec, "%s/flowrun-files-test-XXXXXX", base);
	x->top = buf_steal(&spec);
	assert_non_null(mkdtemp(x->top));
	buf_printf(&x->root, "%s/root", x->top);
	buf_printf(&x->out, "%s/outside", x->top);
	assert_int_equal(mkdir(x->root.data, 0755), 0);
	assert_int_equal(mkdir(x->out.data, 0755), 0);
	buf_printf(&spec, "fs=%s", x->root.data);
	if (files_add(&x->fs, spec.data, &why) != 0)
		fail_msg("%s", why.data);
	buf_free(&spec);
	files_walk_only(walk);
	*state = x;
	return 0;
}

static int setup_openat2(void **state)
{
	return setup(state, 0);
}

static int setup_walk(void **state)
{
	return setup(state, 1);
}

static int teardown(void **state)
{
	struct fixture *x = *state;
	struct buf cmd = {0};

	buf_printf(&cmd, "rm -rf '%s'", x->top);
	assert_int_equal(system(cmd.data), 0);
	buf_free(&cmd);
	files_free(&x->fs);
	buf_free(&x->root);
	buf_free(&x->out);
	free(x->top);
	free(x);
	files_walk_only(0);
	return 0;
}

/* at: TOP/root/rel (or TOP/outside/rel), in a static buffer (one at a
 * time) */
static const char *at(const struct buf *dir, const char *rel)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir->data, rel);
	return path;
}

static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static void write_ok(struct fixture *x, const char *name, int create)
{
	struct buf why = {0};

	if (files_write(&x->fs, "fs", name, create, "data", 4, &why) != 0)
		fail_msg("%s: %s", name, why.data);
}

static void write_refused(struct fixture *x, const char *name, const char *says)
{
	struct buf why = {0};

	assert_int_equal(files_write(&x->fs, "fs", name, 1, "data", 4, &why), -1);
	if (!why.data || !strstr(why.data, says))
		fail_msg("%s: '%s' does not say '%s'", name, why.data ? why.data : "", says);
	buf_free(&why);
}

static void test_writes_land_with_the_umask(void **state)
{
	struct fixture *x = *state;
	mode_t old = umask(077);
	struct stat st;

	write_ok(x, "a/b/c.txt", 1);
	assert_int_equal(stat(at(&x->root, "a/b/c.txt"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 4);
	umask(022);
	write_ok(x, at(&x->root, "a/./d.txt"), 0); /* absolute, inside */
	assert_int_equal(stat(at(&x->root, "a/d.txt"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	umask(old);
	/* nothing else left behind: no temporary file */
	assert_int_equal(entries(at(&x->root, "a")), 2);
}

static void test_names_that_leave_are_refused(void **state)
{
	struct fixture *x = *state;
	struct buf why = {0}, target = {0};

	write_refused(x, "../outside/x", "leaves filesystem");
	write_refused(x, "a/../../x", "leaves filesystem");
	write_refused(x, at(&x->out, "x"), "outside filesystem");
	write_refused(x, ".", "outside filesystem");
	assert_int_equal(symlink(x->out.data, at(&x->root, "abs")), 0);
	assert_int_equal(symlink("../outside", at(&x->root, "rel")), 0);
	write_refused(x, "abs/x", "through a symbolic link");
	write_refused(x, "rel/x", "through a symbolic link");
	/* the file itself a link out */
	buf_puts(&target, at(&x->out, "target"));
	assert_int_equal(symlink(target.data, at(&x->root, "file")), 0);
	buf_free(&target);
	assert_int_equal(files_open(&x->fs, "fs", "file", &why), -1);
	buf_free(&why);
	assert_int_equal(entries(x->out.data), 0);
	assert_int_equal(files_write(&x->fs, "other", "x", 1, "", 0, &why), -1);
	assert_non_null(strstr(why.data, "unknown filesystem 'other'"));
	buf_free(&why);
}

static void test_links_inside(void **state)
{
	struct fixture *x = *state;
	struct buf why = {0};
	int fd;

	assert_int_equal(mkdir(at(&x->root, "real"), 0755), 0);
	assert_int_equal(symlink("real", at(&x->root, "alias")), 0);
	fd = files_write(&x->fs, "fs", "alias/f", 0, "data", 4, &why);
	if (fd == 0) {
		/* openat2: a relative link that stays beneath the root */
		assert_int_equal(access(at(&x->root, "real/f"), F_OK), 0);
	} else {
		/* the walk: every link refused */
		assert_non_null(strstr(why.data, "through a symbolic link"));
	}
	buf_free(&why);
}

static void test_only_regular_files_are_read(void **state)
{
	struct fixture *x = *state;
	struct buf why = {0};
	int fd;

	assert_int_equal(mkfifo(at(&x->root, "fifo"), 0644), 0);
	alarm(5); /* a FIFO must not block the open */
	assert_int_equal(files_open(&x->fs, "fs", "fifo", &why), -1);
	alarm(0);
	assert_non_null(strstr(why.data, "is not a regular file"));
	buf_free(&why);
	assert_int_equal(mkdir(at(&x->root, "dir"), 0755), 0);
	assert_int_equal(files_open(&x->fs, "fs", "dir", &why), -1);
	buf_free(&why);
	assert_int_equal(files_open(&x->fs, "fs", "missing", &why), -1);
	assert_non_null(strstr(why.data, "No such file"));
	buf_free(&why);
	write_ok(x, "here", 0);
	fd = files_open(&x->fs, "fs", "here", &why);
	assert_true(fd >= 0);
	close(fd);
}

static void test_swapped_for_a_link(void **state)
{
	struct fixture *x = *state;
	struct buf why = {0}, d = {0}, saved = {0};
	int i, ok = 0, status;
	pid_t pid;

	buf_puts(&d, at(&x->root, "d"));
	buf_puts(&saved, at(&x->root, "saved"));
	assert_int_equal(mkdir(d.data, 0755), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* d is a directory, then a link to outside, and again; it
		 * stays a directory a moment each time, so that writes land
		 * even when this loop has a core to itself and the writer
		 * does not */
		for (;;) {
			if (rename(d.data, saved.data) == 0) {
				if (symlink(x->out.data, d.data) == 0) {
					unlink(d.data);
				}
				rename(saved.data, d.data);
			}
			usleep(20);
		}
	}
	for (i = 0; i < RACE_WRITES; i++) {
		if (files_write(&x->fs, "fs", "d/f", 0, "data", 4, &why) == 0)
			ok++;
		buf_free(&why);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	print_message("%d of %d writes done while d changed\n", ok, RACE_WRITES);
	assert_int_equal(entries(x->out.data), 0);
	assert_true(ok > 0);
	buf_free(&d);
	buf_free(&saved);
}

int main(void)
{
#define BOTH(t) cmocka_unit_test_setup_teardown(t, setup_openat2, teardown), \
		cmocka_unit_test_setup_teardown(t, setup_walk, teardown)
	const struct CMUnitTest tests[] = {
		BOTH(test_writes_land_with_the_umask),
		BOTH(test_names_that_leave_are_refused),
		BOTH(test_links_inside),
		BOTH(test_only_regular_files_are_read),
		BOTH(test_swapped_for_a_link),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

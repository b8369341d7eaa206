/* slurm.c: the Slurm commands flowrun uses (sbatch, squeue, scancel), run
 * as processes with their output read back. It knows jobs, not flows. */
#include "slurm.h"

#include <errno.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* command: runs argv, its standard output (and error) into out; the exit
 * status, or -1 when it cannot start */
static int command(char *const *argv, struct buf *out)
{
	posix_spawn_file_actions_t fa;
	int fds[2], status;
	char chunk[4096];
	ssize_t got;
	pid_t pid;

	if (pipe(fds) != 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	while ((got = read(fds[0], chunk, sizeof(chunk))) > 0 || (got < 0 && errno == EINTR))
		if (got > 0)
			buf_add(out, chunk, (size_t)got);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

char *slurm_submit(const char *const *args, size_t nargs, struct buf *why)
{
	char **argv = xcalloc(nargs + 3, sizeof(*argv));
	struct buf out = {0};
	size_t i;
	int rc;

	argv[0] = "sbatch";
	argv[1] = "--parsable";
	for (i = 0; i < nargs; i++)
		argv[i + 2] = (char *)args[i];
	rc = command(argv, &out);
	free(argv);
	if (rc != 0) {
		while (out.len && (out.data[out.len - 1] == '\n'))
			out.data[--out.len] = '\0';
		buf_printf(why, "sbatch %s: %s", rc < 0 ? "cannot be run" : "failed",
			   out.len ? out.data : "(no message)");
		buf_free(&out);
		return NULL;
	}
	/* --parsable prints "id" or "id;cluster" */
	out.data[strcspn(out.data, ";\n")] = '\0';
	return buf_steal(&out);
}

int slurm_states(char *const *ids, size_t n, char **states)
{
	struct buf list = {0}, out = {0};
	char *argv[] = {"squeue", "-h", "-t", "all", "-o", "%i|%T", "-j", NULL, NULL};
	char *line, *save = NULL;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		buf_printf(&list, "%s%s", i ? "," : "", ids[i]);
		states[i] = NULL;
	}
	argv[7] = list.data;
	rc = command(argv, &out);
	buf_free(&list);
	/* squeue fails for a list of only unknown jobs: they are all gone */
	if (rc < 0) {
		buf_free(&out);
		return -1;
	}
	for (line = strtok_r(out.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *bar = strchr(line, '|');

		if (!bar)
			continue;
		*bar = '\0';
		for (i = 0; i < n; i++)
			if (!states[i] && strcmp(ids[i], line) == 0)
				states[i] = xstrdup(bar + 1);
	}
	buf_free(&out);
	return 0;
}

void slurm_cancel(char *const *ids, size_t n)
{
	char **argv = xcalloc(n + 2, sizeof(*argv));
	struct buf out = {0};
	size_t i;

	argv[0] = "scancel";
	for (i = 0; i < n; i++)
		argv[i + 1] = ids[i];
	command(argv, &out);
	buf_free(&out);
	free(argv);
}

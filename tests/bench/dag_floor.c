/* dag_floor.c: runs a DAG of commands the way a runner at its cheapest
 * would: posix_spawn and waitpid, up to J at once, each command's standard
 * output captured through a pipe and handed, newline stripped, to the
 * commands that name it. The floor under flowrun on the same DAG. A
 * benchmark tool, not part of flowrun.
 *
 * FILE holds one command a line, in a topological order, its argv
 * separated by tabs; an argument that is exactly @N (N counting lines from
 * 0) is replaced by the output of command N, and the command waits for it.
 * Prints the milliseconds taken to run them all (reading FILE excluded) and
 * the output of the last command. Outputs are assumed short (under a pipe's
 * 64 KiB), so each is read once its command has exited. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct cmd {
	char **argv;   /* the template: NULL where a reference goes */
	int *ref;      /* per argument: the command it names, or -1 */
	int argc;
	int waiting;   /* references not yet done */
	int *users;    /* commands that name this one */
	int nusers;
	char *out;     /* its output, once done */
	pid_t pid;
	int fd;        /* the read end of its stdout pipe while it runs */
};

static struct cmd *cmds;
static int ncmds;

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		fprintf(stderr, "dag_floor: out of memory\n");
		exit(1);
	}
	return p;
}

static void load(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	if (!fp) {
		perror(path);
		exit(2);
	}
	while ((len = getline(&line, &cap, fp)) > 0) {
		struct cmd *c;
		char *field, *save = NULL;

		if (line[len - 1] == '\n')
			line[--len] = 0;
		cmds = xrealloc(cmds, (size_t)(ncmds + 1) * sizeof(*cmds));
		c = &cmds[ncmds];
		memset(c, 0, sizeof(*c));
		for (field = strtok_r(line, "\t", &save); field; field = strtok_r(NULL, "\t", &save)) {
			char *end;
			long r = -1;

			if (field[0] == '@' && field[1]) {
				r = strtol(field + 1, &end, 10);
				if (*end || r < 0 || r >= ncmds) {
					fprintf(stderr, "dag_floor: line %d: bad reference %s\n", ncmds + 1, field);
					exit(2);
				}
			}
			c->argv = xrealloc(c->argv, (size_t)(c->argc + 2) * sizeof(char *));
			c->ref = xrealloc(c->ref, (size_t)(c->argc + 1) * sizeof(int));
			c->argv[c->argc] = r < 0 ? strdup(field) : NULL;
			c->ref[c->argc] = (int)r;
			c->argc++;
			if (r >= 0) {
				struct cmd *p = &cmds[r];

				p->users = xrealloc(p->users, (size_t)(p->nusers + 1) * sizeof(int));
				p->users[p->nusers++] = ncmds;
				c->waiting++;
			}
		}
		if (c->argc == 0) {
			fprintf(stderr, "dag_floor: line %d: no command\n", ncmds + 1);
			exit(2);
		}
		c->argv[c->argc] = NULL;
		ncmds++;
	}
	free(line);
	fclose(fp);
}

static void start(int i)
{
	struct cmd *c = &cmds[i];
	posix_spawn_file_actions_t fa;
	char **argv = xrealloc(NULL, (size_t)(c->argc + 1) * sizeof(char *));
	int fds[2], a, rc;

	for (a = 0; a <= c->argc; a++)
		argv[a] = a < c->argc && c->ref[a] >= 0 ? cmds[c->ref[a]].out : c->argv[a];
	if (pipe2(fds, O_CLOEXEC) != 0) {
		perror("dag_floor: pipe");
		exit(1);
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	rc = posix_spawnp(&c->pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	free(argv);
	if (rc != 0) {
		fprintf(stderr, "dag_floor: cannot start %s: %s\n", c->argv[0], strerror(rc));
		exit(1);
	}
	c->fd = fds[0];
}

/* finish: command i exited with status; read its output */
static void finish(int i, int status)
{
	struct cmd *c = &cmds[i];
	size_t n = 0, cap = 256;
	ssize_t got;

	c->out = xrealloc(NULL, cap);
	while ((got = read(c->fd, c->out + n, cap - n - 1)) > 0) {
		n += (size_t)got;
		if (cap - n < 2)
			c->out = xrealloc(c->out, cap *= 2);
	}
	close(c->fd);
	if (n > 0 && c->out[n - 1] == '\n')
		n--;
	c->out[n] = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "dag_floor: command %d failed (status %d)\n", i, status);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	int *ready, nready = 0, next = 0, running = 0, done = 0, jobs, i;
	int *slots;

	if (argc != 3 || (jobs = atoi(argv[1])) < 1) {
		fprintf(stderr, "usage: dag_floor J FILE\n");
		return 2;
	}
	load(argv[2]);
	ready = xrealloc(NULL, (size_t)(ncmds + 1) * sizeof(int));
	slots = xrealloc(NULL, (size_t)jobs * sizeof(int));
	for (i = 0; i < ncmds; i++)
		if (cmds[i].waiting == 0)
			ready[nready++] = i;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (done < ncmds) {
		int status, s;
		pid_t pid;

		while (running < jobs && next < nready) {
			start(ready[next]);
			slots[running++] = ready[next++];
		}
		if (running == 0) {
			fprintf(stderr, "dag_floor: a cycle, or a reference to a later line\n");
			return 2;
		}
		pid = waitpid(-1, &status, 0);
		for (s = 0; s < running && cmds[slots[s]].pid != pid; s++)
			;
		if (s == running) {
			perror("dag_floor: waitpid");
			return 1;
		}
		i = slots[s];
		slots[s] = slots[--running];
		finish(i, status);
		done++;
		for (s = 0; s < cmds[i].nusers; s++)
			if (--cmds[cmds[i].users[s]].waiting == 0)
				ready[nready++] = cmds[i].users[s];
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.0f %s\n", (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6,
	       ncmds ? cmds[ncmds - 1].out : "");
	free(ready);
	free(slots);
	return 0;
}

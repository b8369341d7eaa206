/* spawn_floor.c: runs a program N times with posix_spawn and waitpid, one
 * after another: the floor under any runner of N processes. Two floors
 * under a runner that keeps J running: with -j J, J processes each run
 * their share of the N one after another, at the same time; with -k J, one
 * process keeps J running, starting the next when any ends (waitpid(-1)).
 * Prints the milliseconds taken. A benchmark tool, not part of flowrun. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* loop: runs argv n times; 0, or -1 when one could not be run */
static int loop(int n, char **argv)
{
	int i, status;

	for (i = 0; i < n; i++) {
		pid_t pid;

		if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0 ||
		    waitpid(pid, &status, 0) != pid)
			return -1;
	}
	return 0;
}

/* keep: runs argv n times, j at once, from this process */
static int keep(int n, int j, char **argv)
{
	int started = 0, running = 0, status;

	while (started < n || running > 0) {
		pid_t pid;

		if (started < n && running < j) {
			if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0)
				return -1;
			started++;
			running++;
			continue;
		}
		if (waitpid(-1, &status, 0) < 0)
			return -1;
		running--;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	int n, jobs = 1, inflight = 0, j, status, failed = 0;

	if (argc > 2 && (strcmp(argv[1], "-j") == 0 || strcmp(argv[1], "-k") == 0)) {
		inflight = argv[1][1] == 'k';
		jobs = atoi(argv[2]);
		argc -= 2;
		argv += 2;
	}
	if (argc < 3 || jobs < 1) {
		fprintf(stderr, "usage: spawn_floor [-j J | -k J] N PROGRAM [ARG...]\n");
		return 2;
	}
	n = atoi(argv[1]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (inflight) {
		failed = keep(n, jobs, argv + 2) != 0;
	} else if (jobs == 1) {
		failed = loop(n, argv + 2) != 0;
	} else {
		for (j = 0; j < jobs; j++) {
			pid_t pid = fork();

			if (pid < 0)
				return 1;
			if (pid == 0)
				_exit(loop(n / jobs + (j < n % jobs), argv + 2) != 0);
		}
		for (j = 0; j < jobs; j++)
			if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
				failed = 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (failed)
		return 1;
	printf("%.0f\n", (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	return 0;
}

/* spawn_floor.c: runs a program N times, one after another, with
 * posix_spawn and waitpid: the floor under any runner of N processes. A
 * benchmark tool, not part of flowrun. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	int i, n, status;

	if (argc < 3) {
		fprintf(stderr, "usage: spawn_floor N PROGRAM [ARG...]\n");
		return 2;
	}
	n = atoi(argv[1]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		pid_t pid;

		if (posix_spawn(&pid, argv[2], NULL, NULL, argv + 2, environ) != 0 ||
		    waitpid(pid, &status, 0) != pid)
			return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.0f\n", (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	return 0;
}

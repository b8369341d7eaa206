/* own_usage.c: runs a command (its standard output to /dev/null) and
 * prints what the command's process itself cost, its children excluded:
 * wall milliseconds, user and system CPU milliseconds, and peak resident
 * KiB. The CPU times are read from /proc/PID/stat (fields 14 and 15) once
 * the process has exited but before it is reaped (waitid with WNOWAIT), so
 * they are its own; getrusage and /usr/bin/time add the children it
 * reaped. The peak is wait4's ru_maxrss, which is the largest of the
 * process's own and its reaped children's: its own unless a child grew
 * larger than it. Exits 1 when the command did not exit 0. A benchmark
 * tool, not part of flowrun. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* stat_times: utime and stime of pid, in clock ticks; -1 when unknown */
static int stat_times(pid_t pid, unsigned long long *ut, unsigned long long *st)
{
	char path[64], buf[4096], *p;
	FILE *fp;
	size_t n;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(fp = fopen(path, "r")))
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = 0;
	/* the command name (field 2) may hold spaces: count after its ')' */
	if (!(p = strrchr(buf, ')')))
		return -1;
	for (field = 2; field < 14 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu %llu", ut, st) != 2)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	siginfo_t si;
	unsigned long long ut, st;
	long tck = sysconf(_SC_CLK_TCK);
	int status;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: own_usage COMMAND [ARG...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		perror("own_usage: fork");
		return 1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			dup2(null, 1);
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	memset(&si, 0, sizeof(si));
	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) != 0) {
		perror("own_usage: waitid");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (stat_times(pid, &ut, &st) != 0) {
		fprintf(stderr, "own_usage: cannot read /proc/%d/stat\n", (int)pid);
		return 1;
	}
	if (wait4(pid, &status, 0, &ru) != pid) {
		perror("own_usage: wait4");
		return 1;
	}
	printf("%.0f %.0f %.0f %ld\n",
	       (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6,
	       ut * 1e3 / tck, st * 1e3 / tck, ru.ru_maxrss);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "own_usage: %s exited with status %d\n", argv[1], status);
		return 1;
	}
	return 0;
}

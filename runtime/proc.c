/* proc.c: processes for tasks: vfork and exec into a process group of
 * their own, pipes for their output, a guard process for when flowrun
 * dies. No scheduling here: callers decide what starts and when. */
#define _GNU_SOURCE /* pipe2 */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* descriptors a running task holds in flowrun: its two pipes, its stderr
 * file, and the input pipe while it starts */
#define FDS_PER_TASK 4
/* descriptors flowrun keeps for itself: journal, lock, store, the wake
 * pipe, the guard, standard streams, libraries */
#define FDS_RESERVED 32
/* reads of one pipe in one call, so that a task that writes without pause
 * does not keep the loop from the others */
#define READS_PER_CALL 16

/* the guard's end of a socket whose other end only the guard holds: when
 * flowrun ends, however it ends, the guard reads end-of-file */
static int guard_fd = -1;
/* the process groups of running tasks, one slot per job, in memory shared
 * with the guard: starting and reaping a task cost no system call */
static volatile pid_t *guard_groups;
static size_t guard_nslots;

int proc_limit_fds(void)
{
	struct rlimit rl;
	long n;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 64;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	n = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1048576 ? 1048576 : (long)rl.rlim_cur;
	n = (n - FDS_RESERVED) / FDS_PER_TASK;
	return n < 1 ? 1 : n > 1000000 ? 1000000 : (int)n;
}

/* guard: the guard's life: it waits for flowrun's end of the socket to
 * close, then kills every process group still in the table, and runs
 * cleanup when it killed any */
static void guard(int fd, char *const *cleanup)
{
	char c;
	size_t i;
	int null = open("/dev/null", O_RDWR), killed = 0;

	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	for (;;) {
		ssize_t n = read(fd, &c, 1);

		if (n > 0 || (n < 0 && errno == EINTR))
			continue;
		break;
	}
	for (i = 0; i < guard_nslots; i++)
		if (guard_groups[i] > 0) {
			kill(-guard_groups[i], SIGKILL);
			killed = 1;
		}
	if (killed && cleanup) {
		struct buf out = {0};

		proc_command(cleanup, &out, NULL);
	}
	_exit(0);
}

int proc_guard_start(size_t slots, char *const *cleanup, struct buf *why)
{
	int sv[2];
	void *table;
	pid_t pid;

	if (guard_fd >= 0)
		return 0;
	table = mmap(NULL, slots * sizeof(pid_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		     -1, 0);
	if (table == MAP_FAILED) {
		buf_printf(why, "cannot start the guard: %s", strerror(errno));
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		buf_printf(why, "cannot start the guard: %s", strerror(errno));
		munmap(table, slots * sizeof(pid_t));
		return -1;
	}
	guard_groups = table;
	guard_nslots = slots;
	pid = fork();
	if (pid < 0) {
		buf_printf(why, "cannot start the guard: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		munmap(table, slots * sizeof(pid_t));
		guard_groups = NULL;
		guard_nslots = 0;
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		guard(sv[1], cleanup);
	}
	close(sv[1]);
	guard_fd = sv[0];
	return 0;
}

static void guard_tell(size_t slot, pid_t pid)
{
	if (slot < guard_nslots)
		guard_groups[slot] = pid;
}

/* input_fd: a descriptor the task reads its input from: a pipe that holds
 * it all, or the input file when it does not fit; -1 with why */
static int input_fd(const struct proc_spec *spec, struct buf *why)
{
	int fds[2], fd;
	size_t done = 0;

	if (pipe2(fds, O_CLOEXEC) != 0) {
		buf_printf(why, "cannot make a pipe: %s", strerror(errno));
		return -1;
	}
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	while (done < spec->ninput) {
		ssize_t n = write(fds[1], spec->input + done, spec->ninput - done);

		if (n <= 0)
			break;
		done += (size_t)n;
	}
	close(fds[1]);
	if (done == spec->ninput)
		return fds[0];
	close(fds[0]);
	fd = open(spec->input_file, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, spec->input, spec->ninput) != (ssize_t)spec->ninput ||
	    lseek(fd, 0, SEEK_SET) != 0) {
		buf_printf(why, "cannot write %s: %s", spec->input_file, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

extern char **environ;

int proc_command(char *const *argv, struct buf *out, struct buf *err)
{
	posix_spawn_file_actions_t fa;
	int ofd[2] = {-1, -1}, efd[2] = {-1, -1}, status, rc;
	struct pollfd pf[2];
	pid_t pid;

	if (pipe2(ofd, O_CLOEXEC) != 0 || (err && pipe2(efd, O_CLOEXEC) != 0)) {
		rc = errno;
		if (ofd[0] >= 0) {
			close(ofd[0]);
			close(ofd[1]);
		}
		errno = rc;
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, ofd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, err ? efd[1] : ofd[1], 2);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(ofd[1]);
	if (err)
		close(efd[1]);
	if (rc != 0) {
		close(ofd[0]);
		if (err)
			close(efd[0]);
		errno = rc;
		return -1;
	}
	pf[0].fd = ofd[0];
	pf[1].fd = err ? efd[0] : -1;
	pf[0].events = pf[1].events = POLLIN;
	while (pf[0].fd >= 0 || pf[1].fd >= 0) {
		int k;

		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (k = 0; k < 2; k++) {
			char chunk[4096];
			ssize_t got;

			if (pf[k].fd < 0 || !pf[k].revents)
				continue;
			got = read(pf[k].fd, chunk, sizeof(chunk));
			if (got > 0)
				buf_add(k ? err : out, chunk, (size_t)got);
			else if (got == 0 || errno != EINTR) {
				close(pf[k].fd);
				pf[k].fd = -1;
			}
		}
	}
	for (rc = 0; rc < 2; rc++)
		if (pf[rc].fd >= 0)
			close(pf[rc].fd);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* the errno of a child that could not exec, set by the child: after
 * vfork it runs on flowrun's memory until it execs or exits */
static volatile int child_errno;

/* child: the life of a vfork child until exec: system calls only, and
 * never a return. The signals flowrun catches get their default action
 * back before any is unblocked, so that no handler of flowrun's runs in
 * the child. */
static void child(const struct proc_spec *spec, int in, int out, int err)
{
	static const int caught[] = {SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGPIPE};
	struct sigaction dfl;
	sigset_t none;
	size_t i;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	for (i = 0; i < sizeof(caught) / sizeof(caught[0]); i++)
		sigaction(caught[i], &dfl, NULL);
	if (in < 0)
		in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (setpgid(0, 0) != 0 || in < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 ||
	    dup2(err, 2) < 0) {
		child_errno = errno;
		_exit(127);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execvpe(spec->argv[0], spec->argv, spec->envp);
	child_errno = errno;
	_exit(127);
}

/* spawn: spec in a process group of its own, with in (or /dev/null), out
 * and err as its standard streams; 0 with *pid, or an errno. vfork rather
 * than posix_spawn: no stack to map and unmap, no file actions to check
 * (measured here: 45 instead of 57 us of flowrun's CPU per task). */
static int spawn(pid_t *pid, const struct proc_spec *spec, int in, int out, int err)
{
	sigset_t all, old;
	pid_t kid;
	int saved;

	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	child_errno = 0;
	kid = vfork();
	if (kid == 0)
		child(spec, in, out, err);
	saved = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (kid < 0)
		return saved;
	if (child_errno) {
		saved = child_errno;
		while (waitpid(kid, NULL, 0) < 0 && errno == EINTR)
			;
		return saved;
	}
	*pid = kid;
	return 0;
}

int proc_start(struct proc *p, size_t slot, const struct proc_spec *spec, struct buf *why)
{
	int out[2] = {-1, -1}, err[2] = {-1, -1}, in = -1, rc;

	memset(p, 0, sizeof(*p));
	p->slot = slot;
	p->out_fd = p->err_fd = -1;
	/* close-on-exec: a task gets only the ends dup2() gives it */
	if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
		buf_printf(why, "cannot make a pipe: %s", strerror(errno));
		goto fail;
	}
	if (spec->input && (in = input_fd(spec, why)) < 0)
		goto fail;
	rc = spawn(&p->pid, spec, in, out[1], err[1]);
	if (in >= 0)
		close(in);
	close(out[1]);
	close(err[1]);
	if (rc != 0) {
		buf_printf(why, "cannot start %s: %s", spec->argv[0], strerror(rc));
		close(out[0]);
		close(err[0]);
		p->pid = 0;
		return -1;
	}
	p->out_fd = out[0];
	p->err_fd = err[0];
	fcntl(p->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(p->err_fd, F_SETFL, O_NONBLOCK);
	guard_tell(slot, p->pid);
	return 0;
fail:
	if (out[0] >= 0) {
		close(out[0]);
		close(out[1]);
	}
	if (err[0] >= 0) {
		close(err[0]);
		close(err[1]);
	}
	return -1;
}

int proc_read(int *fd, struct buf *out)
{
	char chunk[65536];
	int i;

	for (i = 0; *fd >= 0 && i < READS_PER_CALL; i++) {
		ssize_t got = read(*fd, chunk, sizeof(chunk));

		if (got > 0) {
			buf_add(out, chunk, (size_t)got);
			continue;
		}
		if (got < 0 && (errno == EAGAIN || errno == EINTR))
			return 1;
		close(*fd);
		*fd = -1;
	}
	return *fd >= 0;
}

void proc_reaped(struct proc *p, int status)
{
	/* strays of its group go with it, and their ends of the pipes too */
	kill(-p->pid, SIGKILL);
	guard_tell(p->slot, 0);
	p->status = status;
	p->pid = 0;
}

void proc_kill(const struct proc *p, int sig)
{
	if (p->pid > 0)
		kill(-p->pid, sig);
}

void proc_close(struct proc *p)
{
	if (p->out_fd >= 0)
		close(p->out_fd);
	if (p->err_fd >= 0)
		close(p->err_fd);
	p->out_fd = p->err_fd = -1;
}

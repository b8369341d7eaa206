/* proc.h: the process runner: a task's process started in a process group
 * of its own with its output through pipes, drained, reaped and killed,
 * and a guard that kills what is left if flowrun itself dies. It makes no
 * scheduling decision. */
#ifndef FLOWRUN_PROC_H
#define FLOWRUN_PROC_H

#include <sys/types.h>

#include "util.h"

/* a process being run */
struct proc {
	pid_t pid;                  /* its pid, also its process group; 0 once reaped */
	int out_fd;                 /* read end of its standard output, -1 once at its end */
	int err_fd;                 /* read end of its standard error, -1 once at its end */
	int status;                 /* its wait status, once reaped */
	size_t slot;                /* its place in the guard's table */
};

/* what to start */
struct proc_spec {
	char *const *argv;          /* argv[0] looked up in PATH */
	char *const *envp;          /* its whole environment */
	const char *input;          /* its standard input, or NULL for /dev/null */
	size_t ninput;              /* bytes of input */
	const char *input_file;     /* where input goes when a pipe cannot hold it */
};

/* proc_limit_fds: raises the soft limit of open files to the hard one;
 * returns how many processes can run at once with their pipes */
int proc_limit_fds(void);

/* proc_guard_start: starts the guard, a small process that kills the
 * process group of every task still running when flowrun ends for any
 * reason (SIGKILL included), for up to slots tasks at once. When it
 * killed any and cleanup is not NULL, it then runs cleanup (proc_command):
 * what removes what tasks leave running outside their groups
 * (containers). 0, or -1 with why. */
int proc_guard_start(size_t slots, char *const *cleanup, struct buf *why);

/* proc_start: starts spec as the task in slot (below the guard's slots);
 * 0, or -1 with why (nothing runs then) */
int proc_start(struct proc *p, size_t slot, const struct proc_spec *spec, struct buf *why);
/* proc_read: what one of p's pipes (fd) holds now, appended to out;
 * returns 1 while the pipe is open, 0 when it ended (fd is then closed and
 * set to -1) */
int proc_read(int *fd, struct buf *out);
/* proc_reaped: the process with pid that waitpid() gave: p is told and
 * whatever is left of its group is killed */
void proc_reaped(struct proc *p, int status);
/* proc_kill: sig to p's process group (nothing once it is reaped) */
void proc_kill(const struct proc *p, int sig);
/* proc_close: closes what is left open of p */
void proc_close(struct proc *p);

/* proc_command: runs argv (argv[0] looked up in PATH, flowrun's
 * environment, standard input /dev/null) to its end, here and now: its
 * standard output into out, its standard error into err (into out too
 * when err is NULL). Its exit status, 128 + the signal that ended it, or
 * -1 when it cannot start (errno says why). For the engines' and Slurm's
 * short commands, never for a task. */
int proc_command(char *const *argv, struct buf *out, struct buf *err);

#endif

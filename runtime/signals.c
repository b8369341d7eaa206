/* signals.c: signal handlers that only note the signal and write a byte
 * to the self-pipe; everything else happens in the loops that poll it. */
#include "signals.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static int wake_pipe[2] = {-1, -1};
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	if (sig != SIGCHLD)
		interrupted = sig;
	if (write(wake_pipe[1], &c, 1) < 0) {
		/* the pipe is full: the loop is awake anyway */
	}
	errno = saved;
}

int sig_setup(struct buf *why)
{
	static const int heard[] = {SIGCHLD, SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa;
	size_t i;

	if (wake_pipe[0] >= 0)
		return 0;
	if (pipe(wake_pipe) != 0) {
		buf_printf(why, "cannot make a pipe: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < 2; i++) {
		fcntl(wake_pipe[i], F_SETFL, O_NONBLOCK);
		fcntl(wake_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	for (i = 0; i < sizeof(heard) / sizeof(heard[0]); i++)
		sigaction(heard[i], &sa, NULL);
	/* a reader of flowrun's output that went away is not a reason to die
	 * with tasks running: the write fails instead */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

int sig_interrupted(void)
{
	return interrupted;
}

int sig_wake_fd(void)
{
	return wake_pipe[0];
}

void sig_drain(void)
{
	char drain[64];

	while (wake_pipe[0] >= 0 && read(wake_pipe[0], drain, sizeof(drain)) > 0)
		;
}

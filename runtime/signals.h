/* signals.h: the signals flowrun hears: SIGINT, SIGTERM and SIGHUP ask a
 * run to stop, SIGCHLD says a process ended; each wakes the loop that
 * waits through a pipe (the self-pipe). SIGPIPE is ignored. It decides
 * nothing about what stopping means. */
#ifndef FLOWRUN_SIGNALS_H
#define FLOWRUN_SIGNALS_H

#include "util.h"

/* sig_setup: installs the handlers (once); 0, or -1 with why */
int sig_setup(struct buf *why);
/* sig_interrupted: the signal that asked the run to stop, or 0 */
int sig_interrupted(void);
/* sig_wake_fd: the descriptor a signal makes readable, for poll() */
int sig_wake_fd(void);
/* sig_drain: empties the wake pipe */
void sig_drain(void);

#endif

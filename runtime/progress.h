/* progress.h: what a run prints as it goes (docs/run.md, "Output"): one
 * line per state change, or one progress line on a terminal, task
 * standard error with -v, and the summary at the end. It decides nothing. */
#ifndef FLOWRUN_PROGRESS_H
#define FLOWRUN_PROGRESS_H

#include <stddef.h>

#include "journal.h"
#include "util.h"

struct progress {
	int tty;                    /* standard output is a terminal: one line, redrawn */
	size_t ntasks;              /* tasks of the run (or of the flows this process runs) */
	size_t done;                /* tasks settled Success or Cached */
	size_t failed;              /* tasks settled Failed */
	size_t skipped;             /* tasks Skipped */
	size_t cancelled;           /* tasks Cancelled */
	size_t running;             /* tasks running now: kept by the caller */
	long long t0;               /* when this invocation started (monotonic ms) */
	char line[512];             /* the progress line drawn last (tty), for redrawing */
};

void progress_init(struct progress *p, size_t ntasks);
/* progress_count: a task reached st: counted as done, failed, skipped or
 * cancelled (other states count nothing) */
void progress_count(struct progress *p, enum run_state st);
/* progress_task: a task's new state, with a note (a reason) or NULL */
void progress_task(struct progress *p, const char *flow, const char *task, enum run_state st,
		   int attempt, const char *note);
/* progress_flush: what was printed goes out (once a turn: lines of state
 * changes are not flushed one by one) */
void progress_flush(void);
/* progress_flow: a flow that failed or was skipped as a whole */
void progress_flow(struct progress *p, const char *flow, enum run_state st, const char *note);
/* progress_say: a line of its own (a job submitted, a warning) */
void progress_say(struct progress *p, const char *fmt, ...) ATTR_PRINTF(2, 3);
/* progress_stderr: whole lines of a task's standard error, each prefixed
 * by flow/task, on flowrun's standard error (-v) */
void progress_stderr(struct progress *p, const char *flow, const char *task, const char *text,
		     size_t len);
/* progress_summary: the last line of a run */
void progress_summary(struct progress *p, const char *run_id, enum run_state st,
		      const char *reason, const char *dir);
/* progress_ms: milliseconds of a monotonic clock */
long long progress_ms(void);

#endif

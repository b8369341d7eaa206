/* status.h: what a run directory says, for people: flowrun status and
 * flowrun result (docs/run.md). Reads only: it never writes a run. */
#ifndef FLOWRUN_STATUS_H
#define FLOWRUN_STATUS_H

/* status_print: every flow and task of the run in dir; the exit status
 * (0 when the run succeeded, 1 otherwise, 2 when dir cannot be read) */
int status_print(const char *dir);
/* status_json: the same as one JSON document (docs/run.md, "Reading a run
 * back"; specs/status.schema.json); the same exit status */
int status_json(const char *dir);
/* status_runs: the runs under .flowrun/runs, newest first: id, plan,
 * state, start, duration; the exit status */
int status_runs(void);
/* status_logs: the standard error (stdout: output) of an attempt of
 * FLOW/TASK: the n-th of all its attempts across sessions (n > 0), else
 * its last; with follow, what the last attempt writes while the run lives;
 * the exit status */
int status_logs(const char *dir, const char *what, int n, int stdout_, int follow);
/* status_result: the result of FLOW or FLOW/TASK as JSON; the exit status */
int status_result(const char *dir, const char *what);

#endif

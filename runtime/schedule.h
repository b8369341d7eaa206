/* schedule.h: the scheduler of the flows this process runs (docs/run.md,
 * "What runs"): a flow's parameters resolved when it starts, its tasks
 * started from a ready queue as their needs succeed, up to -j at once,
 * deadlines (timeouts, kills, retries) in a timer heap that bounds every
 * wait. Events go to the journal; processes go through proc. It never
 * exits the program: an error ends the run through sched_error. */
#ifndef FLOWRUN_SCHEDULE_H
#define FLOWRUN_SCHEDULE_H

#include <jansson.h>

#include "container.h"
#include "files.h"
#include "journal.h"
#include "limits.h"
#include "plan.h"
#include "progress.h"
#include "replay.h"
#include "store.h"

struct sched;

/* what the scheduler is given; every pointer is borrowed and outlives it */
struct sched_config {
	const struct plan *plan;    /* what runs */
	const char *dir;            /* the run directory */
	const char *run_id;         /* recorded in stored documents */
	json_t *inputs;             /* composed parameter values (object) */
	struct journal *journal;    /* where this process's events go */
	struct store *store;        /* the results store, or NULL to open results_db when first needed */
	const char *results_db;     /* the results store's URL */
	const struct files *files;  /* named filesystems */
	const char *cache_dir;      /* where `cache: true` results live */
	const struct limits *limits; /* on results, values and logs */
	struct containers *containers; /* where the tasks of a flow with an image run, or
				     * NULL when no flow has one */
	int jobs;                   /* processes at once */
	int verbose;                /* copy task standard error to ours */
	int fresh;                  /* 1: no task of this run ran before (no stale files to remove) */
	unsigned session;           /* this session's number */
	const struct replay *before; /* what earlier sessions did, or NULL */
	struct progress *progress;  /* what is printed */
	/* flow_ended: flow f reached an outcome (Success, Failed) */
	void (*flow_ended)(void *ctx, size_t f, enum run_state st);
	void *ctx;                  /* for flow_ended */
};

struct sched *sched_new(const struct sched_config *c);
void sched_free(struct sched *s);

/* sched_restore: a task that succeeded in an earlier session (read back
 * from the journal), with its result (a new reference is taken) */
void sched_restore(struct sched *s, size_t f, size_t t, json_t *result);
/* sched_start_flow: flow f may start: every flow it needs succeeded (in
 * this process or restored). Its parameters are resolved now; a value
 * that cannot be had fails the flow (flow_ended is called). */
void sched_start_flow(struct sched *s, size_t f);
/* sched_wait: one turn: starts what is ready, waits (at most until the
 * next deadline) for a process to end or output to come or a signal,
 * settles what ended. 0, or -1 when an error ended the run (sched_error). */
int sched_wait(struct sched *s);
/* sched_cancel: no new task starts; every running one is sent SIGTERM
 * (SIGKILL after the grace) and ends Cancelled */
void sched_cancel(struct sched *s);
/* sched_busy: tasks are running or ready to start */
int sched_busy(const struct sched *s);
/* sched_error: why the run cannot go on (a journal that cannot be
 * written), or NULL */
const char *sched_error(const struct sched *s);
/* sched_param_value: the value of parameter pp (of a flow of p) given the
 * composed parameter values and, for a mapped one, its parent task's
 * result; a stored document is looked up in store(ctx). Checked against
 * pp's type; a new reference, or NULL with why. */
json_t *sched_param_value(const struct plan *p, const struct plan_param *pp,
			  const json_t *inputs, json_t *parent,
			  struct store *(*store)(void *ctx, struct buf *why), void *ctx,
			  struct buf *why);
#endif

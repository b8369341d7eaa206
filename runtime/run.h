/* run.h: running a plan locally (DESIGN 6): the run directory, its journal,
 * the scheduler and the process runner. It reads a verified plan and never
 * parses specs. */
#ifndef FLOWRUN_RUN_H
#define FLOWRUN_RUN_H

#include <jansson.h>

#include "files.h"
#include "plan.h"

/* What a run is asked to do, from the command line. */
struct run_options {
	const char *plan_path;      /* the plan file */
	const char *run_dir;        /* where the run directory goes, or NULL for .flowrun/runs/<id> */
	const char *results_db;     /* store URL, or NULL for .flowrun/results.db */
	int jobs;                   /* how many tasks at once */
	int verbose;                /* copy task standard error to the terminal */
	json_t *params;             /* composed parameter values given (object), owned */
	int slurm;                  /* --backend slurm: one batch job per flow */
	int detach;                 /* --detach: submit and return */
	const char *partition;      /* --partition, or NULL */
	const char **sbatch_args;   /* --sbatch-arg ARG, in order */
	size_t nsbatch_args;        /* number of sbatch_args */
	struct files files;         /* --filesystem NAME=DIR, owned */
};

/* the states of flows and tasks, as in Prefect */
enum run_state { ST_PENDING, ST_RUNNING, ST_SUCCESS, ST_FAILED, ST_RETRYING, ST_SKIPPED,
		 ST_CANCELLED, ST_CACHED };
extern const char *const run_state_names[];

/* run_params: the composed parameter values of a run: given ones checked
 * against their types, defaults filled; NULL with every problem in why */
json_t *run_params(const struct plan *p, const json_t *given, struct buf *why);
/* run_start: a new run; returns the exit status (0, 1, 130, or 2 for a
 * problem before anything ran) */
int run_start(struct plan *p, struct run_options *o);
/* run_resume: runs again what did not succeed in the run directory dir
 * (on Slurm when slurm is not NULL: a job per flow that did not succeed);
 * or, with flow_only >= 0, runs that one flow (the body of a Slurm job) */
int run_resume(const char *dir, int jobs, int verbose, long flow_only,
	       const struct run_options *slurm);
/* run_status: prints every flow and task of the run in dir */
int run_status(const char *dir);
/* run_result: prints the result of FLOW or FLOW/TASK as JSON */
int run_result(const char *dir, const char *what);

#endif

/* run.h: the driver of a run (docs/run.md): a new run or a resumed one
 * prepared in its run directory (lock, run.json, journal), its flows
 * handed to a backend as the flows they need end, its end recorded; and
 * the body of a job that runs one flow. It never exits past running work. */
#ifndef FLOWRUN_RUN_H
#define FLOWRUN_RUN_H

#include <jansson.h>

#include "container.h"
#include "files.h"
#include "limits.h"
#include "plan.h"

/* What a run is asked to do, from the command line. */
struct run_options {
	const char *run_dir;        /* where the run directory goes, or NULL for .flowrun/runs/<id> */
	const char *results_db;     /* store URL, or NULL for $FLOWRUN_RESULTS_DB or .flowrun/results.db */
	int jobs;                   /* tasks at once, 0 for the CPUs this process may use */
	int verbose;                /* copy task standard error to the terminal */
	json_t *params;             /* composed parameter values given (object), borrowed */
	const char *backend;        /* "local" or "slurm"; resume: NULL for the run's own */
	int detach;                 /* --detach: submit and return */
	const char *partition;      /* --partition, or NULL */
	const char **sbatch_args;   /* --sbatch-arg ARG, in order */
	size_t nsbatch_args;        /* number of sbatch_args */
	struct files files;         /* --filesystem NAME=DIR, owned */
	struct limits limits;       /* --max-depth, --max-result, --max-log */
	int limits_given;           /* resume: one of them was given */
	enum container_engine engine; /* --container-engine (or $FLOWRUN_CONTAINER_ENGINE) */
	int pull;                   /* --pull: pull an image that is missing */
	const char *reuse;          /* --reuse RUN_DIR: an earlier run whose successes are reused */
};

/* run_params: the composed parameter values of a run: given ones checked
 * against their types, defaults filled; NULL with every problem in why.
 * The names in unread (an object, or NULL) were given with values that
 * could not be read: they are neither missing nor checked. */
json_t *run_params(const struct plan *p, const json_t *given, const json_t *unread,
		   const struct limits *l, struct buf *why);
/* run_dry_reuse: what a run of p with o (o->reuse set) would reuse and
 * why each other task would run, printed; 0, or 2 with the problem said */
int run_dry_reuse(const struct plan *p, struct run_options *o);
/* run_start: a new run; returns the exit status (0, 1, 130, or 2 for a
 * problem before anything ran) */
int run_start(struct plan *p, struct run_options *o);
/* run_resume: runs again what did not succeed in the run directory dir
 * (o->backend, o->jobs, o->verbose apply, and o->limits if given) */
int run_resume(const char *dir, const struct run_options *o);
/* run_flow: the body of a job: flow f of the run in dir, in session */
int run_flow(const char *dir, size_t f, unsigned session);

#endif

/* reuse.h: what a new run takes from an earlier one (docs/run.md, "Reusing
 * an earlier run"): each task of the new plan is matched by its flow's and
 * its own name to a task that succeeded there, and reused when nothing it
 * needs runs, its key (key.h) is the one recorded there and the files its
 * result names are still there; otherwise it runs, for a reason said in
 * words. It decides before anything runs and changes nothing: the run
 * journals what it decided, a dry run prints it. */
#ifndef FLOWRUN_REUSE_H
#define FLOWRUN_REUSE_H

#include <jansson.h>

#include "container.h"
#include "files.h"
#include "key.h"
#include "plan.h"
#include "replay.h"
#include "rundir.h"
#include "store.h"

/* what the new run has to decide with; every pointer is borrowed */
struct reuse_env {
	const struct plan *plan;    /* the new plan */
	const json_t *inputs;       /* its composed parameter values, checked */
	const struct files *files;  /* its named filesystems */
	struct containers *containers; /* asked for its flows' images' ids, or NULL */
	/* the results store, for parameters mapped from a stored document:
	 * opened when first needed (NULL with why when it cannot be) */
	struct store *(*store)(void *ctx, struct buf *why);
	void *ctx;                  /* for store */
};

/* the decision for one task of the new plan */
struct reuse_task {
	int reused;                 /* 1: Cached with the earlier result */
	json_t *result;             /* that result (borrowed from the earlier run) */
	const char *image;          /* the id of the image it ran in there, or NULL (borrowed) */
	struct task_key key;        /* its key, when it was computed */
	char *reason;               /* why it runs (reused: NULL) */
};

/* an earlier run, read back, and the decisions taken against it */
struct reuse {
	char *dir;                  /* the earlier run's directory */
	struct plan plan;           /* the plan it ran */
	struct run_meta meta;       /* its run.json */
	struct replay replay;       /* its journal, results loaded */
	struct reuse_task **tasks;  /* [flow][task] of the new plan, once decided */
	const struct plan *decided; /* the new plan, once decided (borrowed) */
	size_t reused, ntasks;      /* tasks reused, and of the new plan */
};

/* reuse_open: the earlier run in dir, read; 0, or -1 with why (not a run
 * directory, a journal that cannot be read) */
int reuse_open(struct reuse *r, const char *dir, struct buf *why);
/* reuse_decide: decides for every task of env->plan, in the plan's order */
void reuse_decide(struct reuse *r, const struct reuse_env *env);
/* reuse_replay: the decisions as a run's replay for env's plan (reused
 * tasks Cached with their results), to free with replay_free */
void reuse_replay(const struct reuse *r, const struct plan *p, struct replay *out);
void reuse_free(struct reuse *r);

#endif

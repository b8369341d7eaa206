/* rundir.h: the run directory (docs/run.md): run.json read and written as
 * one struct, the plan beside it, the lock every writer holds, run ids. It
 * knows the layout, not what runs. */
#ifndef FLOWRUN_RUNDIR_H
#define FLOWRUN_RUNDIR_H

#include <jansson.h>

#include "container.h"
#include "files.h"
#include "limits.h"
#include "plan.h"
#include "util.h"

/* the run directory format this flowrun writes and reads (run.json's
 * "format"); the journal has its own version */
#define RUNDIR_FORMAT 2

/* run.json: everything resume needs, written before anything runs */
struct run_meta {
	char *run_id;               /* the run's name */
	char *plan_hash;            /* the plan's hash, as run */
	json_t *params;             /* composed parameter values (object), owned */
	json_t *filesystems;        /* {name: root} (object), owned */
	char *results_db;           /* the results store's URL */
	char *cwd;                  /* the directory flowrun was started in; tasks run there */
	char *backend;              /* "local" or "slurm": where the flows ran first */
	char *partition;            /* slurm: --partition, or NULL */
	char **sbatch_args;         /* slurm: --sbatch-arg values, in order */
	size_t nsbatch_args;        /* number of sbatch_args */
	struct limits limits;       /* the run's limits (defaults where run.json has none) */
	enum container_engine engine; /* what runs the tasks of flows with an image */
	int pull;                   /* 1: an image missing on a node is pulled */
};

/* rundir_write_meta: DIR/run.json, atomically; 0, or -1 with why */
int rundir_write_meta(const char *dir, const struct run_meta *m, struct buf *why);
/* rundir_read_meta: DIR/run.json; 0, or -1 with why (not a run directory,
 * or one of another format, named) */
int rundir_read_meta(const char *dir, struct run_meta *m, struct buf *why);
void rundir_free_meta(struct run_meta *m);
/* rundir_load: DIR's run.json and the plan it runs (plan.json); 0, or -1
 * with why (nothing is left to free then) */
int rundir_load(const char *dir, struct plan *p, struct run_meta *m, struct buf *why);
/* rundir_files: the named filesystems run.json records, added to fs; 0,
 * or -1 with why */
int rundir_files(const struct run_meta *m, struct files *fs, struct buf *why);

/* rundir_lock: takes DIR/lock (an fcntl write lock, which NFS honours) for
 * as long as this process runs, and writes "pid host" in it; 0, or -1 with
 * why naming the process that holds it. The descriptor is never closed
 * (closing any descriptor of the file would drop the lock). */
int rundir_lock(const char *dir, struct buf *why);
/* rundir_holder: 1 with "pid PID on HOST" in who when a live process holds
 * DIR's lock, 0 when none does */
int rundir_holder(const char *dir, struct buf *who);

/* the directory, under the directory flowrun is started in, where runs go
 * unless --run-dir says otherwise */
#define RUNDIR_RUNS ".flowrun/runs"

/* rundir_find: the run directory arg names: arg itself when it holds
 * run.json (or is not a run id), RUNDIR_RUNS/ARG for a run id there, the
 * newest run there for "latest"; to free, or NULL with why ("latest" with
 * no run) */
char *rundir_find(const char *arg, struct buf *why);
/* rundir_list: the run ids under RUNDIR_RUNS, newest first (by when each
 * wrote its plan.json, to the nanosecond); *n of them, an array to free
 * with each id */
char **rundir_list(size_t *n);

/* rundir_new_id: a new run id: local time and six random hex digits */
void rundir_new_id(char *out, size_t size);

/* rundir_unpack: a bundled plan's files, verified when p was read, written
 * read-only under DIR/bundle (which is removed first: what an earlier
 * session or a task left there goes); 0, or -1 with why */
int rundir_unpack(const char *dir, const struct plan *p, struct buf *why);
/* rundir_remove_tree: path and everything under it, links not followed
 * (a problem is said on standard error); 0 or -1 */
int rundir_remove_tree(const char *path);

/* rundir_path: DIR/NAME, to free */
char *rundir_path(const char *dir, const char *name);

#endif

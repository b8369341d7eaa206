/* run.c: the driver (docs/run.md): a run directory prepared and locked,
 * flows handed to the backend once the flows they need allow, outcomes
 * recorded, the run's end written; and run-flow, the body of a job that
 * runs one flow. Errors end the run through its journal, never exit(). */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "run.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend.h"
#include "journal.h"
#include "json_text.h"
#include "plan_format.h"
#include "proc.h"
#include "replay.h"
#include "reuse.h"
#include "rundir.h"
#include "schedule.h"
#include "signals.h"

json_t *run_params(const struct plan *p, const json_t *given, const json_t *unread,
		   const struct limits *l, struct buf *why)
{
	json_t *values = json_object();
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach((json_t *)given, key, v) {
		for (i = 0; i < p->ninputs; i++)
			if (strcmp(p->inputs[i].name, key) == 0)
				break;
		if (i == p->ninputs)
			buf_printf(why, "%sunknown parameter '%s'", why->len ? "\n" : "", key);
	}
	for (i = 0; i < p->ninputs; i++) {
		const struct plan_input *in = &p->inputs[i];
		struct buf bad = {0};

		if (json_object_get(unread, in->name))
			continue;
		v = json_object_get(given, in->name);
		if (!v && in->deflt)
			v = (json_t *)in->deflt;
		if (!v) {
			buf_printf(why, "%smissing parameter '%s' (%s)", why->len ? "\n" : "", in->name,
				   in->type_text);
			continue;
		}
		if (limits_check(v, l, in->name, &bad) != 0 ||
		    !type_check_value(in->type, v, in->name, &bad)) {
			buf_printf(why, "%sparameter %s", why->len ? "\n" : "", bad.data);
			buf_free(&bad);
			continue;
		}
		json_object_set(values, in->name, v);
	}
	if (why->len) {
		json_decref(values);
		return NULL;
	}
	return values;
}

/* cpus: how many CPUs this process may use: a Slurm job's allocation,
 * else the affinity mask, else the CPUs online */
static int cpus(void)
{
	const char *slurm = getenv("SLURM_CPUS_PER_TASK");
	cpu_set_t set;
	long n;

	if (!slurm)
		slurm = getenv("SLURM_CPUS_ON_NODE");
	if (slurm && atoi(slurm) > 0)
		return atoi(slurm);
	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

/* jobs_for: -j as asked (or the CPUs), lowered to what the limit of open
 * files allows */
static int jobs_for(int asked)
{
	int limit = proc_limit_fds(), jobs = asked > 0 ? asked : cpus();

	if (jobs > limit) {
		warn("-j %d lowered to %d: the limit of open files (ulimit -n) allows %d tasks at once",
		     jobs, limit, limit);
		jobs = limit;
	}
	return jobs;
}

/* ---- the driver ---- */

struct driver {
	const struct plan *plan;    /* what runs */
	const char *dir;            /* the run directory */
	const struct run_meta *meta;/* run.json */
	unsigned session;           /* this session */
	struct journal *journal;    /* this session's driver journal */
	const struct replay *before;/* earlier sessions */
	const struct backend_ops *ops; /* where flows run */
	struct backend *b;          /* its state */
	struct progress progress;   /* what is printed */
	enum run_state *st;         /* per flow: Pending, Running once started, then its outcome */
	size_t *waiting;            /* per flow: needs that do not yet allow it to start */
	struct plan_deps deps;      /* the flows that need each flow */
	size_t *ready;              /* flows that may start, in order */
	size_t nready, readycap;
	size_t unfinished;          /* flows without an outcome */
	char *error;                /* what ended the run early, or NULL */
};

static void set_error(struct driver *d, const char *why)
{
	if (!d->error)
		d->error = xstrdup(why && *why ? why : "unknown error");
}

/* skip_flow: flow f and its tasks not yet succeeded (before, or in its
 * unit: kept[t]) are journaled Skipped; how many tasks, or -1 with why */
static long skip_flow(struct journal *j, const struct plan *p, size_t f,
		      const struct replay *before, const unsigned char *kept, const char *reason,
		      struct buf *why)
{
	const struct plan_flow *pf = &p->flows[f];
	struct journal_event ev = {0};
	long n = 0;
	size_t t;

	ev.kind = JE_FLOW;
	ev.flow = (long)f;
	ev.flow_name = pf->name;
	ev.state = ST_SKIPPED;
	ev.reason = reason;
	if (journal_add(j, &ev, why) != 0)
		return -1;
	ev.kind = JE_TASK;
	ev.ms = -1;
	for (t = 0; t < pf->ntasks; t++) {
		if ((before && journal_state_ok(before->flows[f].tasks[t].st)) || (kept && kept[t]))
			continue;
		ev.task = (long)t;
		ev.task_name = pf->tasks[t].name;
		if (journal_add(j, &ev, why) != 0)
			return -1;
		n++;
	}
	return n;
}

/* record_skip: skip_flow in the driver's journal (the flow never ran, or
 * its unit died), counted and printed */
static void record_skip(struct driver *d, size_t f, const unsigned char *kept, const char *reason)
{
	struct buf why = {0};
	long n = skip_flow(d->journal, d->plan, f, d->before, kept, reason, &why);

	if (n < 0)
		set_error(d, why.data);
	else
		d->progress.skipped += (size_t)n;
	buf_free(&why);
	progress_flow(&d->progress, d->plan->flows[f].name, ST_SKIPPED, reason);
}

static void on_ended(void *ctx, size_t f, enum run_state st, const unsigned char *kept,
		     const char *reason)
{
	struct driver *d = ctx;
	size_t *stack = NULL, n = 0, cap = 0, k;

	if (journal_state_final(d->st[f]))
		return;
	d->st[f] = st;
	d->unfinished--;
	if (kept)
		record_skip(d, f, kept, reason);
	VEC_PUSH(stack, n, cap, f);
	while (n) {
		size_t g = stack[--n];

		for (k = d->deps.start[g]; k < d->deps.start[g + 1]; k++) {
			size_t h = d->deps.of[k];

			if (d->st[h] != ST_PENDING || d->ops->orders_flows)
				continue;
			if (journal_state_ok(d->st[g])) {
				if (--d->waiting[h] == 0)
					VEC_PUSH(d->ready, d->nready, d->readycap, h);
			} else if (d->st[g] != ST_CANCELLED) {
				d->st[h] = ST_SKIPPED;
				d->unfinished--;
				record_skip(d, h, NULL, "a flow it needs did not succeed");
				VEC_PUSH(stack, n, cap, h);
			}
		}
	}
	free(stack);
}

static void driver_init(struct driver *d)
{
	const struct plan *p = d->plan;
	size_t f, k;

	d->st = xcalloc(p->nflows, sizeof(*d->st));
	d->waiting = xcalloc(p->nflows, sizeof(*d->waiting));
	plan_flow_deps(p, &d->deps);
	/* a flow whose every task succeeded before keeps its results */
	d->unfinished = p->nflows;
	for (f = 0; f < p->nflows; f++)
		if (d->before && d->before->flows[f].done == p->flows[f].ntasks) {
			d->st[f] = ST_SUCCESS;
			d->unfinished--;
		}
	for (f = 0; f < p->nflows; f++) {
		if (d->st[f] != ST_PENDING)
			continue;
		for (k = 0; k < p->flows[f].nneeds; k++)
			if (d->st[p->flows[f].needs[k]] != ST_SUCCESS)
				d->waiting[f]++;
		if (!d->waiting[f])
			VEC_PUSH(d->ready, d->nready, d->readycap, f);
	}
}

static void driver_free(struct driver *d)
{
	free(d->st);
	free(d->waiting);
	plan_deps_free(&d->deps);
	free(d->ready);
	free(d->error);
}

/* start_ready: hands the ready flows to the backend; a backend that
 * orders flows itself may take their dependents at once */
static void start_ready(struct driver *d)
{
	size_t i, k;
	struct buf why = {0};

	for (i = 0; i < d->nready && !d->error && !sig_interrupted(); i++) {
		size_t f = d->ready[i];

		if (d->st[f] != ST_PENDING)
			continue;
		d->st[f] = ST_RUNNING;
		if (d->ops->start(d->b, f, &why) != 0) {
			set_error(d, why.data);
			break;
		}
		if (!d->ops->orders_flows)
			continue;
		for (k = d->deps.start[f]; k < d->deps.start[f + 1]; k++)
			if (--d->waiting[d->deps.of[k]] == 0)
				VEC_PUSH(d->ready, d->nready, d->readycap, d->deps.of[k]);
	}
	/* what was not started stays for the next turn */
	if (i && i < d->nready)
		memmove(d->ready, d->ready + i, (d->nready - i) * sizeof(*d->ready));
	d->nready -= i;
	buf_free(&why);
}

/* drive: runs the run to its end; the exit status */
static int drive(struct driver *d, int detach)
{
	struct buf why = {0};
	enum run_state end;
	int cancelled = 0, status;
	size_t f;

	driver_init(d);
	for (;;) {
		if (!cancelled && (sig_interrupted() || d->error)) {
			d->ops->cancel(d->b);
			cancelled = 1;
		}
		if (!cancelled)
			start_ready(d);
		if (!cancelled && d->error)
			continue;
		if (detach && !d->nready && !cancelled) {
			printf("run %s: submitted; follow it with: flowrun status %s\n", d->meta->run_id,
			       d->dir);
			status = 0;
			goto out;
		}
		if (!d->unfinished || !d->ops->busy(d->b)) {
			if (!d->unfinished || cancelled || !d->nready)
				break;
			continue;
		}
		if (d->ops->wait(d->b, &why) != 0 ||
		    (!d->error && journal_flush(d->journal, &why) != 0) ||
		    (!d->error && journal_unsynced_ms(d->journal) >= JOURNAL_SYNC_MS &&
		     journal_sync(d->journal, &why) != 0)) {
			set_error(d, why.data);
			buf_free(&why);
		}
	}
	if (d->error) {
		end = ST_FAILED;
	} else if (sig_interrupted()) {
		end = ST_CANCELLED;
	} else {
		for (f = 0; f < d->plan->nflows && d->st[f] == ST_SUCCESS; f++)
			;
		end = f == d->plan->nflows ? ST_SUCCESS : ST_FAILED;
	}
	{
		struct journal_event ev = {0};

		ev.kind = JE_END;
		ev.state = end;
		ev.reason = d->error;
		if (journal_add(d->journal, &ev, &why) != 0 || journal_sync(d->journal, &why) != 0) {
			if (!d->error)
				set_error(d, why.data);
			end = ST_FAILED;
		}
	}
	progress_summary(&d->progress, d->meta->run_id, end, d->error, d->dir);
	status = end == ST_SUCCESS ? 0 : end == ST_CANCELLED ? 130 : 1;
out:
	buf_free(&why);
	return status;
}

/* containers: what runs the tasks of p's flows that have an image (the
 * flow f's alone when f >= 0), or NULL when none has one */
static struct containers *containers(const struct plan *p, const struct run_meta *m, long f)
{
	size_t g;

	for (g = 0; g < p->nflows; g++)
		if (p->flows[g].image && (f < 0 || (size_t)f == g))
			return containers_new(m->engine, m->pull, m->run_id);
	return NULL;
}

/* guard_start: proc's guard for jobs tasks at once, with the command that
 * removes c's containers; 0, or -1 with why */
static int guard_start(size_t jobs, const struct containers *c, struct buf *why)
{
	char **cleanup = c ? containers_cleanup_argv(c) : NULL;
	int rc = proc_guard_start(jobs, cleanup, why);

	containers_argv_free(cleanup);
	return rc;
}

/* journal_reused: the tasks a new run reuses, Cached with their results,
 * and the flows that are done with them, Success; synced before any task
 * starts (a job body reads them back) */
static int journal_reused(struct driver *d, const struct reuse *r, struct buf *why)
{
	const struct plan *p = d->plan;
	size_t f, t;

	for (f = 0; f < p->nflows; f++) {
		struct journal_event ev = {0};
		size_t done = 0;

		ev.flow = (long)f;
		ev.flow_name = p->flows[f].name;
		for (t = 0; t < p->flows[f].ntasks; t++) {
			const struct reuse_task *rt = &r->tasks[f][t];

			if (!rt->reused)
				continue;
			ev.kind = JE_TASK;
			ev.task = (long)t;
			ev.task_name = p->flows[f].tasks[t].name;
			ev.state = ST_CACHED;
			ev.attempt = 1;
			ev.ms = 0;
			ev.key = rt->key.hex;
			ev.read = rt->key.read;
			ev.image = rt->image;
			/* flowrun clean keeps the cache entries runs refer to */
			ev.cache_key = p->flows[f].tasks[t].cache ? rt->key.hex : NULL;
			ev.result = rt->result;
			ev.reason = "reused";
			if (journal_add(d->journal, &ev, why) != 0)
				return -1;
			progress_task(&d->progress, p->flows[f].name, p->flows[f].tasks[t].name,
				      ST_CACHED, 1, "reused");
			done++;
		}
		if (done == p->flows[f].ntasks) {
			memset(&ev, 0, sizeof(ev));
			ev.kind = JE_FLOW;
			ev.flow = (long)f;
			ev.flow_name = p->flows[f].name;
			ev.state = ST_SUCCESS;
			if (journal_add(d->journal, &ev, why) != 0)
				return -1;
		}
	}
	progress_flush();
	return journal_sync(d->journal, why);
}

/* run_session: one session of the run in dir: its journal, its backend,
 * the driver; reused: what a new run takes from an earlier one (before is
 * then its replay), or NULL */
static int run_session(const struct plan *p, const char *dir, const struct run_meta *meta,
		       const struct replay *before, unsigned session, const char *backend,
		       struct store *store, const struct run_options *o, const struct reuse *reused)
{
	struct driver d = {0};
	struct backend_env env = {0};
	struct journal_event open = {0};
	struct files files = {0};
	struct buf why = {0};
	char *name;
	size_t f, ntasks = 0;
	int status;

	d.plan = p;
	d.dir = dir;
	d.meta = meta;
	d.session = session;
	d.before = before;
	d.ops = backend_find(backend);
	rundir_files(meta, &files, &why);
	/* a bundle's files, before the first task: anew each session */
	if (!why.len && p->nfiles)
		rundir_unpack(dir, p, &why);
	/* from here on the run directory holds a run: what stops it is a
	 * failed run (1), not a usage error */
	status = 1;
	env.jobs = d.ops->orders_flows ? 1 : jobs_for(o->jobs);
	/* tasks run here: in their images too */
	if (!d.ops->orders_flows)
		env.containers = containers(p, meta, -1);
	if (why.len || sig_setup(&why) != 0 ||
	    (!d.ops->orders_flows && guard_start((size_t)env.jobs, env.containers, &why) != 0)) {
		fprintf(stderr, "flowrun: %s\n", why.data);
		goto out;
	}
	/* what an earlier session's tasks left running (nothing of it lives) */
	if (session > 0 && env.containers)
		containers_remove_stale(env.containers, -1);
	open.kind = JE_OPEN;
	open.session = session;
	open.backend = backend;
	open.flow = -1;
	name = journal_name(session, -1, 0);
	d.journal = journal_create(dir, name, meta->run_id, &open, &why);
	free(name);
	if (!d.journal) {
		fprintf(stderr, "flowrun: %s\n", why.data);
		goto out;
	}
	for (f = 0; f < p->nflows; f++)
		ntasks += p->flows[f].ntasks;
	progress_init(&d.progress, ntasks);
	d.progress.done = before ? before->done : 0;
	env.plan = p;
	env.dir = dir;
	env.meta = meta;
	env.session = session;
	env.journal = d.journal;
	env.before = before;
	env.store = store;
	env.files = &files;
	env.verbose = o->verbose;
	env.progress = &d.progress;
	env.ended = on_ended;
	env.ctx = &d;
	d.b = d.ops->open(&env, &why);
	if (why.len) {
		set_error(&d, why.data);
		buf_free(&why);
	}
	if (session > 0)
		printf("run %s: resuming, %zu of %zu tasks already succeeded\n", meta->run_id,
		       before->done, ntasks);
	else if (reused)
		printf("run %s: %zu flows, %zu tasks (%zu reused from %s), %s; directory %s\n",
		       meta->run_id, p->nflows, ntasks, reused->reused, reused->dir, backend, dir);
	else
		printf("run %s: %zu flows, %zu tasks, %s; directory %s\n", meta->run_id, p->nflows,
		       ntasks, backend, dir);
	fflush(stdout);
	if (reused && !d.error && journal_reused(&d, reused, &why) != 0) {
		set_error(&d, why.data);
		buf_free(&why);
	}
	status = drive(&d, o->detach && d.ops->orders_flows);
	d.ops->close(d.b);
	if (journal_close(d.journal, &why) != 0 && status == 0) {
		fprintf(stderr, "flowrun: %s\n", why.data);
		status = 1;
	}
out:
	driver_free(&d);
	containers_free(env.containers);
	files_free(&files);
	buf_free(&why);
	return status;
}

/* holds_run: dir already holds a run (of this flowrun or an earlier one) */
static int holds_run(const char *dir)
{
	struct stat st;
	char *a = rundir_path(dir, "run.json"), *b = rundir_path(dir, "journal.jsonl");
	int held = stat(a, &st) == 0 || stat(b, &st) == 0;

	free(a);
	free(b);
	return held;
}

/* the store a dry run's decisions look documents up in, opened when first
 * needed (never made: a dry run writes nothing) */
struct lazy_store {
	const char *url;
	struct store *store;
};

static struct store *lazy_store(void *ctx, struct buf *why)
{
	struct lazy_store *l = ctx;

	if (!l->store && !store_exists(l->url))
		buf_printf(why, "there is no results store at %s", l->url);
	else if (!l->store)
		l->store = store_open(l->url, why);
	return l->store;
}

/* open_reuse: the earlier run o->reuse names (a directory, a run id,
 * latest), read into r; 0, or -1 with why */
static int open_reuse(const struct run_options *o, struct reuse *r, struct buf *why)
{
	char *found = rundir_find(o->reuse, why);
	int rc = found ? reuse_open(r, found, why) : -1;

	if (rc != 0)
		buf_puts(why, " (--reuse)");
	free(found);
	return rc;
}

/* decide_reuse: the decisions of a run of p with these parameter values,
 * filesystems and store (NULL: opened from o when needed) against the
 * earlier run r holds */
static void decide_reuse(const struct plan *p, const struct run_options *o, const json_t *params,
			 const struct files *files, struct store *store, struct reuse *r)
{
	struct reuse_env env = {0};
	struct lazy_store ls = {o->results_db, store};
	size_t f;

	env.plan = p;
	env.inputs = params;
	env.files = files;
	env.store = lazy_store;
	env.ctx = &ls;
	for (f = 0; f < p->nflows && !p->flows[f].image; f++)
		;
	/* what the run would run its tasks in: --pull applies as it would */
	if (f < p->nflows)
		env.containers = containers_new(o->engine, o->pull, "reuse");
	reuse_decide(r, &env);
	containers_free(env.containers);
	if (ls.store != store)
		store_close(ls.store);
}

/* default_local: the filesystem "local" is the directory flowrun runs in
 * unless given */
static void default_local(struct files *files, const char *cwd, struct buf *why)
{
	struct buf d = {0};

	if (files_root(files, "local"))
		return;
	buf_printf(&d, "local=%s", cwd);
	files_add(files, d.data, why);
	buf_free(&d);
}

/* store_url: the results store a run started here uses, to free */
static char *store_url(const struct run_options *o, const char *cwd)
{
	struct buf d = {0};
	const char *url = o->results_db ? o->results_db : getenv("FLOWRUN_RESULTS_DB");

	if (url)
		buf_puts(&d, url);
	else
		buf_printf(&d, "%s/.flowrun/results.db", cwd);
	return buf_steal(&d);
}

int run_dry_reuse(const struct plan *p, struct run_options *o)
{
	struct reuse r = {0};
	struct buf why = {0};
	const char *given = o->results_db;
	char *cwd = realpath(".", NULL), *url = NULL;
	json_t *params = run_params(p, o->params, NULL, &o->limits, &why);
	size_t f, t;
	int status = 2;

	if (!params) {
		fprintf(stderr, "flowrun: the parameters do not fit the plan:\n%s\n", why.data);
		goto out;
	}
	if (!cwd) {
		fprintf(stderr, "flowrun: cannot find the current directory: %s\n", strerror(errno));
		goto out;
	}
	default_local(&o->files, cwd, &why);
	url = store_url(o, cwd);
	o->results_db = url;
	if (why.len || open_reuse(o, &r, &why) != 0) {
		fprintf(stderr, "flowrun: %s\n", why.data);
		goto out;
	}
	decide_reuse(p, o, params, &o->files, NULL, &r);
	printf("reuse of %s (run %s):\n", r.dir, r.meta.run_id);
	for (f = 0; f < p->nflows; f++)
		for (t = 0; t < p->flows[f].ntasks; t++) {
			const struct reuse_task *d = &r.tasks[f][t];

			printf("  %s/%s: %s%s\n", p->flows[f].name, p->flows[f].tasks[t].name,
			       d->reused ? "reused" : "runs: ", d->reused ? "" : d->reason);
		}
	printf("%zu of %zu tasks reused, %zu run\n", r.reused, r.ntasks, r.ntasks - r.reused);
	status = 0;
out:
	reuse_free(&r);
	json_decref(params);
	free(cwd);
	free(url);
	o->results_db = given;
	buf_free(&why);
	return status;
}

int run_start(struct plan *p, struct run_options *o)
{
	struct reuse reused = {0};
	struct replay before = {0};
	struct run_meta meta = {0};
	struct buf why = {0}, d = {0};
	struct store *store = NULL;
	char id[64], *cwd = NULL, *dir = NULL, *path, *text, *url = NULL;
	size_t i;
	int status = 2, fresh_dir;

	meta.limits = o->limits;
	meta.engine = o->engine;
	meta.pull = o->pull;
	meta.params = run_params(p, o->params, NULL, &o->limits, &why);
	if (!meta.params) {
		fprintf(stderr, "flowrun: the parameters do not fit the plan:\n%s\n", why.data);
		goto out;
	}
	cwd = realpath(".", NULL);
	if (!cwd) {
		fprintf(stderr, "flowrun: cannot find the current directory: %s\n", strerror(errno));
		goto out;
	}
	default_local(&o->files, cwd, &why);
	/* an earlier run that cannot be read is refused before anything is made */
	if (o->reuse && open_reuse(o, &reused, &why) != 0) {
		fprintf(stderr, "flowrun: %s\n", why.data);
		goto out;
	}
	rundir_new_id(id, sizeof(id));
	if (o->run_dir)
		buf_puts(&d, o->run_dir);
	else
		buf_printf(&d, "%s/%s/%s", cwd, RUNDIR_RUNS, id);
	/* a run directory flowrun makes is its owner's alone (docs/run.md) */
	fresh_dir = access(d.data, F_OK) != 0;
	if (util_mkdirs(d.data) != 0 || (fresh_dir && chmod(d.data, 0700) != 0) ||
	    !(dir = realpath(d.data, NULL))) {
		fprintf(stderr, "flowrun: cannot make the run directory %s: %s\n", d.data,
			strerror(errno));
		goto out;
	}
	if (rundir_lock(dir, &why) != 0) {
		fprintf(stderr, "flowrun: %s\n", why.data);
		goto out;
	}
	if (holds_run(dir)) {
		fprintf(stderr, "flowrun: %s already holds a run; continue it with `flowrun resume %s`, "
			"or give another --run-dir\n", dir, dir);
		goto out;
	}
	url = store_url(o, cwd);
	store = store_open(url, &why);
	if (!store) {
		fprintf(stderr, "flowrun: %s\n", why.data);
		goto out;
	}
	meta.run_id = xstrdup(id);
	meta.plan_hash = xstrdup(p->hash);
	/* without a password: resume and job bodies take it from
	 * PGPASSWORD or ~/.pgpass (docs/run.md) */
	meta.results_db = store_url_public(url);
	meta.cwd = xstrdup(cwd);
	meta.backend = xstrdup(o->backend ? o->backend : "local");
	meta.partition = o->partition ? xstrdup(o->partition) : NULL;
	meta.sbatch_args = xcalloc(o->nsbatch_args + 1, sizeof(*meta.sbatch_args));
	for (i = 0; i < o->nsbatch_args; i++)
		meta.sbatch_args[meta.nsbatch_args++] = xstrdup(o->sbatch_args[i]);
	meta.filesystems = json_object();
	for (i = 0; i < o->files.n; i++)
		json_object_set_new(meta.filesystems, o->files.names[i], json_string(o->files.roots[i]));
	/* everything resume needs, before anything runs; the journal's
	 * directory first, so that a run killed before its first event can
	 * be resumed (an empty journal) */
	path = rundir_path(dir, "journal");
	if (util_mkdirs(path) != 0)
		buf_printf(&why, "cannot make %s: %s", path, strerror(errno));
	free(path);
	path = rundir_path(dir, "plan.json");
	text = json_text(p->root, PLAN_DUMP_FLAGS);
	if (!why.len && util_write_atomic(path, text, strlen(text), 0644) != 0)
		buf_printf(&why, "cannot write %s: %s", path, strerror(errno));
	free(text);
	free(path);
	if (why.len || rundir_write_meta(dir, &meta, &why) != 0) {
		fprintf(stderr, "flowrun: %s\n", why.data);
		goto out;
	}
	if (o->reuse) {
		decide_reuse(p, o, meta.params, &o->files, store, &reused);
		reuse_replay(&reused, p, &before);
	}
	status = run_session(p, dir, &meta, o->reuse ? &before : NULL, 0, meta.backend, store, o,
			     o->reuse ? &reused : NULL);
out:
	replay_free(&before);
	reuse_free(&reused);
	free(url);
	store_close(store);
	rundir_free_meta(&meta);
	free(cwd);
	free(dir);
	buf_free(&d);
	buf_free(&why);
	return status;
}

/* still_running: units of earlier sessions that may still run (their
 * flows have no outcome since): -1 with why naming them, else 0 */
static int still_running(const struct plan *p, const struct replay *r, struct buf *why)
{
	char **ids = xcalloc(p->nflows, sizeof(*ids)), **states = xcalloc(p->nflows, sizeof(*states));
	int *alive = xcalloc(p->nflows, sizeof(*alive)), rc;
	size_t f;

	rc = backend_units(r, ids, states, alive, why);
	for (f = 0; f < p->nflows; f++) {
		if (rc == 0 && alive[f]) {
			buf_printf(why, "%s%s (%s %s)", why->len ? ", " : "", p->flows[f].name, states[f],
				   ids[f]);
		}
		free(states[f]);
	}
	if (why->len)
		rc = -1;
	free(ids);
	free(states);
	free(alive);
	return rc;
}

int run_resume(const char *dir, const struct run_options *o)
{
	struct run_meta meta = {0};
	struct replay before = {0};
	struct store *store = NULL;
	struct buf why = {0};
	struct plan p = {0};
	const char *backend;
	int status = 2, loaded = 0;

	/* a directory that is not one of ours is refused before it is touched */
	if (rundir_load(dir, &p, &meta, &why) != 0 || rundir_lock(dir, &why) != 0) {
		fprintf(stderr, "flowrun: %s\n", why.data);
		rundir_free_meta(&meta);
		plan_free(&p);
		buf_free(&why);
		return 2;
	}
	if (replay_load(&before, dir, &p, 1, NULL, &why) != 0) {
		fprintf(stderr, "flowrun: %s\n", why.data);
		goto out;
	}
	loaded = 1;
	if (still_running(&p, &before, &why) != 0) {
		fprintf(stderr, "flowrun: %s: jobs of the run are still queued or running: %s; wait for "
			"them, or cancel them (scancel) first\n", dir, why.data);
		goto out;
	}
	if (o->limits_given) {
		/* the new limits are the run's from now on, job bodies included */
		meta.limits = o->limits;
		if (rundir_write_meta(dir, &meta, &why) != 0) {
			fprintf(stderr, "flowrun: %s\n", why.data);
			goto out;
		}
	}
	backend = o->backend ? o->backend : meta.backend;
	if (!backend_find(backend)) {
		fprintf(stderr, "flowrun: %s: unknown backend '%s'\n", dir, backend);
		goto out;
	}
	if (chdir(meta.cwd) != 0) {
		fprintf(stderr, "flowrun: cannot enter the run's directory %s: %s\n", meta.cwd,
			strerror(errno));
		goto out;
	}
	store = store_open(meta.results_db, &why);
	if (!store) {
		fprintf(stderr, "flowrun: %s\n", why.data);
		goto out;
	}
	{
		/* numbered after the files, not the events: a session file left
		 * without a whole line (a crash as it was made) keeps its number */
		long next = journal_next_session(dir, &why);

		if (next < 0) {
			fprintf(stderr, "flowrun: %s\n", why.data);
			goto out;
		}
		status = run_session(&p, dir, &meta, &before, (unsigned)next, backend, store, o, NULL);
	}
out:
	if (loaded)
		replay_free(&before);
	store_close(store);
	rundir_free_meta(&meta);
	plan_free(&p);
	buf_free(&why);
	return status;
}

/* ---- the body of a job ---- */

struct body {
	int ended;                  /* the flow reached an outcome */
	enum run_state st;          /* which */
};

static void body_ended(void *ctx, size_t f, enum run_state st)
{
	struct body *b = ctx;

	(void)f;
	b->ended = 1;
	b->st = st;
}

/* parents_ok: every flow f needs succeeded (Slurm counts a dependency on
 * a job it forgot as satisfied: the journal decides) */
static int parents_ok(const struct plan *p, const struct replay *r, size_t f)
{
	size_t k;

	for (k = 0; k < p->flows[f].nneeds; k++)
		if (r->flows[p->flows[f].needs[k]].done != p->flows[p->flows[f].needs[k]].ntasks)
			return 0;
	return 1;
}

int run_flow(const char *dir, size_t f, unsigned session)
{
	struct run_meta meta = {0};
	struct replay before = {0};
	struct sched_config c = {0};
	struct journal_event open = {0};
	struct journal *j = NULL;
	struct progress progress;
	struct files files = {0};
	struct buf why = {0}, cache = {0};
	struct body body = {0};
	struct sched *s = NULL;
	struct plan p = {0};
	unsigned char *only = NULL;
	const char *job = getenv("SLURM_JOB_ID");
	unsigned k;
	size_t g, t;
	int status = 2, loaded = 0, cancelled = 0;

	if (rundir_load(dir, &p, &meta, &why) != 0)
		goto out;
	if (f >= p.nflows) {
		buf_printf(&why, "the plan has no flow %zu", f);
		goto out;
	}
	/* what this flow needs: its own files and those of its parents */
	only = xcalloc(p.nflows, 1);
	only[f] = 1;
	for (g = 0; g < p.flows[f].nneeds; g++)
		only[p.flows[f].needs[g]] = 1;
	if (replay_load(&before, dir, &p, 1, only, &why) != 0)
		goto out;
	loaded = 1;
	rundir_files(&meta, &files, &why);
	c.jobs = jobs_for(0);
	c.containers = containers(&p, &meta, (long)f);
	if (why.len || chdir(meta.cwd) != 0 || sig_setup(&why) != 0 ||
	    guard_start((size_t)c.jobs, c.containers, &why) != 0) {
		if (!why.len)
			buf_printf(&why, "cannot enter %s: %s", meta.cwd, strerror(errno));
		goto out;
	}
	open.kind = JE_OPEN;
	open.session = session;
	open.flow = (long)f;
	open.flow_name = p.flows[f].name;
	open.unit = job;
	/* a job Slurm runs again writes a file of its own */
	for (k = 0; !j && k < 1000; k++) {
		char *name = journal_name(session, (long)f, k);

		buf_free(&why);
		j = journal_create(dir, name, meta.run_id, &open, &why);
		free(name);
		if (!j && errno != EEXIST)
			break;
	}
	if (!j)
		goto out;
	buf_free(&why);
	progress_init(&progress, p.flows[f].ntasks);
	progress.done = before.flows[f].done;
	printf("run %s: flow %s in job %s\n", meta.run_id, p.flows[f].name, job ? job : "(none)");
	fflush(stdout);
	if (!parents_ok(&p, &before, f)) {
		skip_flow(j, &p, f, &before, NULL, "a flow it needs did not succeed", &why);
		progress_flow(&progress, p.flows[f].name, ST_SKIPPED, "a flow it needs did not succeed");
		status = 1;
		goto out;
	}
	/* what the flow's earlier jobs left running (resume found none alive) */
	if (session > 0 && c.containers)
		containers_remove_stale(c.containers, (long)f);
	buf_printf(&cache, "%s/.flowrun/cache", meta.cwd);
	c.plan = &p;
	c.dir = dir;
	c.run_id = meta.run_id;
	c.inputs = meta.params;
	c.journal = j;
	c.results_db = meta.results_db;
	c.files = &files;
	c.cache_dir = cache.data;
	c.limits = &meta.limits;
	c.progress = &progress;
	c.session = session;
	c.before = &before;
	c.flow_ended = body_ended;
	c.ctx = &body;
	s = sched_new(&c);
	for (g = 0; g < p.nflows; g++)
		for (t = 0; t < p.flows[g].ntasks; t++)
			if (journal_state_ok(before.flows[g].tasks[t].st))
				sched_restore(s, g, t, before.flows[g].tasks[t].result);
	sched_start_flow(s, f);
	for (;;) {
		if (!cancelled && (sig_interrupted() || sched_error(s))) {
			sched_cancel(s);
			cancelled = 1;
		}
		if (body.ended || !sched_busy(s))
			break;
		sched_wait(s);
	}
	if (sched_error(s))
		buf_puts(&why, sched_error(s));
	status = sched_error(s) ? 1 : body.ended ? (journal_state_ok(body.st) ? 0 : 1) : 130;
out:
	if (j && journal_close(j, &why) != 0 && status == 0)
		status = 1;
	if (why.len)
		fprintf(stderr, "flowrun: %s\n", why.data);
	sched_free(s);
	containers_free(c.containers);
	if (loaded)
		replay_free(&before);
	files_free(&files);
	rundir_free_meta(&meta);
	plan_free(&p);
	free(only);
	buf_free(&why);
	buf_free(&cache);
	return status;
}

/* schedule.c: the scheduler (docs/run.md, "What runs"). Each task keeps a
 * count of its needs that have not succeeded; a task whose count reaches
 * zero joins the ready queue; deadlines live in a timer heap. An event
 * touches only what it changes, so a turn costs O(log n) plus the running
 * processes, whatever the size of the plan. Processes are proc's business;
 * events are the journal's. */
#include "schedule.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "builtins.h"
#include "cache.h"
#include "capture.h"
#include "json_text.h"
#include "key.h"
#include "proc.h"
#include "rundir.h"
#include "signals.h"
#include "tmpl.h"

extern char **environ;

/* milliseconds between SIGTERM and SIGKILL for a task being stopped */
#define KILL_GRACE_MS 5000
/* how long the pipes of a process that exited may stay open (a child it
 * left behind holding them) before the task ends anyway */
#define DRAIN_GRACE_MS 2000
/* bytes of a task's standard output held in memory; past them it goes to
 * its file (a result that large is read back from there) */
#define OUT_MEM 65536
/* bytes of a task's standard error kept for its failure reason */
#define ERR_TAIL 512
/* -v: the longest piece of a task's standard error held while waiting for
 * the end of its line */
#define ERR_LINE_MAX 65536
/* how long the end of a task killed by a signal that stops a run
 * (SIGTERM, SIGINT, SIGHUP) that flowrun did not send waits for flowrun to
 * receive it too: a cancelled Slurm job's processes are all signalled at
 * once, and a task may die of it before flowrun hears of it (or a task's
 * shell reports it as 128 + N once its command did). A task so stopped
 * with the run is Cancelled, not Failed. */
#define STOP_GRACE_MS 250
/* the longest single wait, so that a clock jump cannot stall the loop */
#define MAX_WAIT_MS 60000

struct task_state {
	unsigned char st;           /* enum run_state */
	unsigned char restored;     /* succeeded in an earlier session */
	int attempt;                /* attempts started, 1 for the first */
	unsigned gen;               /* bumped at each start: older timers are stale */
	int job;                    /* its slot in jobs[] while its process runs, else -1 */
	size_t waiting;             /* needs that have not succeeded */
};

struct flow_state {
	enum run_state st;          /* Pending, Running, then Success, Failed or Skipped */
	json_t **params;            /* its parameter values once Running */
	json_t **results;           /* each task's result once it succeeded, else NULL */
	struct task_state *tasks;   /* one per plan task */
	size_t unsettled;           /* tasks without an outcome */
	size_t done;                /* tasks Success or Cached */
	struct plan_deps deps;      /* the tasks that need each task */
	const char *image_id;       /* the id of its image once asked (containers') */
};

/* a process running for a task */
struct job {
	int used;                   /* the slot is taken */
	size_t flow, task;          /* whose */
	struct proc proc;           /* the process */
	struct capture out;         /* its standard output */
	struct capture err;         /* its standard error, in its file from the first byte */
	struct buf err_line;        /* -v: a line of standard error not yet complete */
	struct buf err_tail;        /* the last bytes of its standard error */
	int exited;                 /* reaped; it ends once its pipes are drained too */
	int timed_out;              /* stopped for its timeout */
	int cancelled;              /* stopped by sched_cancel */
	long long settle_ms;        /* once exited: not ended before this (STOP_GRACE_MS) */
	long long start_ms;         /* when it started */
	struct task_key key;        /* the key of its inputs (journaled with its result) */
	char *container;            /* the name of its container, or NULL */
};

enum timer_kind { TIMER_TIMEOUT, TIMER_KILL, TIMER_RETRY, TIMER_DRAIN, TIMER_SETTLE };

struct timer {
	long long when;             /* monotonic ms */
	size_t flow, task;          /* whose */
	unsigned gen;               /* the task's gen when set; another gen means stale */
	enum timer_kind kind;       /* what to do */
};

struct ready {
	size_t flow, task;
};

struct sched {
	struct sched_config c;      /* what it was given */
	struct flow_state *flows;   /* one per plan flow */
	struct job *jobs;           /* c.jobs slots */
	int *free_slots;            /* slots not used, a stack */
	int nfree;                  /* number of free_slots */
	struct ready *queue;        /* ready tasks, first in first out, from qhead */
	size_t qhead, qlen, qcap;
	struct timer *heap;         /* deadlines, earliest first */
	size_t nheap, heapcap;
	struct store *store;        /* the results store, opened when first needed */
	char **env;                 /* environ without FLOWRUN_RESULT, then two more slots */
	size_t nenv;                /* entries of env taken from environ */
	struct pollfd *pfds;        /* built each turn */
	int *pfd_job;               /* the job of each pfds entry, -1 for the wake pipe */
	size_t pfdcap;
	char *error;                /* what ended the run, or NULL */
	int cancelling;             /* sched_cancel was called */
	char *cwd;                  /* where tasks run (a container binds it) */
	char **binds;               /* what else a container binds: the filesystem
				     * roots, the run directory's tasks and bundle */
	size_t nbinds;
	char *bundle_dir;           /* where a bundled plan's files are (absolute), or NULL */
};

/* job_clear: a slot without a process (the rest zero) */
static void job_clear(struct job *job)
{
	job->proc.out_fd = job->proc.err_fd = -1;
	job->out.fd = job->err.fd = -1;
}

/* ---- queue and timers ---- */

static void enqueue(struct sched *s, size_t f, size_t t)
{
	struct ready r = {f, t};

	if (s->qhead && s->qhead == s->qlen)
		s->qhead = s->qlen = 0;
	VEC_PUSH(s->queue, s->qlen, s->qcap, r);
}

static void timer_add(struct sched *s, long long when, size_t f, size_t t, enum timer_kind kind)
{
	struct timer tm = {when, f, t, s->flows[f].tasks[t].gen, kind};
	size_t i;

	VEC_PUSH(s->heap, s->nheap, s->heapcap, tm);
	for (i = s->nheap - 1; i > 0 && s->heap[(i - 1) / 2].when > tm.when; i = (i - 1) / 2)
		s->heap[i] = s->heap[(i - 1) / 2];
	s->heap[i] = tm;
}

static struct timer timer_pop(struct sched *s)
{
	struct timer top = s->heap[0], last = s->heap[--s->nheap];
	size_t i = 0, kid;

	while ((kid = 2 * i + 1) < s->nheap) {
		if (kid + 1 < s->nheap && s->heap[kid + 1].when < s->heap[kid].when)
			kid++;
		if (s->heap[kid].when >= last.when)
			break;
		s->heap[i] = s->heap[kid];
		i = kid;
	}
	if (s->nheap)
		s->heap[i] = last;
	return top;
}

/* ---- events ---- */

static void set_error(struct sched *s, const char *why)
{
	if (!s->error)
		s->error = xstrdup(why);
}

static const struct plan_flow *pflow(const struct sched *s, size_t f)
{
	return &s->c.plan->flows[f];
}

/* journal_task: task t of flow f's state; k: the key its Success or
 * Cached was reached with, or NULL */
static void journal_task(struct sched *s, size_t f, size_t t, const char *reason, long long ms,
			 const struct task_key *k)
{
	const struct task_state *ts = &s->flows[f].tasks[t];
	struct journal_event ev = {0};
	struct buf why = {0};

	ev.kind = JE_TASK;
	ev.flow = (long)f;
	ev.flow_name = pflow(s, f)->name;
	ev.task = (long)t;
	ev.task_name = pflow(s, f)->tasks[t].name;
	ev.state = (enum run_state)ts->st;
	ev.attempt = ts->attempt;
	ev.ms = ms;
	ev.reason = reason;
	if (pflow(s, f)->tasks[t].kind != TASK_BUILTIN)
		ev.image = s->flows[f].image_id;
	if (journal_state_ok(ev.state)) {
		ev.result = s->flows[f].results[t];
		if (k && k->hex[0]) {
			ev.key = k->hex;
			ev.read = k->read;
			/* flowrun clean keeps the cache entries runs refer to */
			if (pflow(s, f)->tasks[t].cache)
				ev.cache_key = k->hex;
		}
	}
	if (journal_add(s->c.journal, &ev, &why) != 0)
		set_error(s, why.data);
	buf_free(&why);
}

static void journal_flow(struct sched *s, size_t f, const char *reason)
{
	struct journal_event ev = {0};
	struct buf why = {0};

	ev.kind = JE_FLOW;
	ev.flow = (long)f;
	ev.flow_name = pflow(s, f)->name;
	ev.state = s->flows[f].st;
	ev.reason = reason;
	if (journal_add(s->c.journal, &ev, &why) != 0)
		set_error(s, why.data);
	buf_free(&why);
}

/* flush: what was printed and journaled goes out; the journal is synced
 * once its oldest event waited JOURNAL_SYNC_MS. After an error the journal
 * is left alone (the driver tries once more to record the end). */
static void flush(struct sched *s)
{
	struct buf why = {0};

	progress_flush();
	if (s->error)
		return;
	if (journal_flush(s->c.journal, &why) != 0)
		set_error(s, why.data);
	else if (journal_unsynced_ms(s->c.journal) >= JOURNAL_SYNC_MS &&
		 journal_sync(s->c.journal, &why) != 0)
		set_error(s, why.data);
	buf_free(&why);
}

/* ---- outcomes ---- */

static void finish_flow(struct sched *s, size_t f)
{
	struct flow_state *fs = &s->flows[f];

	fs->st = fs->done == pflow(s, f)->ntasks ? ST_SUCCESS : ST_FAILED;
	journal_flow(s, f, NULL);
	if (s->c.flow_ended)
		s->c.flow_ended(s->c.ctx, f, fs->st);
}

/* note: task t of flow f is now in state st: journaled, counted (an
 * outcome or Cancelled) and printed */
static void note(struct sched *s, size_t f, size_t t, enum run_state st, const char *reason,
		 long long ms, const struct task_key *k)
{
	struct task_state *ts = &s->flows[f].tasks[t];

	ts->st = (unsigned char)st;
	journal_task(s, f, t, reason, ms, k);
	progress_count(s->c.progress, st);
	progress_task(s->c.progress, pflow(s, f)->name, pflow(s, f)->tasks[t].name, st, ts->attempt,
		      reason);
}

/* settle: task t of flow f reached an outcome; its dependents hear of it
 * (and are Skipped in turn when it did not succeed); k: the key of a
 * Success or Cached, or NULL */
static void settle(struct sched *s, size_t f, size_t t, enum run_state st, const char *reason,
		   json_t *result, long long ms, const struct task_key *key)
{
	struct flow_state *fs = &s->flows[f];
	size_t *stack = NULL, nstack = 0, cap = 0, k;

	fs->results[t] = result;
	note(s, f, t, st, reason, ms, key);
	VEC_PUSH(stack, nstack, cap, t);
	while (nstack) {
		size_t u = stack[--nstack];
		int ok = journal_state_ok((enum run_state)fs->tasks[u].st);

		fs->unsettled--;
		fs->done += ok;
		for (k = fs->deps.start[u]; k < fs->deps.start[u + 1]; k++) {
			size_t d = fs->deps.of[k];
			struct task_state *ds = &fs->tasks[d];

			if (ds->st != ST_PENDING)
				continue;
			if (ok) {
				if (--ds->waiting == 0)
					enqueue(s, f, d);
				continue;
			}
			note(s, f, d, ST_SKIPPED, "a task it needs did not succeed", -1, NULL);
			VEC_PUSH(stack, nstack, cap, d);
		}
	}
	free(stack);
	if (fs->unsettled == 0)
		finish_flow(s, f);
}

/* fail_attempt: a failed attempt is Retrying when attempts are left */
static void fail_attempt(struct sched *s, size_t f, size_t t, const char *why, long long ms)
{
	const struct plan_task *pt = &pflow(s, f)->tasks[t];
	struct task_state *ts = &s->flows[f].tasks[t];

	if (ts->attempt <= pt->retries) {
		note(s, f, t, ST_RETRYING, why, ms, NULL);
		timer_add(s, progress_ms() + pt->retry_delay_ms, f, t, TIMER_RETRY);
		return;
	}
	settle(s, f, t, ST_FAILED, why, NULL, ms, NULL);
}

/* succeed: a result, checked against the task's type; k: the key of the
 * inputs it was made from */
static void succeed(struct sched *s, size_t f, size_t t, json_t *result, const struct task_key *k,
		    long long ms)
{
	const struct plan_task *pt = &pflow(s, f)->tasks[t];
	struct buf why = {0};

	if (limits_check(result, s->c.limits, "the result", &why) != 0 ||
	    !type_check_value(pt->result, result, "result", &why)) {
		json_decref(result);
		fail_attempt(s, f, t, why.data, ms);
		buf_free(&why);
		return;
	}
	if (pt->cache && k->hex[0] && cache_put(s->c.cache_dir, k->hex, result, &why) != 0)
		warn("%s/%s: not cached: %s", pflow(s, f)->name, pt->name, why.data);
	buf_free(&why);
	settle(s, f, t, ST_SUCCESS, NULL, result, ms, k);
}

/* ---- starting ---- */

static struct store *get_store(struct sched *s, struct buf *why)
{
	if (s->c.store)
		return s->c.store;
	if (!s->store)
		s->store = store_open(s->c.results_db, why);
	return s->store;
}

/* task_file: DIR/tasks/FLOW.TASK.WHAT, to free */
static char *task_file(const struct sched *s, size_t f, size_t t, const char *what)
{
	struct buf b = {0};

	buf_printf(&b, "%s/tasks/%s.%s.%s", s->c.dir, pflow(s, f)->name, pflow(s, f)->tasks[t].name,
		   what);
	return buf_steal(&b);
}

static void free_strings(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* key_of: the key of task t of flow f given scope; 0, or -1 with why */
static int key_of(struct sched *s, size_t f, size_t t, const struct tmpl_scope *scope,
		  struct task_key *k, struct buf *why)
{
	const struct plan_task *pt = &pflow(s, f)->tasks[t];
	/* built-ins run in flowrun, never in the image */
	struct key_in in = {s->c.plan, pflow(s, f), pt, scope, s->c.files,
			    pt->kind == TASK_BUILTIN ? NULL : s->flows[f].image_id};

	return key_task(&in, k, why);
}

/* from_cache: a cache: true task whose key has a result there is settled
 * Cached */
static int from_cache(struct sched *s, size_t f, size_t t, const struct task_key *k)
{
	const struct plan_task *pt = &pflow(s, f)->tasks[t];
	struct buf why = {0};
	json_t *hit = cache_get(s->c.cache_dir, k->hex);

	if (!hit || !type_check_value(pt->result, hit, "result", &why)) {
		json_decref(hit);
		buf_free(&why);
		return 0;
	}
	settle(s, f, t, ST_CACHED, NULL, hit, 0, k);
	return 1;
}

/* keep_logs: before an attempt of task t of flow f starts, the output
 * files of the attempt before it are kept under that attempt's session and
 * number (FLOW.TASK.S.A.stdout, .stderr: docs/run.md), and its result file
 * goes, so that it cannot pass for this attempt's */
static void keep_logs(struct sched *s, size_t f, size_t t)
{
	static const char *const logs[] = {"stdout", "stderr"};
	const struct task_state *ts = &s->flows[f].tasks[t];
	unsigned session = s->c.session;
	int attempt = ts->attempt - 1;
	char *path = task_file(s, f, t, "result.out");
	size_t i;

	unlink(path);
	free(path);
	if (attempt < 1 && s->c.before && s->c.before->flows[f].tasks[t].ran_attempt > 0) {
		session = s->c.before->flows[f].tasks[t].ran_session;
		attempt = s->c.before->flows[f].tasks[t].ran_attempt;
	}
	for (i = 0; i < sizeof(logs) / sizeof(logs[0]); i++) {
		struct buf kept = {0};
		char *latest = task_file(s, f, t, logs[i]), *to;

		buf_printf(&kept, "%u.%d.%s", session, attempt, logs[i]);
		to = task_file(s, f, t, kept.data);
		/* an attempt the journal does not know (killed before its event)
		 * leaves nothing worth a name: it goes */
		if (attempt < 1 || rename(latest, to) != 0)
			unlink(latest);
		free(latest);
		free(to);
		buf_free(&kept);
	}
}

/* in_container: argv wrapped in the container engine's command line that
 * runs it in flow f's image, with the task's own env (the first nenv of
 * env); NULL with why */
static char **in_container(struct sched *s, size_t f, size_t t, char **argv, char **env,
			   size_t nenv, int input, char **name, struct buf *why)
{
	struct container_task ct = {0};

	ct.image = pflow(s, f)->image;
	ct.image_id = s->flows[f].image_id;
	ct.argv = argv;
	ct.cwd = s->cwd;
	ct.mounts = s->binds;
	ct.nmounts = s->nbinds;
	ct.env = env;
	ct.nenv = nenv;
	ct.input = input;
	ct.network = pflow(s, f)->network;
	ct.flow = f;
	ct.task = t;
	ct.attempt = s->flows[f].tasks[t].attempt;
	return containers_argv(s->c.containers, &ct, name, why);
}

/* start_process: a run or shell task's process */
static void start_process(struct sched *s, size_t f, size_t t, const struct tmpl_scope *scope,
			  const json_t *with)
{
	const struct plan_task *pt = &pflow(s, f)->tasks[t];
	struct task_state *ts = &s->flows[f].tasks[t];
	struct buf why = {0}, envbuf = {0};
	char **argv = NULL, **env = NULL, *result_path = task_file(s, f, t, "result.out");
	char *input = NULL, *input_path = NULL, **wrapped = NULL, *container = NULL;
	struct task_key key = {"", NULL};
	size_t argc = 0, cap = 0, nenv = 0, envcap = 0, nown, i;
	struct proc_spec spec = {0};
	struct job *job;
	int slot;

	if (pt->kind == TASK_RUN) {
		const json_t *a;

		json_array_foreach(pt->argv, i, a) {
			char *text = tmpl_text(a, scope, &why);

			if (!text)
				break;
			VEC_PUSH(argv, argc, cap, text);
		}
	} else {
		VEC_PUSH(argv, argc, cap, xstrdup("/bin/sh"));
		VEC_PUSH(argv, argc, cap, xstrdup("-c"));
		VEC_PUSH(argv, argc, cap, xstrdup(pt->script));
	}
	/* env: what the task sets (its own, to free), then flowrun's
	 * (shared, not copied) but for the names the task sets */
	buf_printf(&envbuf, "FLOWRUN_RESULT=%s", result_path);
	VEC_PUSH(env, nenv, envcap, buf_steal(&envbuf));
	if (!why.len) {
		const char *key_name;
		const json_t *tv;

		json_object_foreach((json_t *)pt->env, key_name, tv) {
			char *text = tmpl_text(tv, scope, &why);

			if (!text)
				break;
			buf_printf(&envbuf, "%s=%s", key_name, text);
			VEC_PUSH(env, nenv, envcap, buf_steal(&envbuf));
			free(text);
		}
	}
	nown = nenv;
	for (i = 0; i < s->nenv; i++) {
		size_t name = strcspn(s->env[i], "="), k;

		for (k = 0; k < nown; k++)
			if (strncmp(env[k], s->env[i], name + 1) == 0)
				break;
		if (k == nown)
			VEC_PUSH(env, nenv, envcap, s->env[i]);
	}
	VEC_PUSH(env, nenv, envcap, NULL);
	VEC_PUSH(argv, argc, cap, NULL);
	argc--;
	if (!why.len && pflow(s, f)->image && !s->flows[f].image_id)
		s->flows[f].image_id = containers_image(s->c.containers, pflow(s, f)->image, &why);
	if (!why.len)
		key_of(s, f, t, scope, &key, &why);
	if (why.len) {
		fail_attempt(s, f, t, why.data, 0);
		goto out;
	}
	if (pt->cache && from_cache(s, f, t, &key))
		goto out;
	if (pflow(s, f)->image &&
	    !(wrapped = in_container(s, f, t, argv, env, nown, with != NULL, &container, &why))) {
		fail_attempt(s, f, t, why.data, 0);
		goto out;
	}
	if (!s->c.fresh || ts->attempt > 1)
		keep_logs(s, f, t);
	spec.argv = wrapped ? wrapped : argv;
	spec.envp = env;
	if (with) {
		input = json_text(with, JSON_COMPACT | JSON_ENCODE_ANY);
		input_path = task_file(s, f, t, "with.json");
		spec.input = input;
		spec.ninput = strlen(input);
		spec.input_file = input_path;
	}
	slot = s->free_slots[--s->nfree];
	job = &s->jobs[slot];
	if (proc_start(&job->proc, (size_t)slot, &spec, &why) != 0) {
		s->nfree++;
		fail_attempt(s, f, t, why.data, 0);
		goto out;
	}
	job->used = 1;
	job->flow = f;
	job->task = t;
	capture_init(&job->out, task_file(s, f, t, "stdout"), OUT_MEM, s->c.limits->log);
	capture_init(&job->err, task_file(s, f, t, "stderr"), 0, s->c.limits->log);
	job->exited = job->timed_out = job->cancelled = 0;
	job->start_ms = progress_ms();
	job->key = key;
	job->container = container;
	key.read = NULL;
	container = NULL;
	ts->job = slot;
	s->c.progress->running++;
	note(s, f, t, ST_RUNNING, NULL, -1, NULL);
	if (pt->timeout_ms)
		timer_add(s, job->start_ms + pt->timeout_ms, f, t, TIMER_TIMEOUT);
out:
	key_clear(&key);
	free(container);
	containers_argv_free(wrapped);
	free(input);
	free(input_path);
	free(result_path);
	free_strings(argv, argc);
	for (i = 0; i < nown; i++)
		free(env[i]);
	free(env);
	buf_free(&why);
}

/* start_task: a built-in runs here and now; a run or shell task starts as
 * a process */
static void start_task(struct sched *s, size_t f, size_t t)
{
	const struct plan_task *pt = &pflow(s, f)->tasks[t];
	struct task_state *ts = &s->flows[f].tasks[t];
	struct tmpl_scope scope = {s->flows[f].params, s->flows[f].results, s->bundle_dir};
	struct buf why = {0};
	json_t *with = NULL;

	ts->attempt++;
	ts->gen++;
	ts->st = ST_RUNNING;
	if (pt->with && (with = tmpl_value(pt->with, &scope, &why)) != NULL)
		limits_check(with, s->c.limits, "with", &why);
	if (why.len) {
		fail_attempt(s, f, t, why.data, 0);
	} else if (pt->kind == TASK_BUILTIN) {
		int needs_store = strstr(pt->builtin, "_db_") != NULL;
		struct builtin_ctx bc = {s->c.files, NULL, s->c.run_id, pflow(s, f)->name,
					 pflow(s, f)->project, s->c.limits};
		long long t0 = progress_ms();
		struct task_key key = {"", NULL};
		json_t *result = NULL;

		note(s, f, t, ST_RUNNING, NULL, -1, NULL);
		if (key_of(s, f, t, &scope, &key, &why) == 0 &&
		    (!needs_store || (bc.store = get_store(s, &why)) != NULL))
			result = builtin_run(&bc, pt->builtin, with, &why);
		if (result)
			succeed(s, f, t, result, &key, progress_ms() - t0);
		else
			fail_attempt(s, f, t, why.data, progress_ms() - t0);
		key_clear(&key);
	} else {
		start_process(s, f, t, &scope, with);
	}
	json_decref(with);
	buf_free(&why);
}

/* start_ready: what the queue holds, while slots are free */
static void start_ready(struct sched *s)
{
	while (s->qhead < s->qlen && !s->cancelling && !s->error) {
		struct ready r = s->queue[s->qhead];
		const struct plan_task *pt = &pflow(s, r.flow)->tasks[r.task];

		struct buf why = {0};

		if (pt->kind != TASK_BUILTIN && s->nfree == 0)
			break;
		/* what a built-in just settled is in the file before its
		 * dependents start */
		if (journal_flush(s->c.journal, &why) != 0) {
			set_error(s, why.data);
			buf_free(&why);
			break;
		}
		s->qhead++;
		start_task(s, r.flow, r.task);
	}
}

/* ---- ending ---- */

/* collect: the result of a process that exited 0; from_stdout says where
 * it came from */
static json_t *collect(struct sched *s, struct job *job, int *from_stdout, struct buf *why)
{
	const struct plan_task *pt = &pflow(s, job->flow)->tasks[job->task];
	char *path = task_file(s, job->flow, job->task, "result.out");
	size_t max = s->c.limits->result;
	struct buf text = {0};
	json_error_t err;
	json_t *v = NULL;
	struct stat st;

	*from_stdout = 0;
	if (stat(path, &st) == 0 && st.st_size > 0) {
		if ((unsigned long long)st.st_size > max)
			limits_too_big(s->c.limits, "the result written to FLOWRUN_RESULT", why);
		else if ((v = json_load_file(path, JSON_DECODE_ANY, &err)) == NULL)
			limits_not_json(s->c.limits, "the result written to FLOWRUN_RESULT", &err, why);
	} else if (job->out.total > max) {
		limits_too_big(s->c.limits, "standard output (the result)", why);
	} else if (capture_text(&job->out, max, &text) != 0) {
		buf_puts(why, "standard output (the result) was not kept whole (--max-log, or the "
			      "warning above)");
	} else if (pt->result->kind == TYPE_STRING) {
		size_t len = text.len;

		*from_stdout = 1;
		if (len && text.data[len - 1] == '\n')
			len--;
		if (len && memchr(text.data, '\0', len))
			buf_puts(why, "standard output holds a NUL character (U+0000), which flowrun "
				      "does not carry");
		else if ((v = json_stringn(text.data ? text.data : "", len)) == NULL)
			buf_puts(why, "standard output is not UTF-8 text");
	} else {
		*from_stdout = 1;
		v = json_loadb(text.data ? text.data : "", text.len, JSON_DECODE_ANY, &err);
		if (!v)
			limits_not_json(s->c.limits, "standard output", &err, why);
	}
	buf_free(&text);
	free(path);
	return v;
}

/* stderr_tail: "; stderr: " and the last line of a task's standard error */
static void stderr_tail(const struct job *job, struct buf *why)
{
	const char *p = job->err_tail.data;
	size_t end = job->err_tail.len, start;

	while (end && (p[end - 1] == '\n' || p[end - 1] == '\r'))
		end--;
	for (start = end; start && p[start - 1] != '\n'; start--)
		;
	if (end > start)
		buf_printf(why, "; stderr: %.*s", (int)(end - start > 200 ? 200 : end - start),
			   p + start);
}

/* stop_signal: the signal that ended a job's process (an engine's exit
 * status 128+N for a task in a container: N), or 0 */
static int stop_signal(const struct job *job, int status)
{
	if (WIFSIGNALED(status))
		return WTERMSIG(status);
	if (job->container && WEXITSTATUS(status) > 128 && WEXITSTATUS(status) < 128 + 65)
		return WEXITSTATUS(status) - 128;
	return 0;
}

/* run_stop_signal: the signal that stops a run (SIGTERM, SIGINT, SIGHUP)
 * that ended a job's process, or that its exit status 128 + N says ended
 * what it ran (a shell whose command died of it); 0 for none */
static int run_stop_signal(const struct job *job, int status)
{
	int sig = stop_signal(job, status);

	if (!sig && WIFEXITED(status) && WEXITSTATUS(status) > 128)
		sig = WEXITSTATUS(status) - 128;
	return sig == SIGTERM || sig == SIGINT || sig == SIGHUP ? sig : 0;
}

/* finish_job: a process that exited and whose pipes are drained */
static void finish_job(struct sched *s, int slot)
{
	struct job *job = &s->jobs[slot];
	size_t f = job->flow, t = job->task;
	const struct plan_task *pt = &pflow(s, f)->tasks[t];
	int status = job->proc.status, from_stdout = 0, ok = 0, sig = stop_signal(job, status);
	long long ms = progress_ms() - job->start_ms;
	struct buf why = {0};
	json_t *v = NULL;

	proc_close(&job->proc);
	if (s->c.verbose && job->err_line.len)
		progress_stderr(s->c.progress, pflow(s, f)->name, pt->name, job->err_line.data,
				job->err_line.len);
	s->c.progress->running--;
	s->flows[f].tasks[t].job = -1;
	/* a container whose engine was stopped may outlive it */
	if (job->container && (job->cancelled || job->timed_out || WIFSIGNALED(status)))
		containers_remove(s->c.containers, job->container);
	/* a task killed by a signal once the run was asked to stop was
	 * stopped with it (Slurm signals a cancelled job's processes too) */
	if (job->cancelled || (sig_interrupted() && (sig || run_stop_signal(job, status)))) {
		if (s->error)
			buf_printf(&why, "stopped with the run: %s", s->error);
		else
			buf_puts(&why, "interrupted");
		note(s, f, t, ST_CANCELLED, why.data, ms, NULL);
	} else if (job->timed_out) {
		buf_printf(&why, "timed out after %lld ms", (long long)pt->timeout_ms);
		stderr_tail(job, &why);
		fail_attempt(s, f, t, why.data, ms);
	} else if (sig) {
		buf_printf(&why, "killed by signal %d (%s)", sig, strsignal(sig));
		stderr_tail(job, &why);
		fail_attempt(s, f, t, why.data, ms);
	} else if (WEXITSTATUS(status) != 0) {
		buf_printf(&why, "exit status %d", WEXITSTATUS(status));
		stderr_tail(job, &why);
		fail_attempt(s, f, t, why.data, ms);
	} else if ((v = collect(s, job, &from_stdout, &why)) != NULL) {
		ok = 1;
	} else {
		fail_attempt(s, f, t, why.data, ms);
	}
	/* standard output is kept unless it is the result itself */
	capture_end(&job->out, !(ok && from_stdout));
	capture_end(&job->err, 1);
	if (ok)
		succeed(s, f, t, v, &job->key, ms);
	key_clear(&job->key);
	free(job->container);
	buf_free(&job->err_line);
	buf_free(&job->err_tail);
	memset(job, 0, sizeof(*job));
	job_clear(job);
	s->free_slots[s->nfree++] = slot;
	buf_free(&why);
}

/* read_out: a task's standard output, to its capture */
static void read_out(struct job *job)
{
	struct buf chunk = {0};

	proc_read(&job->proc.out_fd, &chunk);
	capture_add(&job->out, chunk.data, chunk.len);
	buf_free(&chunk);
}

/* read_err: a task's standard error: to its file, to its tail, and with
 * -v to ours line by line */
static void read_err(struct sched *s, struct job *job)
{
	struct buf chunk = {0};

	proc_read(&job->proc.err_fd, &chunk);
	if (!chunk.len)
		return;
	capture_add(&job->err, chunk.data, chunk.len);
	buf_add(&job->err_tail, chunk.data, chunk.len);
	if (job->err_tail.len > 2 * ERR_TAIL) {
		memmove(job->err_tail.data, job->err_tail.data + job->err_tail.len - ERR_TAIL, ERR_TAIL);
		job->err_tail.len = ERR_TAIL;
		job->err_tail.data[ERR_TAIL] = '\0';
	}
	if (s->c.verbose) {
		struct buf *l = &job->err_line;
		const char *flow = pflow(s, job->flow)->name;
		const char *task = pflow(s, job->flow)->tasks[job->task].name;
		size_t whole, rest;

		buf_add(l, chunk.data, chunk.len);
		for (whole = l->len; whole && l->data[whole - 1] != '\n'; whole--)
			;
		rest = l->len - whole;
		if (whole) {
			progress_stderr(s->c.progress, flow, task, l->data, whole - 1);
			memmove(l->data, l->data + whole, rest);
		} else if (rest > ERR_LINE_MAX) {
			/* a line without end is shown in pieces, not held forever */
			progress_stderr(s->c.progress, flow, task, l->data, rest);
			rest = 0;
		}
		l->len = rest;
		l->data[rest] = '\0';
	}
	buf_free(&chunk);
}

/* settled: a job whose process exited, whose pipes are drained, and
 * whose grace (STOP_GRACE_MS) is over: it ends now */
static int settled(const struct job *job)
{
	return job->used && job->exited && job->proc.out_fd < 0 && job->proc.err_fd < 0 &&
	       (!job->settle_ms || progress_ms() >= job->settle_ms);
}

static void reap(struct sched *s)
{
	int status, k;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (k = 0; k < s->c.jobs; k++) {
			struct job *job = &s->jobs[k];

			if (!job->used || job->exited || job->proc.pid != pid)
				continue;
			proc_reaped(&job->proc, status);
			job->exited = 1;
			if (run_stop_signal(job, status) && !job->cancelled && !job->timed_out &&
			    !sig_interrupted()) {
				job->settle_ms = progress_ms() + STOP_GRACE_MS;
				timer_add(s, job->settle_ms, job->flow, job->task, TIMER_SETTLE);
			}
			if (job->proc.out_fd >= 0 || job->proc.err_fd >= 0)
				timer_add(s, progress_ms() + DRAIN_GRACE_MS, job->flow, job->task,
					  TIMER_DRAIN);
			break;
		}
	}
}

static void fire_timers(struct sched *s)
{
	long long now = progress_ms();

	while (s->nheap && s->heap[0].when <= now) {
		struct timer tm = timer_pop(s);
		struct task_state *ts = &s->flows[tm.flow].tasks[tm.task];
		struct job *job = ts->job >= 0 ? &s->jobs[ts->job] : NULL;

		if (tm.gen != ts->gen)
			continue;
		switch (tm.kind) {
		case TIMER_TIMEOUT:
			if (job && !job->exited && !job->cancelled) {
				job->timed_out = 1;
				proc_kill(&job->proc, SIGTERM);
				timer_add(s, now + KILL_GRACE_MS, tm.flow, tm.task, TIMER_KILL);
			}
			break;
		case TIMER_KILL:
			if (job && !job->exited)
				proc_kill(&job->proc, SIGKILL);
			break;
		case TIMER_RETRY:
			if (ts->st == ST_RETRYING && !s->cancelling)
				enqueue(s, tm.flow, tm.task);
			break;
		case TIMER_DRAIN:
			if (job && job->exited)
				finish_job(s, ts->job);
			break;
		case TIMER_SETTLE:
			if (job && settled(job))
				finish_job(s, ts->job);
			break;
		}
	}
}

int sched_wait(struct sched *s)
{
	long long wait = -1, now;
	size_t npfds = 0, i;
	int k;

	start_ready(s);
	flush(s);
	if (!sched_busy(s))
		return s->error ? -1 : 0;
	now = progress_ms();
	if (s->nheap)
		wait = s->heap[0].when > now ? s->heap[0].when - now : 0;
	if (!s->error && journal_unsynced_ms(s->c.journal)) {
		long long due = JOURNAL_SYNC_MS - journal_unsynced_ms(s->c.journal);

		due = due < 0 ? 0 : due;
		if (wait < 0 || due < wait)
			wait = due;
	}
	if (s->qhead < s->qlen && !s->cancelling && !s->error &&
	    (s->nfree || pflow(s, s->queue[s->qhead].flow)->tasks[s->queue[s->qhead].task].kind ==
				 TASK_BUILTIN))
		wait = 0;
	if (wait > MAX_WAIT_MS || wait < 0)
		wait = wait < 0 && s->c.progress->running == 0 ? 0 : MAX_WAIT_MS;
	util_grow(&s->pfds, &s->pfdcap, (size_t)s->c.jobs * 2 + 1, sizeof(*s->pfds));
	s->pfd_job = xreallocarray(s->pfd_job, s->pfdcap, sizeof(*s->pfd_job));
	s->pfds[npfds].fd = sig_wake_fd();
	s->pfds[npfds].events = POLLIN;
	s->pfd_job[npfds++] = -1;
	for (k = 0; k < s->c.jobs; k++) {
		const struct job *job = &s->jobs[k];

		if (!job->used)
			continue;
		if (job->proc.out_fd >= 0) {
			s->pfds[npfds].fd = job->proc.out_fd;
			s->pfds[npfds].events = POLLIN;
			s->pfd_job[npfds++] = k;
		}
		if (job->proc.err_fd >= 0) {
			s->pfds[npfds].fd = job->proc.err_fd;
			s->pfds[npfds].events = POLLIN;
			s->pfd_job[npfds++] = k;
		}
	}
	if (poll(s->pfds, npfds, (int)wait) > 0) {
		for (i = 0; i < npfds; i++) {
			struct job *job;

			if (!s->pfds[i].revents)
				continue;
			if (s->pfd_job[i] < 0) {
				sig_drain();
				continue;
			}
			job = &s->jobs[s->pfd_job[i]];
			if (s->pfds[i].fd == job->proc.out_fd)
				read_out(job);
			else if (s->pfds[i].fd == job->proc.err_fd)
				read_err(s, job);
		}
	}
	reap(s);
	for (k = 0; k < s->c.jobs; k++) {
		struct job *job = &s->jobs[k];

		if (settled(job))
			finish_job(s, k);
	}
	fire_timers(s);
	flush(s);
	return s->error ? -1 : 0;
}

void sched_cancel(struct sched *s)
{
	long long now = progress_ms();
	int k;

	s->cancelling = 1;
	for (k = 0; k < s->c.jobs; k++) {
		struct job *job = &s->jobs[k];

		if (!job->used || job->cancelled)
			continue;
		if (!job->exited) {
			job->cancelled = 1;
			proc_kill(&job->proc, SIGTERM);
			timer_add(s, now + KILL_GRACE_MS, job->flow, job->task, TIMER_KILL);
		}
	}
}

int sched_busy(const struct sched *s)
{
	if (s->c.progress->running)
		return 1;
	if (s->cancelling || s->error)
		return 0;
	return s->qhead < s->qlen || s->nheap;
}

const char *sched_error(const struct sched *s)
{
	return s->error;
}

/* ---- flows ---- */

json_t *sched_param_value(const struct plan *p, const struct plan_param *pp,
			  const json_t *inputs, json_t *parent,
			  struct store *(*store)(void *ctx, struct buf *why), void *ctx,
			  struct buf *why)
{
	const struct plan_source *src = &pp->source;
	json_t *v = NULL;

	if (src->kind == SOURCE_INPUT) {
		v = json_incref(json_object_get(inputs, p->inputs[src->input].name));
		if (!v)
			buf_printf(why, "parameter '%s' has no value", pp->name);
	} else if (!parent) {
		buf_printf(why, "parameter '%s': %s/%s has no result", pp->name,
			   p->flows[src->flow].name, p->flows[src->flow].tasks[src->task].name);
	} else if (src->kind != SOURCE_DB) {
		v = json_incref(parent);
	} else {
		struct buf err = {0};
		struct store *st = store(ctx, &err);
		json_t *doc = st ? store_load(st, parent, &err) : NULL, *sel = NULL;

		if (doc) {
			sel = tmpl_walk(doc, src->index, &err);
			v = sel ? json_incref(sel) : NULL;
			json_decref(doc);
		}
		if (!v)
			buf_printf(why, "parameter '%s': %s", pp->name, err.data);
		buf_free(&err);
	}
	if (v && !type_check_value(pp->type, v, pp->name, why)) {
		json_decref(v);
		v = NULL;
	}
	return v;
}

static struct store *sched_store(void *ctx, struct buf *why)
{
	return get_store(ctx, why);
}

/* resolve_params: flow f's parameter values, from inputs or its parents;
 * 0, or -1 with why */
static int resolve_params(struct sched *s, size_t f, struct buf *why)
{
	const struct plan_flow *pf = pflow(s, f);
	struct flow_state *fs = &s->flows[f];
	size_t i;

	for (i = 0; i < pf->nparams && !why->len; i++) {
		const struct plan_source *src = &pf->params[i].source;
		json_t *parent = src->kind == SOURCE_INPUT ? NULL
							   : s->flows[src->flow].results[src->task];

		fs->params[i] = sched_param_value(s->c.plan, &pf->params[i], s->c.inputs, parent,
						  sched_store, s, why);
	}
	return why->len ? -1 : 0;
}

/* skip_tasks: every task of flow f not yet succeeded is Skipped */
static void skip_tasks(struct sched *s, size_t f, const char *why)
{
	struct flow_state *fs = &s->flows[f];
	size_t t;

	for (t = 0; t < pflow(s, f)->ntasks; t++) {
		if (journal_state_ok((enum run_state)fs->tasks[t].st))
			continue;
		fs->tasks[t].st = ST_SKIPPED;
		s->c.progress->skipped++;
		journal_task(s, f, t, why, -1, NULL);
	}
	fs->unsettled = 0;
}

void sched_start_flow(struct sched *s, size_t f)
{
	const struct plan_flow *pf = pflow(s, f);
	struct flow_state *fs = &s->flows[f];
	struct buf why = {0};
	size_t t, k;

	if (resolve_params(s, f, &why) != 0) {
		fs->st = ST_FAILED;
		journal_flow(s, f, why.data);
		skip_tasks(s, f, "its flow could not start");
		progress_flow(s->c.progress, pf->name, ST_FAILED, why.data);
		buf_free(&why);
		if (s->c.flow_ended)
			s->c.flow_ended(s->c.ctx, f, ST_FAILED);
		return;
	}
	fs->st = ST_RUNNING;
	journal_flow(s, f, NULL);
	for (t = 0; t < pf->ntasks; t++) {
		struct task_state *ts = &fs->tasks[t];

		if (ts->restored)
			continue;
		ts->waiting = 0;
		for (k = 0; k < pf->tasks[t].nneeds; k++)
			if (!journal_state_ok((enum run_state)fs->tasks[pf->tasks[t].needs[k]].st))
				ts->waiting++;
		if (!ts->waiting)
			enqueue(s, f, t);
	}
	if (fs->unsettled == 0)
		finish_flow(s, f);
}

/* ---- life ---- */

/* absolute: DIR/NAME as an absolute path (DIR may be relative to the
 * directory flowrun runs in), to free */
static char *absolute(const char *dir, const char *name)
{
	struct buf b = {0};
	char *cwd;

	if (dir[0] == '/') {
		buf_printf(&b, "%s/%s", dir, name);
		return buf_steal(&b);
	}
	cwd = getcwd(NULL, 0);
	buf_printf(&b, "%s/%s/%s", cwd ? cwd : ".", dir, name);
	free(cwd);
	return buf_steal(&b);
}

struct sched *sched_new(const struct sched_config *c)
{
	struct sched *s = xcalloc(1, sizeof(*s));
	const struct plan *p = c->plan;
	size_t f, t, k, i;
	char *tasks_dir;

	s->c = *c;
	s->flows = xcalloc(p->nflows, sizeof(*s->flows));
	for (f = 0; f < p->nflows; f++) {
		const struct plan_flow *pf = &p->flows[f];
		struct flow_state *fs = &s->flows[f];

		fs->tasks = xcalloc(pf->ntasks ? pf->ntasks : 1, sizeof(*fs->tasks));
		fs->results = xcalloc(pf->ntasks ? pf->ntasks : 1, sizeof(*fs->results));
		fs->params = xcalloc(pf->nparams ? pf->nparams : 1, sizeof(*fs->params));
		fs->unsettled = pf->ntasks;
		for (t = 0; t < pf->ntasks; t++)
			fs->tasks[t].job = -1;
		plan_task_deps(pf, &fs->deps);
	}
	s->jobs = xcalloc((size_t)c->jobs, sizeof(*s->jobs));
	s->free_slots = xcalloc((size_t)c->jobs, sizeof(*s->free_slots));
	for (k = 0; k < (size_t)c->jobs; k++) {
		job_clear(&s->jobs[k]);
		s->free_slots[s->nfree++] = c->jobs - 1 - (int)k;
	}
	for (i = 0; environ[i]; i++)
		;
	s->env = xcalloc(i + 1, sizeof(*s->env));
	for (i = 0; environ[i]; i++)
		if (strncmp(environ[i], "FLOWRUN_RESULT=", 15) != 0)
			s->env[s->nenv++] = environ[i];
	tasks_dir = rundir_path(c->dir, "tasks");
	if (c->plan->nfiles)
		s->bundle_dir = absolute(c->dir, "bundle");
	if (util_mkdirs(tasks_dir) != 0) {
		struct buf why = {0};

		buf_printf(&why, "cannot make %s: %s", tasks_dir, strerror(errno));
		set_error(s, why.data);
		buf_free(&why);
	}
	if (c->containers) {
		/* a task sees in its container what it sees here */
		size_t cap = 0;

		s->cwd = getcwd(NULL, 0);
		if (!s->cwd)
			s->cwd = xstrdup(".");
		for (i = 0; c->files && i < c->files->n; i++)
			VEC_PUSH(s->binds, s->nbinds, cap, xstrdup(c->files->roots[i]));
		VEC_PUSH(s->binds, s->nbinds, cap, absolute(c->dir, "tasks"));
		if (s->bundle_dir)
			VEC_PUSH(s->binds, s->nbinds, cap, xstrdup(s->bundle_dir));
	}
	free(tasks_dir);
	return s;
}

void sched_restore(struct sched *s, size_t f, size_t t, json_t *result)
{
	struct flow_state *fs = &s->flows[f];

	if (fs->tasks[t].restored)
		return;
	fs->tasks[t].st = ST_SUCCESS;
	fs->tasks[t].restored = 1;
	fs->results[t] = json_incref(result);
	fs->unsettled--;
	fs->done++;
}

void sched_free(struct sched *s)
{
	size_t f, t;
	int k;

	if (!s)
		return;
	for (k = 0; k < s->c.jobs; k++) {
		proc_close(&s->jobs[k].proc);
		capture_end(&s->jobs[k].out, 1);
		capture_end(&s->jobs[k].err, 1);
		buf_free(&s->jobs[k].err_line);
		buf_free(&s->jobs[k].err_tail);
		key_clear(&s->jobs[k].key);
		free(s->jobs[k].container);
	}
	for (f = 0; f < s->c.plan->nflows; f++) {
		struct flow_state *fs = &s->flows[f];

		for (t = 0; t < s->c.plan->flows[f].ntasks; t++)
			json_decref(fs->results[t]);
		for (t = 0; t < s->c.plan->flows[f].nparams; t++)
			json_decref(fs->params[t]);
		free(fs->params);
		free(fs->results);
		free(fs->tasks);
		plan_deps_free(&fs->deps);
	}
	store_close(s->store);
	free(s->flows);
	free(s->jobs);
	free(s->free_slots);
	free(s->queue);
	free(s->heap);
	free(s->env);
	free(s->pfds);
	free(s->pfd_job);
	free(s->error);
	free(s->cwd);
	free(s->bundle_dir);
	free_strings(s->binds, s->nbinds);
	free(s);
}

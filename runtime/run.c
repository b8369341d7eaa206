/* run.c: running a plan locally: the run directory and its journal, the
 * scheduler (flows and tasks in dependency order, up to -j at once), the
 * process runner (one process group per task, a poll() loop woken by
 * SIGCHLD through a self-pipe), retries, timeouts and interruption. */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "builtins.h"
#include "plan_format.h"
#include "sha256.h"
#include "slurm.h"
#include "store.h"
#include "tmpl.h"

extern char **environ;

const char *const run_state_names[] = {"Pending", "Running", "Success", "Failed", "Retrying",
				       "Skipped", "Cancelled", "Cached"};

/* seconds between SIGTERM and SIGKILL for a task being stopped */
#define KILL_GRACE_MS 5000

struct task_run {
	enum run_state st;          /* where it is */
	int attempt;                /* attempts started, 1 for the first */
	pid_t pid;                  /* its process (group leader) while running */
	long long start_ms;         /* when the current attempt started */
	long long deadline_ms;      /* when it times out, 0 for never */
	long long kill_ms;          /* when to send SIGKILL after SIGTERM, 0 when not sent */
	long long retry_ms;         /* when a Retrying task starts again */
	int timed_out;              /* 1 when stopped for its timeout */
	json_t *result;             /* its result once Success */
	char *cache_key;            /* cache: the key of this attempt's inputs, or NULL */
	int out_fd;                 /* read end of its standard output, -1 when closed */
	int err_fd;                 /* read end of its standard error, -1 when closed */
	struct buf out;             /* its standard output so far */
	struct buf err_line;        /* -v: a stderr line not yet complete */
	int err_file;               /* the stderr file, opened at the first byte; -1 before */
	int exited;                 /* 1 once reaped; it ends when its pipes are drained too */
	int status;                 /* its wait status, once exited */
	long long drain_ms;         /* when to stop waiting for its pipes after it exited */
};

struct flow_run {
	enum run_state st;          /* Pending, Running, then Success, Failed or Skipped */
	json_t **params;            /* its parameter values once Running */
	struct task_run *tasks;     /* one per plan task */
	size_t settled;             /* tasks in a final state */
};

struct run {
	struct plan *plan;          /* what runs */
	char *dir;                  /* the run directory */
	char *run_id;               /* its name */
	json_t *inputs;             /* composed parameter values (object) */
	struct flow_run *flows;     /* one per plan flow */
	int jobs;                   /* tasks at once */
	int running;                /* tasks running now */
	int journal;                /* the journal's file descriptor */
	struct store *store;        /* the results store */
	struct files *files;        /* named filesystems */
	int tty;                    /* standard output is a terminal */
	long long t0;               /* when this invocation started */
	size_t ntasks;              /* tasks in the plan */
	size_t done;                /* tasks settled Success */
	size_t failed;              /* tasks settled otherwise */
	size_t events;              /* journal events written, to see progress */
	int verbose;                /* copy each task's standard error to the terminal */
	long flow_only;             /* a Slurm job's one flow, or -1 for the whole plan */
	char *cache_dir;            /* where cached results live (.flowrun/cache of the run's directory) */
	int unsynced;               /* journal events written since the last fdatasync */
};

static int wake_pipe[2] = {-1, -1};
static volatile sig_atomic_t interrupted;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	if (sig != SIGCHLD)
		interrupted = sig;
	if (write(wake_pipe[1], &c, 1) < 0) {
		/* the pipe is full: the loop is awake anyway */
	}
	errno = saved;
}

static void setup_signals(void)
{
	struct sigaction sa;

	if (pipe(wake_pipe) != 0)
		fatal("cannot make a pipe: %s", strerror(errno));
	fcntl(wake_pipe[0], F_SETFL, O_NONBLOCK);
	fcntl(wake_pipe[1], F_SETFL, O_NONBLOCK);
	fcntl(wake_pipe[0], F_SETFD, FD_CLOEXEC);
	fcntl(wake_pipe[1], F_SETFD, FD_CLOEXEC);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* ---- the run directory ---- */

static char *dir_path(const struct run *r, const char *fmt, ...) ATTR_PRINTF(2, 3);
static char *dir_path(const struct run *r, const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;

	buf_printf(&b, "%s/", r->dir);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return buf_steal(&b);
}

/* task_file: DIR/tasks/FLOW/TASK.WHAT, the files of one task (one
 * directory per flow: fewer directories to make) */
static char *task_file(const struct run *r, size_t f, size_t t, const char *what)
{
	return dir_path(r, "tasks/%s/%s.%s", r->plan->flows[f].name, r->plan->flows[f].tasks[t].name,
			what);
}

static void mkdirs(const char *path)
{
	if (util_mkdirs(path) != 0)
		fatal("cannot make directory %s: %s", path, strerror(errno));
}

/* write_file_atomic: data to path through a temporary file, fsync, rename */
static int write_file_atomic(const char *path, const char *data, size_t len)
{
	struct buf tmp = {0};
	int fd, ok;

	buf_printf(&tmp, "%s.tmp", path);
	fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		buf_free(&tmp);
		return -1;
	}
	ok = write(fd, data, len) == (ssize_t)len && fsync(fd) == 0;
	ok = close(fd) == 0 && ok && rename(tmp.data, path) == 0;
	if (!ok)
		unlink(tmp.data);
	buf_free(&tmp);
	return ok ? 0 : -1;
}

/* journal_sync: makes every event written so far durable; called before
 * anything is started that depends on them (group commit) */
static void journal_sync(struct run *r)
{
	if (r->unsynced && fdatasync(r->journal) != 0)
		fatal("cannot write the journal in %s: %s", r->dir, strerror(errno));
	r->unsynced = 0;
}

/* journal: appends one event; a final state (durable) is synced before
 * the scheduler starts anything after it, a Running event need not be */
static void journal(struct run *r, json_t *ev, int durable)
{
	char *line;
	size_t len;

	json_object_set_new(ev, "t", json_integer(wall_ms()));
	line = json_dumps(ev, JSON_COMPACT | JSON_SORT_KEYS);
	len = strlen(line);
	line = xrealloc(line, len + 2);
	line[len] = '\n';
	if (write(r->journal, line, len + 1) != (ssize_t)(len + 1))
		fatal("cannot write the journal in %s: %s", r->dir, strerror(errno));
	free(line);
	json_decref(ev);
	r->events++;
	r->unsynced |= durable;
}

static void journal_task(struct run *r, size_t f, size_t t, const char *extra_key, json_t *extra)
{
	const struct task_run *tr = &r->flows[f].tasks[t];
	json_t *ev = json_pack("{s:i,s:s,s:i,s:s,s:s,s:i}", "flow", (json_int_t)f, "flow_name",
			       r->plan->flows[f].name, "task", (json_int_t)t, "task_name",
			       r->plan->flows[f].tasks[t].name, "state", run_state_names[tr->st],
			       "attempt", tr->attempt);

	if (extra_key)
		json_object_set_new(ev, extra_key, extra);
	if (tr->st != ST_RUNNING && tr->start_ms)
		json_object_set_new(ev, "ms", json_integer(now_ms() - tr->start_ms));
	journal(r, ev, tr->st != ST_RUNNING);
}

static void journal_flow(struct run *r, size_t f, const char *reason)
{
	json_t *ev = json_pack("{s:i,s:s,s:s}", "flow", (json_int_t)f, "flow_name",
			       r->plan->flows[f].name, "state", run_state_names[r->flows[f].st]);

	if (reason)
		json_object_set_new(ev, "reason", json_string(reason));
	journal(r, ev, r->flows[f].st != ST_RUNNING);
}

/* ---- output ---- */

static void progress(struct run *r, size_t f, size_t t, const char *note)
{
	const struct task_run *tr = &r->flows[f].tasks[t];

	if (r->tty) {
		printf("\r\033[K[%zu/%zu done, %d running, %zu failed] %s/%s %s", r->done, r->ntasks,
		       r->running, r->failed, r->plan->flows[f].name, r->plan->flows[f].tasks[t].name,
		       run_state_names[tr->st]);
		if (tr->st == ST_FAILED)
			printf(": %s\n", note ? note : "");
		fflush(stdout);
		return;
	}
	printf("%s/%s: %s", r->plan->flows[f].name, r->plan->flows[f].tasks[t].name,
	       run_state_names[tr->st]);
	if (tr->attempt > 1 && tr->st == ST_RUNNING)
		printf(" (attempt %d)", tr->attempt);
	if (note)
		printf(": %s", note);
	printf("\n");
	fflush(stdout);
}

/* ---- the cache ---- */

/* cache_key: the SHA-256 of a task's definition and its resolved inputs */
static char *cache_key(const struct plan_task *pt, const json_t *inputs)
{
	json_t *key = json_pack("{s:O,s:O}", "task", (json_t *)pt->json, "inputs", (json_t *)inputs);
	char *text = json_dumps(key, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	char *hex = xmalloc(65);

	sha256_hex(text, strlen(text), hex);
	free(text);
	json_decref(key);
	return hex;
}

static char *cache_path(const struct run *r, const char *key)
{
	struct buf b = {0};

	buf_printf(&b, "%s/%s.json", r->cache_dir, key);
	return buf_steal(&b);
}

/* ---- settling ---- */

static void settle_task(struct run *r, size_t f, size_t t, enum run_state st, const char *why)
{
	struct task_run *tr = &r->flows[f].tasks[t];

	tr->st = st;
	r->flows[f].settled++;
	if (st == ST_SUCCESS || st == ST_CACHED)
		r->done++;
	else
		r->failed++;
	journal_task(r, f, t, why ? "reason" : NULL, why ? json_string(why) : NULL);
	progress(r, f, t, why);
}

/* skip_tasks: every task of a flow that will not run is Skipped */
static void skip_tasks(struct run *r, size_t f, const char *why)
{
	size_t t;

	for (t = 0; t < r->plan->flows[f].ntasks; t++) {
		struct task_run *tr = &r->flows[f].tasks[t];

		if (tr->st == ST_SUCCESS || tr->st == ST_CACHED)
			continue;
		tr->st = ST_SKIPPED;
		r->failed++;
		journal_task(r, f, t, "reason", json_string(why));
	}
	r->flows[f].settled = r->plan->flows[f].ntasks;
}

/* fail_attempt: a failed attempt retries when attempts are left */
static void fail_attempt(struct run *r, size_t f, size_t t, const char *why)
{
	const struct plan_task *pt = &r->plan->flows[f].tasks[t];
	struct task_run *tr = &r->flows[f].tasks[t];

	if (tr->attempt <= pt->retries) {
		tr->st = ST_RETRYING;
		tr->retry_ms = now_ms() + pt->retry_delay_ms;
		journal_task(r, f, t, "reason", json_string(why));
		progress(r, f, t, why);
		return;
	}
	settle_task(r, f, t, ST_FAILED, why);
}

static void succeed(struct run *r, size_t f, size_t t, json_t *result)
{
	const struct plan_task *pt = &r->plan->flows[f].tasks[t];
	struct task_run *tr = &r->flows[f].tasks[t];
	struct buf why = {0};
	char *path, *text;

	if (!type_check_value(pt->result, result, "result", &why)) {
		json_decref(result);
		fail_attempt(r, f, t, why.data);
		buf_free(&why);
		return;
	}
	buf_free(&why);
	path = task_file(r, f, t, "result.json");
	text = json_dumps(result, JSON_COMPACT | JSON_ENCODE_ANY);
	if (write_file_atomic(path, text, strlen(text)) != 0)
		fatal("cannot write %s: %s", path, strerror(errno));
	free(path);
	free(text);
	tr->result = result;
	if (tr->cache_key) {
		char *cpath = cache_path(r, tr->cache_key);

		mkdirs(r->cache_dir);
		text = json_dumps(result, JSON_COMPACT | JSON_ENCODE_ANY);
		if (write_file_atomic(cpath, text, strlen(text)) != 0)
			fatal("cannot write %s: %s", cpath, strerror(errno));
		free(text);
		free(cpath);
	}
	settle_task(r, f, t, ST_SUCCESS, NULL);
}

/* ---- starting work ---- */

static int flow_needs_settled(const struct run *r, size_t f, int *all_ok)
{
	const struct plan_flow *pf = &r->plan->flows[f];
	size_t k;
	int settled = 1;

	*all_ok = 1;
	for (k = 0; k < pf->nneeds; k++) {
		enum run_state st = r->flows[pf->needs[k]].st;

		if (st == ST_PENDING || st == ST_RUNNING)
			settled = 0;
		else if (st != ST_SUCCESS)
			*all_ok = 0;
	}
	return settled;
}

/* start_flow: its parameter values, from inputs or its parents; a value
 * that cannot be had or has the wrong type fails the flow */
static void start_flow(struct run *r, size_t f)
{
	const struct plan_flow *pf = &r->plan->flows[f];
	struct flow_run *fr = &r->flows[f];
	struct buf why = {0};
	size_t i;

	fr->params = xcalloc(pf->nparams ? pf->nparams : 1, sizeof(*fr->params));
	for (i = 0; i < pf->nparams && !why.len; i++) {
		const struct plan_param *pp = &pf->params[i];
		const struct plan_source *src = &pp->source;
		json_t *v = NULL;

		if (src->kind == SOURCE_INPUT) {
			v = json_incref(json_object_get(r->inputs, r->plan->inputs[src->input].name));
		} else {
			json_t *parent = r->flows[src->flow].tasks[src->task].result;

			if (src->kind != SOURCE_DB) {
				v = json_incref(parent);
			} else {
				json_t *doc = store_load(r->store, parent, &why), *sel;

				if (doc) {
					sel = tmpl_walk(doc, src->index, &why);
					v = sel ? json_incref(sel) : NULL;
					json_decref(doc);
				}
				if (!v) {
					struct buf msg = {0};

					buf_printf(&msg, "parameter '%s': %s", pp->name, why.data);
					buf_free(&why);
					why = msg;
				}
			}
		}
		if (v && !type_check_value(pp->type, v, pp->name, &why)) {
			json_decref(v);
			v = NULL;
		}
		fr->params[i] = v;
	}
	fr->st = why.len ? ST_FAILED : ST_RUNNING;
	journal_flow(r, f, why.len ? why.data : NULL);
	if (why.len) {
		skip_tasks(r, f, "its flow could not start");
		printf("%s: Failed: %s\n", pf->name, why.data);
		fflush(stdout);
	}
	buf_free(&why);
}

static char **make_env(const struct plan_task *pt, const struct tmpl_scope *scope,
		       const char *result_path, struct buf *why)
{
	const char *key;
	const json_t *tv;
	char **env = NULL;
	size_t n = 0, cap = 0, i;
	struct buf b = {0};

	for (i = 0; environ[i]; i++)
		if (strncmp(environ[i], "FLOWRUN_RESULT=", 15) != 0)
			VEC_PUSH(env, n, cap, xstrdup(environ[i]));
	buf_printf(&b, "FLOWRUN_RESULT=%s", result_path);
	VEC_PUSH(env, n, cap, buf_steal(&b));
	json_object_foreach((json_t *)pt->env, key, tv) {
		char *text = tmpl_text(tv, scope, why);

		if (!text)
			break;
		buf_printf(&b, "%s=%s", key, text);
		VEC_PUSH(env, n, cap, buf_steal(&b));
		free(text);
	}
	VEC_PUSH(env, n, cap, NULL);
	return env;
}

static void free_strings(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* cloexec_pipe: a pipe whose ends no task inherits unless given them */
static int cloexec_pipe(int fds[2])
{
	if (pipe(fds) != 0)
		return -1;
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

/* start_task: a built-in runs here and now; a run or shell task starts as
 * a process in its own process group */
static void start_task(struct run *r, size_t f, size_t t)
{
	const struct plan_task *pt = &r->plan->flows[f].tasks[t];
	struct task_run *tr = &r->flows[f].tasks[t];
	json_t **results = xcalloc(r->plan->flows[f].ntasks, sizeof(*results));
	struct tmpl_scope scope;
	struct buf why = {0};
	json_t *with = NULL;
	char *dir = dir_path(r, "tasks/%s", r->plan->flows[f].name), *with_path, *out_path, *err_path;
	char *result_path;
	char **argv = NULL, **env = NULL;
	size_t i, n = 0, cap = 0;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	int rc, out_pipe[2], err_pipe[2];

	for (i = 0; i < r->plan->flows[f].ntasks; i++)
		results[i] = r->flows[f].tasks[i].result;
	scope.params = r->flows[f].params;
	scope.results = results;
	tr->attempt++;
	tr->start_ms = now_ms();
	tr->timed_out = 0;
	tr->kill_ms = 0;
	tr->st = ST_RUNNING;
	mkdirs(dir);
	with_path = task_file(r, f, t, "with.json");
	out_path = task_file(r, f, t, "stdout");
	err_path = task_file(r, f, t, "stderr");
	result_path = task_file(r, f, t, "result.out");
	if (pt->with)
		with = tmpl_value(pt->with, &scope, &why);
	if (!why.len && pt->kind == TASK_BUILTIN) {
		struct builtin_ctx bc = {r->files, r->store, r->run_id, r->plan->flows[f].name,
					 r->plan->flows[f].project};
		json_t *result;

		journal_task(r, f, t, NULL, NULL);
		result = builtin_run(&bc, pt->builtin, with, &why);
		if (result)
			succeed(r, f, t, result);
		else
			fail_attempt(r, f, t, why.data);
		goto out;
	}
	if (!why.len && pt->kind == TASK_RUN) {
		const json_t *a;

		json_array_foreach(pt->argv, i, a) {
			char *text = tmpl_text(a, &scope, &why);

			if (!text)
				break;
			VEC_PUSH(argv, n, cap, text);
		}
	} else if (!why.len) {
		VEC_PUSH(argv, n, cap, xstrdup("/bin/sh"));
		VEC_PUSH(argv, n, cap, xstrdup("-c"));
		VEC_PUSH(argv, n, cap, xstrdup(pt->script));
	}
	VEC_PUSH(argv, n, cap, NULL);
	if (!why.len)
		env = make_env(pt, &scope, result_path, &why);
	if (!why.len && with) {
		/* the input is written again by any re-run: no fsync needed */
		char *text = json_dumps(with, JSON_COMPACT | JSON_ENCODE_ANY);
		FILE *fp = fopen(with_path, "wb");

		if (!fp || fwrite(text, 1, strlen(text), fp) != strlen(text))
			buf_printf(&why, "cannot write %s: %s", with_path, strerror(errno));
		if (fp && fclose(fp) != 0 && !why.len)
			buf_printf(&why, "cannot write %s: %s", with_path, strerror(errno));
		free(text);
	}
	if (why.len) {
		journal_task(r, f, t, NULL, NULL);
		fail_attempt(r, f, t, why.data);
		goto out;
	}
	if (pt->cache) {
		json_t *inputs = json_pack("{s:o,s:O*,s:o}", "argv", json_array(), "with", with, "env",
					   json_object());
		const char *ekey;
		const json_t *etv;
		char *key, *path;
		json_t *hit;

		/* the definition is in the key; these are what it was given */
		for (i = 0; argv[i]; i++)
			json_array_append_new(json_object_get(inputs, "argv"), json_string(argv[i]));
		json_object_foreach((json_t *)pt->env, ekey, etv) {
			char *text = tmpl_text(etv, &scope, &why);

			json_object_set_new(json_object_get(inputs, "env"), ekey,
					    text ? json_string(text) : json_null());
			free(text);
		}
		key = cache_key(pt, inputs);
		path = cache_path(r, key);
		hit = json_load_file(path, JSON_DECODE_ANY, NULL);
		if (hit && type_check_value(pt->result, hit, "result", &why)) {
			char *rpath = task_file(r, f, t, "result.json");
			char *text = json_dumps(hit, JSON_COMPACT | JSON_ENCODE_ANY);

			if (write_file_atomic(rpath, text, strlen(text)) != 0)
				fatal("cannot write %s: %s", rpath, strerror(errno));
			free(text);
			free(rpath);
			tr->result = hit;
			settle_task(r, f, t, ST_CACHED, NULL);
			hit = NULL;
		}
		json_decref(hit);
		buf_free(&why);
		free(tr->cache_key);
		tr->cache_key = key;
		free(path);
		json_decref(inputs);
		if (tr->st == ST_CACHED)
			goto out;
	}
	unlink(result_path);
	/* output comes through pipes: the files are written only when there is
	 * something to write, and -v can show stderr as it comes */
	unlink(out_path);
	unlink(err_path);
	if (cloexec_pipe(out_pipe) != 0 || cloexec_pipe(err_pipe) != 0)
		fatal("cannot make a pipe: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, with ? with_path : "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
	posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
	rc = posix_spawnp(&tr->pid, argv[0], &fa, &attr, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(out_pipe[1]);
	close(err_pipe[1]);
	tr->out_fd = out_pipe[0];
	tr->err_fd = err_pipe[0];
	fcntl(tr->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(tr->err_fd, F_SETFL, O_NONBLOCK);
	tr->out.len = 0;
	tr->err_line.len = 0;
	tr->err_file = -1;
	tr->exited = 0;
	journal_task(r, f, t, NULL, NULL);
	if (rc != 0) {
		close(tr->out_fd);
		close(tr->err_fd);
		tr->out_fd = tr->err_fd = -1;
		buf_printf(&why, "cannot start %s: %s", argv[0], strerror(rc));
		fail_attempt(r, f, t, why.data);
		goto out;
	}
	progress(r, f, t, NULL);
	r->running++;
	tr->deadline_ms = pt->timeout_ms ? tr->start_ms + pt->timeout_ms : 0;
out:
	json_decref(with);
	free_strings(argv);
	free_strings(env);
	free(results);
	free(dir);
	free(with_path);
	free(out_path);
	free(err_path);
	free(result_path);
	buf_free(&why);
}

/* collect: the result of a process that exited 0 */
static json_t *collect(struct run *r, size_t f, size_t t, struct buf *why)
{
	const struct plan_task *pt = &r->plan->flows[f].tasks[t];
	char *result_path = task_file(r, f, t, "result.out");
	json_error_t err;
	json_t *v = NULL;
	struct stat st;

	if (stat(result_path, &st) == 0 && st.st_size > 0) {
		v = json_load_file(result_path, JSON_DECODE_ANY, &err);
		if (!v)
			buf_printf(why, "the result written to FLOWRUN_RESULT is not JSON (line %d: %s)",
				   err.line, err.text);
	} else if (pt->result->kind == TYPE_STRING) {
		const struct buf *text = &r->flows[f].tasks[t].out;
		size_t len = text->len;

		if (len && text->data[len - 1] == '\n')
			len--;
		v = json_stringn(text->data ? text->data : "", len);
		if (!v)
			buf_puts(why, "standard output is not UTF-8 text");
	} else {
		const struct buf *text = &r->flows[f].tasks[t].out;

		v = json_loadb(text->data ? text->data : "", text->len, JSON_DECODE_ANY, &err);
		if (!v)
			buf_printf(why, "standard output is not JSON (line %d: %s)", err.line, err.text);
	}
	free(result_path);
	return v;
}

/* stderr_tail: ": last line of standard error" of a task, or "" */
static void stderr_tail(const struct run *r, size_t f, size_t t, struct buf *why)
{
	char *path = task_file(r, f, t, "stderr");
	FILE *fp = fopen(path, "rb");
	char tail[512];
	size_t n = 0, end;
	long size;

	free(path);
	if (!fp)
		return;
	fseek(fp, 0, SEEK_END);
	size = ftell(fp);
	if (size > 0) {
		fseek(fp, size > (long)sizeof(tail) - 1 ? size - (long)sizeof(tail) + 1 : 0, SEEK_SET);
		n = fread(tail, 1, sizeof(tail) - 1, fp);
	}
	fclose(fp);
	while (n && (tail[n - 1] == '\n' || tail[n - 1] == '\r'))
		n--;
	end = n;
	while (n && tail[n - 1] != '\n')
		n--;
	if (end > n)
		buf_printf(why, "; stderr: %.*s", (int)(end - n > 200 ? 200 : end - n), tail + n);
}

/* show_stderr: with -v, complete lines of a task's standard error, each
 * prefixed by flow/task; at the end (final) the rest too */
static void show_stderr(const struct run *r, size_t f, size_t t, int final)
{
	struct task_run *tr = &r->flows[f].tasks[t];
	struct buf *l = &tr->err_line;
	size_t start = 0, i;

	for (i = 0; i < l->len; i++) {
		if (l->data[i] != '\n')
			continue;
		fprintf(stderr, "%s/%s: %.*s\n", r->plan->flows[f].name, r->plan->flows[f].tasks[t].name,
			(int)(i - start), l->data + start);
		start = i + 1;
	}
	if (final && start < l->len) {
		fprintf(stderr, "%s/%s: %.*s\n", r->plan->flows[f].name, r->plan->flows[f].tasks[t].name,
			(int)(l->len - start), l->data + start);
		start = l->len;
	}
	memmove(l->data ? l->data : "", l->data ? l->data + start : "", l->len - start);
	l->len -= start;
}

/* drain: reads what a task's pipes hold; closes a pipe at its end */
static void drain(struct run *r, size_t f, size_t t)
{
	struct task_run *tr = &r->flows[f].tasks[t];
	char chunk[65536];
	ssize_t got;

	while (tr->out_fd >= 0) {
		got = read(tr->out_fd, chunk, sizeof(chunk));
		if (got > 0) {
			buf_add(&tr->out, chunk, (size_t)got);
			continue;
		}
		if (got < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		close(tr->out_fd);
		tr->out_fd = -1;
	}
	while (tr->err_fd >= 0) {
		got = read(tr->err_fd, chunk, sizeof(chunk));
		if (got > 0) {
			if (tr->err_file < 0) {
				char *path = task_file(r, f, t, "stderr");

				tr->err_file = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
				free(path);
			}
			if (tr->err_file >= 0 && write(tr->err_file, chunk, (size_t)got) != got)
				warn("cannot write the standard error of %s/%s", r->plan->flows[f].name,
				     r->plan->flows[f].tasks[t].name);
			if (r->verbose) {
				buf_add(&tr->err_line, chunk, (size_t)got);
				show_stderr(r, f, t, 0);
			}
			continue;
		}
		if (got < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		close(tr->err_fd);
		tr->err_fd = -1;
	}
}

/* finish: a process that exited and whose pipes are drained */
static void finish(struct run *r, size_t f, size_t t)
{
	struct task_run *tr = &r->flows[f].tasks[t];
	int status = tr->status;
	struct buf why = {0};
	json_t *v;

	if (tr->out_fd >= 0)
		close(tr->out_fd);
	if (tr->err_fd >= 0)
		close(tr->err_fd);
	tr->out_fd = tr->err_fd = -1;
	if (tr->err_file >= 0)
		close(tr->err_file);
	tr->err_file = -1;
	if (r->verbose)
		show_stderr(r, f, t, 1);
	if (tr->out.len) {
		char *path = task_file(r, f, t, "stdout");
		FILE *fp = fopen(path, "wb");

		if (!fp || fwrite(tr->out.data, 1, tr->out.len, fp) != tr->out.len)
			warn("cannot write %s", path);
		if (fp)
			fclose(fp);
		free(path);
	}
	r->running--;
	tr->exited = 0;
	if (interrupted) {
		settle_task(r, f, t, ST_CANCELLED, "interrupted");
	} else if (tr->timed_out) {
		buf_printf(&why, "timed out after %lld ms",
			   (long long)r->plan->flows[f].tasks[t].timeout_ms);
		fail_attempt(r, f, t, why.data);
	} else if (WIFSIGNALED(status)) {
		buf_printf(&why, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
		stderr_tail(r, f, t, &why);
		fail_attempt(r, f, t, why.data);
	} else if (WEXITSTATUS(status) != 0) {
		buf_printf(&why, "exit status %d", WEXITSTATUS(status));
		stderr_tail(r, f, t, &why);
		fail_attempt(r, f, t, why.data);
	} else if ((v = collect(r, f, t, &why)) != NULL) {
		succeed(r, f, t, v);
	} else {
		fail_attempt(r, f, t, why.data);
	}
	buf_free(&tr->out);
	buf_free(&tr->err_line);
	buf_free(&why);
}

/* reap: records the processes that exited; they end once drained */
static void reap(struct run *r)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		size_t f, t;

		for (f = 0; f < r->plan->nflows; f++) {
			for (t = 0; t < r->plan->flows[f].ntasks; t++) {
				struct task_run *tr = &r->flows[f].tasks[t];

				if (tr->st != ST_RUNNING || tr->pid != pid || tr->exited)
					continue;
				tr->pid = 0;
				tr->exited = 1;
				tr->status = status;
				tr->drain_ms = now_ms() + 2000;
				/* stray processes of its group go with it, and their
				 * ends of the pipes with them */
				kill(-pid, SIGKILL);
			}
		}
	}
}

/* settle_exited: drains every process's pipes and ends the processes that
 * exited and are drained (or gave up their pipes too slowly) */
static void settle_exited(struct run *r)
{
	size_t f, t;
	long long now = now_ms();

	for (f = 0; f < r->plan->nflows; f++) {
		for (t = 0; t < r->plan->flows[f].ntasks; t++) {
			struct task_run *tr = &r->flows[f].tasks[t];

			if (tr->st != ST_RUNNING || (tr->out_fd < 0 && tr->err_fd < 0 && !tr->exited))
				continue;
			drain(r, f, t);
			if (tr->exited && ((tr->out_fd < 0 && tr->err_fd < 0) || now >= tr->drain_ms))
				finish(r, f, t);
		}
	}
}

/* schedule: starts what can start; returns the time of the next deadline
 * (timeouts, kills, retries) or -1 */
static long long schedule(struct run *r)
{
	long long next = -1, now = now_ms();
	size_t f, t, k;

	journal_sync(r);
	for (f = 0; f < r->plan->nflows; f++) {
		const struct plan_flow *pf = &r->plan->flows[f];
		struct flow_run *fr = &r->flows[f];
		int ok;

		if (fr->st == ST_PENDING) {
			if (!flow_needs_settled(r, f, &ok))
				continue;
			if (!ok) {
				fr->st = ST_SKIPPED;
				journal_flow(r, f, "a flow it needs did not succeed");
				skip_tasks(r, f, "a flow it needs did not succeed");
				printf("%s: Skipped: a flow it needs did not succeed\n", pf->name);
				fflush(stdout);
				continue;
			}
			start_flow(r, f);
		}
		if (fr->st != ST_RUNNING)
			continue;
		for (t = 0; t < pf->ntasks; t++) {
			const struct plan_task *pt = &pf->tasks[t];
			struct task_run *tr = &fr->tasks[t];
			int ready = 1, blocked = 0;

			if (tr->st == ST_RUNNING) {
				long long due = tr->kill_ms ? tr->kill_ms : tr->deadline_ms;

				if (tr->exited) {
					/* waiting for its pipes */
					if (next < 0 || tr->drain_ms < next)
						next = tr->drain_ms;
					continue;
				}
				if (tr->deadline_ms && !tr->kill_ms && now >= tr->deadline_ms) {
					tr->timed_out = 1;
					kill(-tr->pid, SIGTERM);
					tr->kill_ms = now + KILL_GRACE_MS;
					due = tr->kill_ms;
				} else if (tr->kill_ms && now >= tr->kill_ms) {
					kill(-tr->pid, SIGKILL);
					due = 0;
				}
				if (due && (next < 0 || due < next))
					next = due;
				continue;
			}
			if (tr->st == ST_RETRYING && tr->retry_ms > now) {
				if (next < 0 || tr->retry_ms < next)
					next = tr->retry_ms;
				continue;
			}
			if (tr->st != ST_PENDING && tr->st != ST_RETRYING)
				continue;
			for (k = 0; k < pt->nneeds; k++) {
				enum run_state st = fr->tasks[pt->needs[k]].st;

				if (st != ST_SUCCESS && st != ST_CACHED)
					ready = 0;
				if (st == ST_FAILED || st == ST_SKIPPED || st == ST_CANCELLED)
					blocked = 1;
			}
			if (blocked) {
				settle_task(r, f, t, ST_SKIPPED, "a task it needs did not succeed");
				continue;
			}
			if (ready && r->running < r->jobs && !interrupted)
				start_task(r, f, t);
		}
		if (fr->settled == pf->ntasks) {
			fr->st = ST_SUCCESS;
			for (t = 0; t < pf->ntasks; t++)
				if (fr->tasks[t].st != ST_SUCCESS && fr->tasks[t].st != ST_CACHED)
					fr->st = ST_FAILED;
			journal_flow(r, f, NULL);
		}
	}
	return next;
}

static int all_settled(const struct run *r)
{
	size_t f;

	for (f = 0; f < r->plan->nflows; f++)
		if (r->flows[f].st == ST_PENDING || r->flows[f].st == ST_RUNNING)
			return 0;
	return 1;
}

static void stop_running(struct run *r)
{
	size_t f, t;

	for (f = 0; f < r->plan->nflows; f++) {
		for (t = 0; t < r->plan->flows[f].ntasks; t++) {
			struct task_run *tr = &r->flows[f].tasks[t];

			if (tr->st == ST_RUNNING && !tr->kill_ms && tr->pid > 0) {
				kill(-tr->pid, SIGTERM);
				tr->kill_ms = now_ms() + KILL_GRACE_MS;
			}
		}
	}
}

/* loop: runs until everything settled or an interrupt ended the running
 * tasks; returns the exit status */
static int loop(struct run *r)
{
	size_t f;

	for (;;) {
		size_t before = r->events;
		long long next = schedule(r), wait;
		struct pollfd pfd = {wake_pipe[0], POLLIN, 0};
		char drain_buf[64];

		if (all_settled(r))
			break;
		if (interrupted) {
			stop_running(r);
			if (!r->running)
				break;
			next = schedule(r);
		}
		if (!r->running && next < 0) {
			/* built-ins settle inside schedule: go round while that
			 * moves things; nothing moving is a stuck plan */
			if (r->events != before)
				continue;
			break;
		}
		wait = next < 0 ? -1 : next - now_ms();
		if (next >= 0 && wait < 0)
			wait = 0;
		{
			/* the wake pipe, and every running task's output pipes */
			struct pollfd *pfds = NULL;
			size_t npfds = 0, cap = 0, g, t;

			VEC_PUSH(pfds, npfds, cap, pfd);
			for (g = 0; g < r->plan->nflows; g++) {
				for (t = 0; t < r->plan->flows[g].ntasks; t++) {
					const struct task_run *tr = &r->flows[g].tasks[t];
					struct pollfd p1 = {tr->out_fd, POLLIN, 0}, p2 = {tr->err_fd, POLLIN, 0};

					if (tr->st != ST_RUNNING)
						continue;
					if (tr->out_fd >= 0)
						VEC_PUSH(pfds, npfds, cap, p1);
					if (tr->err_fd >= 0)
						VEC_PUSH(pfds, npfds, cap, p2);
				}
			}
			if (poll(pfds, npfds, wait > 60000 ? 60000 : (int)wait) > 0 &&
			    (pfds[0].revents & POLLIN))
				while (read(wake_pipe[0], drain_buf, sizeof(drain_buf)) > 0)
					;
			free(pfds);
		}
		reap(r);
		settle_exited(r);
	}
	if (r->tty)
		printf("\r\033[K");
	if (interrupted && r->flow_only >= 0) {
		/* a Slurm job cancelled: its tasks say so; the run goes on elsewhere */
		journal_sync(r);
		return 130;
	}
	if (interrupted) {
		journal(r, json_pack("{s:s,s:s}", "event", "end", "state", "Cancelled"), 1);
		journal_sync(r);
		printf("run %s: Cancelled; resume with: flowrun resume %s\n", r->run_id, r->dir);
		return 130;
	}
	if (r->flow_only >= 0) {
		/* a Slurm job: the run's end is for whoever follows the jobs */
		journal_sync(r);
		return r->flows[r->flow_only].st == ST_SUCCESS ? 0 : 1;
	}
	for (f = 0; f < r->plan->nflows; f++)
		if (r->flows[f].st != ST_SUCCESS)
			break;
	journal(r, json_pack("{s:s,s:s}", "event", "end", "state",
			     f == r->plan->nflows ? "Success" : "Failed"), 1);
	journal_sync(r);
	printf("run %s: %s: %zu of %zu tasks succeeded in %.1f s; results in %s\n", r->run_id,
	       f == r->plan->nflows ? "Success" : "Failed", r->done, r->ntasks,
	       (now_ms() - r->t0) / 1000.0, r->dir);
	return f == r->plan->nflows ? 0 : 1;
}

/* ---- parameters ---- */

json_t *run_params(const struct plan *p, const json_t *given, struct buf *why)
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

		v = json_object_get(given, in->name);
		if (!v && in->deflt)
			v = (json_t *)in->deflt;
		if (!v) {
			buf_printf(why, "%smissing parameter '%s' (%s)", why->len ? "\n" : "", in->name,
				   in->type_text);
			continue;
		}
		{
			struct buf bad = {0};

			if (!type_check_value(in->type, v, in->name, &bad)) {
				buf_printf(why, "%sparameter %s", why->len ? "\n" : "", bad.data);
				buf_free(&bad);
				continue;
			}
		}
		json_object_set(values, in->name, v);
	}
	if (why->len) {
		json_decref(values);
		return NULL;
	}
	return values;
}

/* ---- starting, resuming ---- */

static void new_run_id(char *out, size_t size)
{
	time_t t = time(NULL);
	struct tm tm;
	unsigned rnd = (unsigned)getpid() ^ (unsigned)now_ms();
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, &rnd, sizeof(rnd)) != (ssize_t)sizeof(rnd))
			rnd ^= (unsigned)t;
		close(fd);
	}
	localtime_r(&t, &tm);
	snprintf(out, size, "%04d%02d%02d-%02d%02d%02d-%06x", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, rnd & 0xffffff);
}

static void init_run(struct run *r, struct plan *p)
{
	size_t f;

	r->plan = p;
	r->flows = xcalloc(p->nflows, sizeof(*r->flows));
	for (f = 0; f < p->nflows; f++) {
		size_t t;

		r->flows[f].tasks = xcalloc(p->flows[f].ntasks, sizeof(*r->flows[f].tasks));
		for (t = 0; t < p->flows[f].ntasks; t++)
			r->flows[f].tasks[t].out_fd = r->flows[f].tasks[t].err_fd =
				r->flows[f].tasks[t].err_file = -1;
		r->ntasks += p->flows[f].ntasks;
	}
	r->tty = isatty(1);
	r->t0 = now_ms();
	r->flow_only = -1;
}

static void free_run(struct run *r)
{
	size_t f, t;

	for (f = 0; f < r->plan->nflows; f++) {
		for (t = 0; t < r->plan->flows[f].ntasks; t++) {
			json_decref(r->flows[f].tasks[t].result);
			free(r->flows[f].tasks[t].cache_key);
		}
		for (t = 0; r->flows[f].params && t < r->plan->flows[f].nparams; t++)
			json_decref(r->flows[f].params[t]);
		free(r->flows[f].params);
		free(r->flows[f].tasks);
	}
	free(r->flows);
	json_decref(r->inputs);
	store_close(r->store);
	if (r->journal > 0)
		close(r->journal);
	free(r->dir);
	free(r->run_id);
	free(r->cache_dir);
}

static void open_journal(struct run *r)
{
	char *path = dir_path(r, "journal.jsonl");

	r->journal = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (r->journal < 0)
		fatal("cannot open %s: %s", path, strerror(errno));
	free(path);
}

static int default_jobs(int jobs)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return jobs > 0 ? jobs : n > 0 ? (int)n : 1;
}

/* read_journal: the last state journaled for each task; a task whose last
 * event is Success keeps its result */
static json_t *read_journal(const char *dir)
{
	struct buf path = {0};
	json_t *events = json_array();
	FILE *fp;
	char *line = NULL;
	size_t cap = 0;

	buf_printf(&path, "%s/journal.jsonl", dir);
	fp = fopen(path.data, "rb");
	if (!fp)
		fatal("%s is not a run directory: %s", dir, strerror(errno));
	while (getline(&line, &cap, fp) > 0) {
		json_t *ev = json_loads(line, 0, NULL);

		/* a line cut by a crash is not an event */
		if (ev)
			json_array_append_new(events, ev);
	}
	free(line);
	fclose(fp);
	buf_free(&path);
	return events;
}

/* shell_quote: s in single quotes for sbatch --wrap */
static void shell_quote(struct buf *b, const char *s)
{
	buf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			buf_puts(b, "'\\''");
		else
			buf_putc(b, *s);
	}
	buf_putc(b, '\'');
}

static int final_job_state(const char *st)
{
	return !st || strcmp(st, "COMPLETED") == 0 || strcmp(st, "FAILED") == 0 ||
	       strcmp(st, "CANCELLED") == 0 || strcmp(st, "TIMEOUT") == 0 ||
	       strcmp(st, "NODE_FAIL") == 0 || strcmp(st, "OUT_OF_MEMORY") == 0 ||
	       strcmp(st, "BOOT_FAIL") == 0 || strcmp(st, "DEADLINE") == 0 ||
	       strcmp(st, "PREEMPTED") == 0;
}

/* follow_journal: prints the task events journaled since *seen, and notes
 * each flow's outcome */
static void follow_journal(struct run *r, size_t *seen)
{
	json_t *events = read_journal(r->dir), *ev;
	size_t i;

	json_array_foreach(events, i, ev) {
		const json_t *fj = json_object_get(ev, "flow"), *tj = json_object_get(ev, "task");
		const char *st = json_string_value(json_object_get(ev, "state"));
		size_t f;

		if (i < *seen || !json_is_integer(fj) || !st)
			continue;
		f = (size_t)json_integer_value(fj);
		if (f >= r->plan->nflows)
			continue;
		if (json_is_integer(tj)) {
			const char *why = json_string_value(json_object_get(ev, "reason"));

			printf("%s/%s: %s%s%s\n", r->plan->flows[f].name,
			       json_string_value(json_object_get(ev, "task_name")), st, why ? ": " : "",
			       why ? why : "");
			if (!strcmp(st, "Success") || !strcmp(st, "Cached"))
				r->done++;
		} else if (strcmp(st, "Running") != 0) {
			r->flows[f].st = !strcmp(st, "Success") ? ST_SUCCESS
					 : !strcmp(st, "Skipped") ? ST_SKIPPED : ST_FAILED;
		}
	}
	fflush(stdout);
	*seen = json_array_size(events);
	json_decref(events);
}

/* compact: the non-NULL ids of ids[0..n) into out, their count */
static size_t compact(char *const *ids, size_t n, char **out, size_t *where)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (ids[i]) {
			where[k] = i;
			out[k++] = ids[i];
		}
	return k;
}

static void cancel_jobs(char *const *ids, size_t n)
{
	char **live = xcalloc(n ? n : 1, sizeof(*live));
	size_t *where = xcalloc(n ? n : 1, sizeof(*where)), k = compact(ids, n, live, where);

	if (k)
		slurm_cancel(live, k);
	free(live);
	free(where);
}

/* jobs_states: slurm_states over the submitted jobs; states[i] of a flow
 * without a job is NULL */
static int jobs_states(char *const *ids, size_t n, char **states)
{
	char **live = xcalloc(n ? n : 1, sizeof(*live)), **got = xcalloc(n ? n : 1, sizeof(*got));
	size_t *where = xcalloc(n ? n : 1, sizeof(*where)), k = compact(ids, n, live, where), i;
	int rc = k ? slurm_states(live, k, got) : 0;

	for (i = 0; i < n; i++)
		states[i] = NULL;
	for (i = 0; i < k; i++)
		states[where[i]] = got[i];
	free(live);
	free(got);
	free(where);
	return rc;
}

/* run_slurm: one batch job per flow, each after its parents' jobs
 * (afterok, --kill-on-invalid-dep), each running `flowrun run-flow`; then
 * follows the jobs and the journal unless detached */
static int run_slurm(struct run *r, const struct run_options *o, const char *cwd)
{
	char **ids = xcalloc(r->plan->nflows, sizeof(*ids)), **states;
	char *self = realpath("/proc/self/exe", NULL), *slurm_dir = dir_path(r, "slurm");
	struct buf why = {0};
	size_t f, k, seen = 0;
	int status = 0;

	if (!self)
		fatal("cannot find flowrun's own path: %s", strerror(errno));
	{
		/* follow only what happens from now on */
		json_t *old = read_journal(r->dir);

		seen = json_array_size(old);
		json_decref(old);
	}
	mkdirs(slurm_dir);
	for (f = 0; f < r->plan->nflows; f++) {
		const struct plan_flow *pf = &r->plan->flows[f];
		const char **args = NULL;
		size_t n = 0, cap = 0, ndeps = 0;

		/* resuming: a flow that succeeded keeps its results, no job */
		if (r->flows[f].st == ST_SUCCESS)
			continue;
		struct buf name = {0}, out = {0}, dep = {0}, wrap = {0}, chdir_arg = {0}, part = {0};
		struct buf cpus = {0}, mem = {0}, time_arg = {0};

		buf_printf(&name, "--job-name=flowrun:%s:%s", r->plan->name, pf->name);
		buf_printf(&out, "--output=%s/%s-%%j.out", slurm_dir, pf->name);
		buf_printf(&chdir_arg, "--chdir=%s", cwd);
		VEC_PUSH(args, n, cap, name.data);
		VEC_PUSH(args, n, cap, out.data);
		VEC_PUSH(args, n, cap, chdir_arg.data);
		VEC_PUSH(args, n, cap, "--kill-on-invalid-dep=yes");
		for (k = 0; k < pf->nneeds; k++)
			if (ids[pf->needs[k]])
				buf_printf(&dep, "%s%s", ndeps++ ? ":" : "--dependency=afterok:",
					   ids[pf->needs[k]]);
		if (ndeps)
			VEC_PUSH(args, n, cap, dep.data);
		/* the flow's own resources; its partition before the command line's */
		if (pf->partition || o->partition) {
			buf_printf(&part, "--partition=%s", pf->partition ? pf->partition : o->partition);
			VEC_PUSH(args, n, cap, part.data);
		}
		if (pf->cpus) {
			buf_printf(&cpus, "--cpus-per-task=%lld", pf->cpus);
			VEC_PUSH(args, n, cap, cpus.data);
		}
		if (pf->mem_mb) {
			buf_printf(&mem, "--mem=%lldM", pf->mem_mb);
			VEC_PUSH(args, n, cap, mem.data);
		}
		if (pf->time_s) {
			long long min = (pf->time_s + 59) / 60;

			buf_printf(&time_arg, "--time=%lld:%02lld:00", min / 60, min % 60);
			VEC_PUSH(args, n, cap, time_arg.data);
		}
		for (k = 0; k < o->nsbatch_args; k++)
			VEC_PUSH(args, n, cap, o->sbatch_args[k]);
		buf_puts(&wrap, "--wrap=exec ");
		shell_quote(&wrap, self);
		buf_puts(&wrap, " run-flow ");
		shell_quote(&wrap, r->dir);
		buf_printf(&wrap, " %zu", f);
		VEC_PUSH(args, n, cap, wrap.data);
		ids[f] = slurm_submit(args, n, &why);
		free(args);
		buf_free(&name);
		buf_free(&out);
		buf_free(&dep);
		buf_free(&wrap);
		buf_free(&chdir_arg);
		buf_free(&part);
		buf_free(&cpus);
		buf_free(&mem);
		buf_free(&time_arg);
		if (!ids[f]) {
			/* what was submitted would wait for nothing: take it back */
			cancel_jobs(ids, f);
			fatal("flow %s: %s", pf->name, why.data);
		}
		journal(r, json_pack("{s:s,s:i,s:s,s:s}", "event", "submit", "flow", (json_int_t)f,
				     "flow_name", pf->name, "job", ids[f]), 1);
		printf("%s: job %s\n", pf->name, ids[f]);
	}
	journal_sync(r);
	fflush(stdout);
	if (o->detach) {
		printf("run %s: submitted; follow it with: flowrun status %s\n", r->run_id, r->dir);
		goto out;
	}
	states = xcalloc(r->plan->nflows, sizeof(*states));
	for (;;) {
		struct pollfd pfd = {wake_pipe[0], POLLIN, 0};
		char drain[64];
		int all_final = 1;

		follow_journal(r, &seen);
		if (interrupted) {
			cancel_jobs(ids, r->plan->nflows);
			journal(r, json_pack("{s:s,s:s}", "event", "end", "state", "Cancelled"), 1);
			journal_sync(r);
			printf("run %s: Cancelled; its jobs were cancelled\n", r->run_id);
			status = 130;
			break;
		}
		if (jobs_states(ids, r->plan->nflows, states) < 0)
			fatal("squeue cannot be run");
		for (f = 0; f < r->plan->nflows; f++) {
			if (ids[f] && !final_job_state(states[f]))
				all_final = 0;
			free(states[f]);
		}
		if (all_final) {
			follow_journal(r, &seen);
			/* a job that ended without its flow journaling an outcome was
			 * cancelled (a parent failed) or died: its flow did not run */
			for (f = 0; f < r->plan->nflows; f++) {
				if (!ids[f] || (r->flows[f].st != ST_PENDING && r->flows[f].st != ST_RUNNING))
					continue;
				r->flows[f].st = ST_SKIPPED;
				journal_flow(r, f, "its Slurm job ended before the flow finished");
				skip_tasks(r, f, "its Slurm job ended before the flow finished");
				printf("%s: Skipped: its Slurm job %s ended before the flow finished\n",
				       r->plan->flows[f].name, ids[f]);
			}
			for (f = 0; f < r->plan->nflows; f++)
				if (r->flows[f].st != ST_SUCCESS)
					break;
			status = f == r->plan->nflows ? 0 : 1;
			journal(r, json_pack("{s:s,s:s}", "event", "end", "state",
					     status ? "Failed" : "Success"), 1);
			journal_sync(r);
			printf("run %s: %s: %zu of %zu tasks succeeded in %.1f s; results in %s\n",
			       r->run_id, status ? "Failed" : "Success", r->done, r->ntasks,
			       (now_ms() - r->t0) / 1000.0, r->dir);
			break;
		}
		if (poll(&pfd, 1, 500) > 0)
			while (read(wake_pipe[0], drain, sizeof(drain)) > 0)
				;
	}
	free(states);
out:
	for (f = 0; f < r->plan->nflows; f++)
		free(ids[f]);
	free(ids);
	free(self);
	free(slurm_dir);
	buf_free(&why);
	return status;
}

int run_start(struct plan *p, struct run_options *o)
{
	struct run r = {0};
	struct buf why = {0};
	char id[64], *path, *text, *cwd;
	json_t *meta, *fsmap;
	size_t i;
	int status;

	r.inputs = run_params(p, o->params, &why);
	if (!r.inputs) {
		fprintf(stderr, "flowrun: the parameters do not fit the plan:\n%s\n", why.data);
		buf_free(&why);
		return 2;
	}
	cwd = realpath(".", NULL);
	if (!cwd)
		fatal("cannot find the current directory: %s", strerror(errno));
	for (i = 0; i < o->files.n && strcmp(o->files.names[i], "local") != 0; i++)
		;
	if (i == o->files.n) {
		struct buf spec = {0};

		buf_printf(&spec, "local=%s", cwd);
		if (files_add(&o->files, spec.data, &why) < 0)
			fatal("%s", why.data);
		buf_free(&spec);
	}
	new_run_id(id, sizeof(id));
	r.run_id = xstrdup(id);
	if (o->run_dir) {
		r.dir = xstrdup(o->run_dir);
	} else {
		struct buf d = {0};

		buf_printf(&d, ".flowrun/runs/%s", id);
		r.dir = buf_steal(&d);
	}
	mkdirs(r.dir);
	free(r.dir);
	r.dir = realpath(o->run_dir ? o->run_dir : ".", NULL);
	if (!o->run_dir) {
		struct buf d = {0};

		buf_printf(&d, "%s/.flowrun/runs/%s", r.dir, id);
		free(r.dir);
		r.dir = buf_steal(&d);
	}
	if (!o->results_db)
		o->results_db = getenv("FLOWRUN_RESULTS_DB");
	r.store = store_open(o->results_db ? o->results_db : ".flowrun/results.db", &why);
	if (!r.store)
		fatal("%s", why.data);
	init_run(&r, p);
	r.jobs = default_jobs(o->jobs);
	r.files = &o->files;
	r.verbose = o->verbose;
	{
		struct buf c = {0};

		buf_printf(&c, "%s/.flowrun/cache", cwd);
		r.cache_dir = buf_steal(&c);
	}
	/* everything resume needs, before anything runs */
	path = dir_path(&r, "plan.json");
	text = json_dumps(p->root, PLAN_DUMP_FLAGS);
	if (write_file_atomic(path, text, strlen(text)) != 0)
		fatal("cannot write %s: %s", path, strerror(errno));
	free(text);
	free(path);
	fsmap = json_object();
	for (i = 0; i < o->files.n; i++)
		json_object_set_new(fsmap, o->files.names[i], json_string(o->files.roots[i]));
	{
		char *db = o->results_db ? xstrdup(o->results_db) : NULL;

		if (!db) {
			struct buf b = {0};

			buf_printf(&b, "%s/.flowrun/results.db", cwd);
			db = buf_steal(&b);
		}
		meta = json_pack("{s:s,s:s,s:O,s:o,s:s,s:s}", "run_id", r.run_id, "plan_hash", p->hash,
				 "params", r.inputs, "filesystems", fsmap, "results_db", db, "cwd", cwd);
		free(db);
	}
	path = dir_path(&r, "run.json");
	text = json_dumps(meta, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (write_file_atomic(path, text, strlen(text)) != 0)
		fatal("cannot write %s: %s", path, strerror(errno));
	free(text);
	free(path);
	json_decref(meta);
	open_journal(&r);
	journal(&r, json_pack("{s:s,s:s}", "event", "start", "run_id", r.run_id), 1);
	journal_sync(&r);
	printf("run %s: %zu flows, %zu tasks, up to %d at once; directory %s\n", r.run_id, p->nflows,
	       r.ntasks, r.jobs, r.dir);
	fflush(stdout);
	setup_signals();
	status = o->slurm ? run_slurm(&r, o, cwd) : loop(&r);
	free_run(&r);
	free(cwd);
	buf_free(&why);
	return status;
}

static struct plan *load_run_plan(const char *dir, json_t **meta)
{
	struct plan *p = xcalloc(1, sizeof(*p));
	struct buf path = {0}, err = {0};
	json_error_t jerr;

	buf_printf(&path, "%s/plan.json", dir);
	if (plan_load(p, path.data, &err) < 0)
		fatal("%s: %s", path.data, err.data);
	path.len = 0;
	buf_printf(&path, "%s/run.json", dir);
	*meta = json_load_file(path.data, 0, &jerr);
	if (!*meta)
		fatal("%s: %s", path.data, jerr.text);
	buf_free(&path);
	buf_free(&err);
	return p;
}

int run_resume(const char *dir, int jobs, int verbose, long flow_only,
	       const struct run_options *slurm)
{
	struct run r = {0};
	struct files files = {0};
	struct buf why = {0};
	json_t *meta, *events, *ev, *roots, *root;
	struct plan *p = load_run_plan(dir, &meta);
	const char *key;
	size_t i, f, t;
	int status;

	init_run(&r, p);
	r.flow_only = flow_only;
	if (flow_only >= (long)p->nflows)
		fatal("the plan has no flow %ld", flow_only);
	r.dir = realpath(dir, NULL);
	r.run_id = xstrdup(json_string_value(json_object_get(meta, "run_id")));
	r.inputs = json_incref(json_object_get(meta, "params"));
	roots = json_object_get(meta, "filesystems");
	json_object_foreach(roots, key, root) {
		struct buf spec = {0};

		buf_printf(&spec, "%s=%s", key, json_string_value(root));
		if (files_add(&files, spec.data, &why) < 0)
			fatal("%s", why.data);
		buf_free(&spec);
	}
	r.files = &files;
	r.store = store_open(json_string_value(json_object_get(meta, "results_db")), &why);
	if (!r.store)
		fatal("%s", why.data);
	r.jobs = default_jobs(jobs);
	r.verbose = verbose;
	{
		struct buf c = {0};

		buf_printf(&c, "%s/.flowrun/cache", json_string_value(json_object_get(meta, "cwd")));
		r.cache_dir = buf_steal(&c);
	}
	events = read_journal(r.dir);
	json_array_foreach(events, i, ev) {
		const json_t *fj = json_object_get(ev, "flow"), *tj = json_object_get(ev, "task");
		const char *st = json_string_value(json_object_get(ev, "state"));

		if (!json_is_integer(fj) || !json_is_integer(tj) || !st)
			continue;
		f = (size_t)json_integer_value(fj);
		t = (size_t)json_integer_value(tj);
		if (f >= p->nflows || t >= p->flows[f].ntasks)
			continue;
		r.flows[f].tasks[t].st = strcmp(st, "Success") == 0 || strcmp(st, "Cached") == 0
						 ? ST_SUCCESS : ST_PENDING;
	}
	json_decref(events);
	/* a journaled success keeps its result; without one it runs again */
	for (f = 0; f < p->nflows; f++) {
		for (t = 0; t < p->flows[f].ntasks; t++) {
			struct task_run *tr = &r.flows[f].tasks[t];
			struct buf path = {0};

			if (tr->st != ST_SUCCESS)
				continue;
			buf_printf(&path, "%s/tasks/%s/%s.result.json", r.dir, p->flows[f].name,
				   p->flows[f].tasks[t].name);
			tr->result = json_load_file(path.data, JSON_DECODE_ANY, NULL);
			buf_free(&path);
			if (!tr->result) {
				tr->st = ST_PENDING;
				continue;
			}
			r.flows[f].settled++;
			r.done++;
		}
	}
	open_journal(&r);
	if (flow_only >= 0) {
		/* only this flow runs here; the others are done, or are the business
		 * of other jobs; a parent that did not succeed skips this flow
		 * whatever Slurm thought of its job */
		for (f = 0; f < p->nflows; f++)
			if ((long)f != flow_only)
				r.flows[f].st = r.flows[f].settled == p->flows[f].ntasks ? ST_SUCCESS
											 : ST_SKIPPED;
		printf("run %s: flow %s in job %s\n", r.run_id, p->flows[flow_only].name,
		       getenv("SLURM_JOB_ID") ? getenv("SLURM_JOB_ID") : "(none)");
	} else {
		journal(&r, json_pack("{s:s,s:s}", "event", "resume", "run_id", r.run_id), 1);
		journal_sync(&r);
		printf("run %s: resuming, %zu of %zu tasks already succeeded\n", r.run_id, r.done,
		       r.ntasks);
	}
	fflush(stdout);
	if (chdir(json_string_value(json_object_get(meta, "cwd"))) != 0)
		fatal("cannot enter the run's directory %s: %s",
		      json_string_value(json_object_get(meta, "cwd")), strerror(errno));
	setup_signals();
	if (slurm && flow_only < 0) {
		/* flows whose tasks all succeeded keep their results and get no job */
		for (f = 0; f < p->nflows; f++)
			if (r.flows[f].settled == p->flows[f].ntasks)
				r.flows[f].st = ST_SUCCESS;
		status = run_slurm(&r, slurm, json_string_value(json_object_get(meta, "cwd")));
	} else {
		status = loop(&r);
	}
	free_run(&r);
	files_free(&files);
	plan_free(p);
	free(p);
	json_decref(meta);
	buf_free(&why);
	return status;
}

int run_status(const char *dir)
{
	json_t *meta, *events = read_journal(dir), *ev;
	struct plan *p = load_run_plan(dir, &meta);
	const json_t **last;
	size_t i, f, t, k = 0, total = 0;
	const char *end = "Running (or stopped without finishing)";
	int status = 0;

	for (f = 0; f < p->nflows; f++)
		total += p->flows[f].ntasks;
	last = xcalloc(total ? total : 1, sizeof(*last));
	json_array_foreach(events, i, ev) {
		const json_t *fj = json_object_get(ev, "flow"), *tj = json_object_get(ev, "task");
		size_t g;

		if (json_is_string(json_object_get(ev, "event")) &&
		    !strcmp(json_string_value(json_object_get(ev, "event")), "end"))
			end = json_string_value(json_object_get(ev, "state"));
		if (json_is_string(json_object_get(ev, "event")) &&
		    !strcmp(json_string_value(json_object_get(ev, "event")), "resume"))
			end = "Running (or stopped without finishing)";
		if (!json_is_integer(fj) || !json_is_integer(tj))
			continue;
		f = (size_t)json_integer_value(fj);
		t = (size_t)json_integer_value(tj);
		if (f >= p->nflows || t >= p->flows[f].ntasks)
			continue;
		for (k = 0, g = 0; g < f; g++)
			k += p->flows[g].ntasks;
		last[k + t] = ev;
	}
	/* a detached Slurm run has no end event: every flow settled is its end */
	if (strncmp(end, "Running", 7) == 0) {
		enum run_state *fst = xcalloc(p->nflows, sizeof(*fst));
		int all = 1, ok = 1;

		json_array_foreach(events, i, ev) {
			const json_t *fj = json_object_get(ev, "flow");
			const char *st = json_string_value(json_object_get(ev, "state"));

			if (!json_is_integer(fj) || json_object_get(ev, "task") || !st ||
			    (size_t)json_integer_value(fj) >= p->nflows)
				continue;
			fst[json_integer_value(fj)] = !strcmp(st, "Success") ? ST_SUCCESS
						      : !strcmp(st, "Running") ? ST_RUNNING : ST_FAILED;
		}
		for (f = 0; f < p->nflows; f++) {
			all &= fst[f] == ST_SUCCESS || fst[f] == ST_FAILED;
			ok &= fst[f] == ST_SUCCESS;
		}
		if (all)
			end = ok ? "Success" : "Failed";
		free(fst);
	}
	/* Slurm runs: a flow whose job Slurm no longer runs, and that journaled
	 * no outcome, did not finish: it is not Running */
	{
		char **ids = xcalloc(p->nflows, sizeof(*ids)), **states;
		int *settled = xcalloc(p->nflows, sizeof(*settled)), any = 0;

		json_array_foreach(events, i, ev) {
			const json_t *fj = json_object_get(ev, "flow");
			const char *evn = json_string_value(json_object_get(ev, "event"));
			const char *st = json_string_value(json_object_get(ev, "state"));

			if (!json_is_integer(fj) || (size_t)json_integer_value(fj) >= p->nflows)
				continue;
			f = (size_t)json_integer_value(fj);
			if (evn && !strcmp(evn, "submit") && json_is_string(json_object_get(ev, "job"))) {
				free(ids[f]);
				ids[f] = xstrdup(json_string_value(json_object_get(ev, "job")));
				any = 1;
			} else if (!json_object_get(ev, "task") && st && strcmp(st, "Running") != 0) {
				settled[f] = 1;
			}
		}
		states = xcalloc(p->nflows, sizeof(*states));
		if (any && slurm_states(ids, p->nflows, states) == 0) {
			for (f = 0; f < p->nflows; f++) {
				if (!ids[f] || settled[f])
					continue;
				if (final_job_state(states[f])) {
					printf("  %s: Failed: its job %s %s without the flow finishing\n",
					       p->flows[f].name, ids[f],
					       states[f] ? "ended" : "is unknown to Slurm");
					status = 1;
					if (strncmp(end, "Running", 7) == 0)
						end = "Failed (jobs ended without finishing)";
				} else {
					printf("  %s: job %s is %s\n", p->flows[f].name, ids[f], states[f]);
				}
			}
		}
		for (f = 0; f < p->nflows; f++) {
			free(ids[f]);
			free(states[f]);
		}
		free(ids);
		free(states);
		free(settled);
	}
	printf("run %s: %s\n", json_string_value(json_object_get(meta, "run_id")), end);
	printf("  %-40s %-10s %10s  %s\n", "flow/task", "state", "seconds", "exit / reason");
	for (k = 0, f = 0; f < p->nflows; f++) {
		for (t = 0; t < p->flows[f].ntasks; t++, k++) {
			const json_t *e = last[k];
			char name[256];

			snprintf(name, sizeof(name), "%s/%s", p->flows[f].name, p->flows[f].tasks[t].name);
			if (!e) {
				printf("  %-40s %-10s %10s\n", name, "Pending", "-");
				continue;
			}
			printf("  %-40s %-10s ", name, json_string_value(json_object_get(e, "state")));
			if (json_is_integer(json_object_get(e, "ms")))
				printf("%10.2f", json_integer_value(json_object_get(e, "ms")) / 1000.0);
			else
				printf("%10s", "-");
			if (json_object_get(e, "reason"))
				printf("  %s", json_string_value(json_object_get(e, "reason")));
			else if (!strcmp(json_string_value(json_object_get(e, "state")), "Success"))
				printf("  0");
			printf("\n");
		}
	}
	if (strcmp(end, "Success") != 0)
		status = 1;
	free(last);
	json_decref(events);
	json_decref(meta);
	plan_free(p);
	free(p);
	return status;
}

int run_result(const char *dir, const char *what)
{
	json_t *meta, *out = NULL;
	struct plan *p = load_run_plan(dir, &meta);
	const char *slash = strchr(what, '/');
	size_t flen = slash ? (size_t)(slash - what) : strlen(what), f, t;
	int status = 0;

	for (f = 0; f < p->nflows; f++)
		if (strlen(p->flows[f].name) == flen && !strncmp(p->flows[f].name, what, flen))
			break;
	if (f == p->nflows)
		fatal("the run has no flow '%.*s'", (int)flen, what);
	for (t = 0; t < p->flows[f].ntasks; t++) {
		struct buf path = {0};
		json_t *v;

		if (slash && strcmp(p->flows[f].tasks[t].name, slash + 1) != 0)
			continue;
		buf_printf(&path, "%s/tasks/%s/%s.result.json", dir, p->flows[f].name,
			   p->flows[f].tasks[t].name);
		v = json_load_file(path.data, JSON_DECODE_ANY, NULL);
		buf_free(&path);
		if (slash) {
			if (!v)
				fatal("%s has no result (it has not succeeded)", what);
			out = v;
			break;
		}
		if (!out)
			out = json_object();
		json_object_set_new(out, p->flows[f].tasks[t].name, v ? v : json_null());
	}
	if (!out)
		fatal("flow '%.*s' has no task '%s'", (int)flen, what, slash + 1);
	{
		char *text = json_dumps(out, JSON_INDENT(2) | JSON_ENCODE_ANY);

		printf("%s\n", text);
		free(text);
	}
	json_decref(out);
	json_decref(meta);
	plan_free(p);
	free(p);
	return status;
}

/* slurm.c: the Slurm backend (docs/run.md, "The Slurm backend"): one
 * batch job per flow, submitted with afterok dependencies, its body
 * `flowrun run-flow`; jobs followed through squeue and the flows' own
 * journal files, cancelled with scancel. Slurm's rules (job states, sbatch
 * arguments) live here and nowhere else. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>


#include "backend.h"
#include "proc.h"
#include "signals.h"

/* how often squeue is asked while jobs run */
#define SQUEUE_EVERY_MS 500
/* how often the job bodies' journal files are read for what they did: how
 * late a flow's outcome (and the end of the run) can be noticed */
#define TAIL_EVERY_MS 100
/* squeue failures in a row before the run gives up following its jobs */
#define SQUEUE_TRIES 20

static char *slurm_submit(const char *const *args, size_t nargs, struct buf *why)
{
	char **argv = xcalloc(nargs + 3, sizeof(*argv));
	struct buf out = {0};
	size_t i;
	int rc;

	argv[0] = "sbatch";
	argv[1] = "--parsable";
	for (i = 0; i < nargs; i++)
		argv[i + 2] = (char *)args[i];
	rc = proc_command(argv, &out, NULL);
	free(argv);
	if (rc != 0) {
		while (out.len && (out.data[out.len - 1] == '\n'))
			out.data[--out.len] = '\0';
		buf_printf(why, "sbatch %s: %s", rc < 0 ? "cannot be run" : "failed",
			   out.len ? out.data : "(no message)");
		buf_free(&out);
		return NULL;
	}
	/* --parsable prints "id" or "id;cluster" */
	out.data[strcspn(out.data, ";\n")] = '\0';
	return buf_steal(&out);
}

static int slurm_states(char *const *ids, size_t n, char **states)
{
	struct buf list = {0}, out = {0};
	char *argv[] = {"squeue", "-h", "-t", "all", "-o", "%i|%T", "-j", NULL, NULL};
	char *line, *save = NULL;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		buf_printf(&list, "%s%s", i ? "," : "", ids[i]);
		states[i] = NULL;
	}
	argv[7] = list.data;
	rc = proc_command(argv, &out, NULL);
	buf_free(&list);
	/* squeue fails for a list of only unknown jobs: they are all gone;
	 * any other failure (a controller that does not answer) says nothing */
	if (rc < 0 || (rc != 0 && !(out.data && strstr(out.data, "Invalid job id")))) {
		buf_free(&out);
		return -1;
	}
	for (line = strtok_r(out.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *bar = strchr(line, '|');

		if (!bar)
			continue;
		*bar = '\0';
		for (i = 0; i < n; i++)
			if (!states[i] && strcmp(ids[i], line) == 0)
				states[i] = xstrdup(bar + 1);
	}
	buf_free(&out);
	return 0;
}

static void slurm_cancel(char *const *ids, size_t n)
{
	char **argv = xcalloc(n + 2, sizeof(*argv));
	struct buf out = {0};
	size_t i;

	argv[0] = "scancel";
	for (i = 0; i < n; i++)
		argv[i + 1] = ids[i];
	proc_command(argv, &out, NULL);
	buf_free(&out);
	free(argv);
}

/* final_state: a job state after which the job runs no more */
static int final_state(const char *st)
{
	static const char *const finals[] = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT",
					     "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE",
					     "PREEMPTED", "SPECIAL_EXIT", NULL};
	size_t i;

	if (!st)
		return 1;
	for (i = 0; finals[i]; i++)
		if (strcmp(st, finals[i]) == 0)
			return 1;
	return 0;
}

struct backend {
	struct backend_env env;     /* from the driver */
	char **ids;                 /* per flow: its job in this session, or NULL */
	unsigned char **ok;         /* per flow, per task: it succeeded in this session's job */
	int *ended;                 /* per flow: its outcome was reported */
	char *self;                 /* flowrun's own path, for the job bodies */
	char *slurm_dir;            /* where the jobs' output goes */
	struct journal_tail *tail;  /* the job bodies' journal files of this session */
	long long next_squeue;      /* when to ask squeue next (monotonic ms) */
	int squeue_failures;        /* in a row */
	int cancelled;              /* cancel was called */
};

static struct backend *slurm_open(const struct backend_env *env, struct buf *why)
{
	struct backend *b = xcalloc(1, sizeof(*b));
	char *own = journal_name(env->session, -1, 0);

	b->env = *env;
	b->ids = xcalloc(env->plan->nflows, sizeof(*b->ids));
	b->ended = xcalloc(env->plan->nflows, sizeof(*b->ended));
	b->ok = xcalloc(env->plan->nflows, sizeof(*b->ok));
	b->self = realpath("/proc/self/exe", NULL);
	b->slurm_dir = rundir_path(env->dir, "slurm");
	b->tail = journal_tail_new(env->dir, env->session, own);
	free(own);
	if (!b->self)
		buf_printf(why, "cannot find flowrun's own path: %s", strerror(errno));
	else if (util_mkdirs(b->slurm_dir) != 0)
		buf_printf(why, "cannot make %s: %s", b->slurm_dir, strerror(errno));
	if (why->len) {
		free(b->self);
		b->self = NULL;
	}
	return b;
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

static int slurm_start(struct backend *b, size_t f, struct buf *why)
{
	const struct plan_flow *pf = &b->env.plan->flows[f];
	const struct run_meta *m = b->env.meta;
	char **args = NULL, *id;
	size_t n = 0, cap = 0, k, ndeps = 0;
	struct buf dep = {0}, wrap = {0};
	struct journal_event ev = {0};

	if (!b->self) {
		buf_puts(why, "the Slurm backend could not start");
		return -1;
	}
	strv_addf(&args, &n, &cap, "--job-name=flowrun:%s:%s", b->env.plan->name, pf->name);
	strv_addf(&args, &n, &cap, "--output=%s/%s-%%j.out", b->slurm_dir, pf->name);
	strv_addf(&args, &n, &cap, "--chdir=%s", m->cwd);
	strv_addf(&args, &n, &cap, "--kill-on-invalid-dep=yes");
	for (k = 0; k < pf->nneeds; k++)
		if (b->ids[pf->needs[k]])
			buf_printf(&dep, "%s%s", ndeps++ ? ":" : "", b->ids[pf->needs[k]]);
	if (ndeps)
		strv_addf(&args, &n, &cap, "--dependency=afterok:%s", dep.data);
	/* the flow's own resources; its partition before the command line's */
	if (pf->partition || m->partition)
		strv_addf(&args, &n, &cap, "--partition=%s", pf->partition ? pf->partition : m->partition);
	if (pf->cpus)
		strv_addf(&args, &n, &cap, "--cpus-per-task=%lld", pf->cpus);
	if (pf->mem_mb)
		strv_addf(&args, &n, &cap, "--mem=%lldM", pf->mem_mb);
	if (pf->time_s) {
		long long min = (pf->time_s + 59) / 60;

		strv_addf(&args, &n, &cap, "--time=%lld:%02lld:00", min / 60, min % 60);
	}
	for (k = 0; k < m->nsbatch_args; k++)
		strv_addf(&args, &n, &cap, "%s", m->sbatch_args[k]);
	buf_puts(&wrap, "--wrap=exec ");
	shell_quote(&wrap, b->self);
	buf_puts(&wrap, " run-flow ");
	shell_quote(&wrap, b->env.dir);
	buf_printf(&wrap, " %zu %u", f, b->env.session);
	VEC_PUSH(args, n, cap, buf_steal(&wrap));
	id = slurm_submit((const char *const *)args, n, why);
	for (k = 0; k < n; k++)
		free(args[k]);
	free(args);
	buf_free(&dep);
	if (!id) {
		struct buf msg = {0};

		buf_printf(&msg, "flow %s: %s", pf->name, why->data);
		buf_free(why);
		*why = msg;
		return -1;
	}
	b->ids[f] = id;
	ev.kind = JE_SUBMIT;
	ev.flow = (long)f;
	ev.flow_name = pf->name;
	ev.unit = id;
	progress_say(b->env.progress, "%s: job %s", pf->name, id);
	if (journal_add(b->env.journal, &ev, why) != 0 || journal_flush(b->env.journal, why) != 0)
		return -1;
	return 0;
}

/* on_event: what the job bodies journaled: task changes are printed, flow
 * outcomes reported */
static int on_event(void *ctx, const struct journal_event *ev)
{
	struct backend *b = ctx;
	struct progress *p = b->env.progress;

	if (ev->flow < 0 || (size_t)ev->flow >= b->env.plan->nflows)
		return 0;
	if (ev->kind == JE_TASK && (size_t)ev->task < b->env.plan->flows[ev->flow].ntasks) {
		if (!b->ok[ev->flow])
			b->ok[ev->flow] = xcalloc(b->env.plan->flows[ev->flow].ntasks + 1, 1);
		b->ok[ev->flow][ev->task] = (unsigned char)journal_state_ok(ev->state);
	}
	if (ev->kind == JE_TASK && ev->state != ST_PENDING) {
		/* a job body's task runs, then retries or ends (a cache hit or a
		 * skip never ran) */
		if (ev->state == ST_RUNNING)
			p->running++;
		else if (p->running && ev->state != ST_CACHED && ev->state != ST_SKIPPED)
			p->running--;
		progress_count(p, ev->state);
		progress_task(p, b->env.plan->flows[ev->flow].name, ev->task_name ? ev->task_name : "?",
			      ev->state, ev->attempt, ev->reason);
	} else if (ev->kind == JE_FLOW && journal_state_final(ev->state) && !b->ended[ev->flow]) {
		b->ended[ev->flow] = 1;
		b->env.ended(b->env.ctx, (size_t)ev->flow, ev->state, NULL, ev->reason);
	}
	return 0;
}

/* open_units: per flow, its job in this session when the flow has no
 * outcome yet, else NULL; how many there are */
static size_t open_units(struct backend *b, char **ids)
{
	size_t f, n = 0;

	for (f = 0; f < b->env.plan->nflows; f++) {
		ids[f] = b->ids[f] && !b->ended[f] ? b->ids[f] : NULL;
		n += ids[f] != NULL;
	}
	return n;
}

static int slurm_live(char *const *ids, size_t n, char **states, int *alive, struct buf *why);

static int slurm_wait(struct backend *b, struct buf *why)
{
	size_t nf = b->env.plan->nflows, f;
	char **ids = NULL, **states = NULL;
	int *alive = NULL, rc;
	struct pollfd pfd = {sig_wake_fd(), POLLIN, 0};
	struct buf failed = {0};
	long long now = progress_ms();

	if (b->next_squeue > now &&
	    poll(&pfd, 1, (int)(b->next_squeue - now < TAIL_EVERY_MS ? b->next_squeue - now
								    : TAIL_EVERY_MS)) > 0)
		sig_drain();
	rc = journal_tail_read(b->tail, on_event, b, why);
	progress_flush();
	if (rc != 0)
		return -1;
	if (progress_ms() < b->next_squeue && !sig_interrupted())
		return 0;
	b->next_squeue = progress_ms() + SQUEUE_EVERY_MS;
	ids = xcalloc(nf, sizeof(*ids));
	states = xcalloc(nf, sizeof(*states));
	alive = xcalloc(nf, sizeof(*alive));
	if (!open_units(b, ids)) {
		/* nothing left to ask about */
	} else if (slurm_live(ids, nf, states, alive, &failed) != 0) {
		if (++b->squeue_failures >= SQUEUE_TRIES) {
			buf_puts(why, "squeue cannot be run: the jobs cannot be followed");
			rc = -1;
		}
		memset(ids, 0, nf * sizeof(*ids));
	} else {
		b->squeue_failures = 0;
		/* a job may have written its outcome just before it ended */
		rc = journal_tail_read(b->tail, on_event, b, why);
	}
	for (f = 0; f < nf && rc == 0; f++) {
		if (!ids[f] || b->ended[f] || alive[f])
			continue;
		b->ended[f] = 1;
		if (b->cancelled) {
			b->env.ended(b->env.ctx, f, ST_CANCELLED, NULL, NULL);
		} else {
			/* cancelled by Slurm (a flow it needs failed, with
			 * --kill-on-invalid-dep) or killed: its flow did not run */
			struct buf msg = {0};

			buf_printf(&msg, "its Slurm job %s ended before the flow finished", b->ids[f]);
			if (!b->ok[f])
				b->ok[f] = xcalloc(b->env.plan->flows[f].ntasks + 1, 1);
			b->env.ended(b->env.ctx, f, ST_SKIPPED, b->ok[f], msg.data);
			buf_free(&msg);
		}
	}
	for (f = 0; f < nf; f++)
		free(states[f]);
	free(states);
	free(ids);
	free(alive);
	buf_free(&failed);
	return rc;
}

static void slurm_cancel_all(struct backend *b)
{
	size_t nf = b->env.plan->nflows, f, n = 0;
	char **ids = xcalloc(nf, sizeof(*ids)), **list = xcalloc(nf ? nf : 1, sizeof(*list));

	b->cancelled = 1;
	b->next_squeue = 0;
	open_units(b, ids);
	for (f = 0; f < nf; f++)
		if (ids[f])
			list[n++] = ids[f];
	if (n)
		slurm_cancel(list, n);
	free(ids);
	free(list);
}

static int slurm_busy(struct backend *b)
{
	size_t f;

	for (f = 0; f < b->env.plan->nflows; f++)
		if (b->ids[f] && !b->ended[f])
			return 1;
	return 0;
}

static int slurm_live(char *const *ids, size_t n, char **states, int *alive, struct buf *why)
{
	char **live = xcalloc(n ? n : 1, sizeof(*live)), **got = xcalloc(n ? n : 1, sizeof(*got));
	size_t *where = xcalloc(n ? n : 1, sizeof(*where)), k = 0, i;
	int rc = 0;

	for (i = 0; i < n; i++) {
		states[i] = NULL;
		alive[i] = 0;
		if (ids[i]) {
			where[k] = i;
			live[k++] = ids[i];
		}
	}
	if (k && slurm_states(live, k, got) != 0) {
		buf_puts(why, "squeue cannot be run");
		rc = -1;
	}
	for (i = 0; i < k && rc == 0; i++) {
		states[where[i]] = got[i];
		alive[where[i]] = !final_state(got[i]);
	}
	free(live);
	free(got);
	free(where);
	return rc;
}

static void slurm_close(struct backend *b)
{
	size_t f;

	for (f = 0; f < b->env.plan->nflows; f++) {
		free(b->ids[f]);
		free(b->ok[f]);
	}
	free(b->ids);
	free(b->ok);
	free(b->ended);
	free(b->self);
	free(b->slurm_dir);
	journal_tail_free(b->tail);
	free(b);
}

const struct backend_ops backend_slurm = {
	"slurm", 1, slurm_open, slurm_start, slurm_wait, slurm_cancel_all, slurm_busy, slurm_live,
	slurm_close,
};

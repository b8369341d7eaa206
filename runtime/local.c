/* local.c: the local backend: every flow runs in this process, its tasks
 * as processes through the scheduler. It decides nothing the scheduler
 * or the driver decides. */
#include <stdlib.h>

#include "backend.h"
#include "schedule.h"

struct backend {
	struct backend_env env;     /* from the driver */
	struct sched *sched;        /* runs the flows */
	json_t *inputs;             /* composed parameter values */
	struct buf cache_dir;       /* .flowrun/cache of the run's directory */
};

static void on_flow_ended(void *ctx, size_t f, enum run_state st)
{
	struct backend *b = ctx;

	b->env.ended(b->env.ctx, f, st, NULL, NULL);
}

static struct backend *local_open(const struct backend_env *env, struct buf *why)
{
	struct backend *b = xcalloc(1, sizeof(*b));
	struct sched_config c = {0};
	size_t f, t;

	(void)why;
	b->env = *env;
	buf_printf(&b->cache_dir, "%s/.flowrun/cache", env->meta->cwd);
	c.plan = env->plan;
	c.dir = env->dir;
	c.run_id = env->meta->run_id;
	c.inputs = env->meta->params;
	c.journal = env->journal;
	c.store = env->store;
	c.results_db = env->meta->results_db;
	c.files = env->files;
	c.cache_dir = b->cache_dir.data;
	c.limits = &env->meta->limits;
	c.containers = env->containers;
	c.jobs = env->jobs;
	c.verbose = env->verbose;
	c.fresh = env->session == 0;
	c.session = env->session;
	c.before = env->before;
	c.progress = env->progress;
	c.flow_ended = on_flow_ended;
	c.ctx = b;
	b->sched = sched_new(&c);
	for (f = 0; f < env->plan->nflows; f++)
		for (t = 0; t < env->plan->flows[f].ntasks; t++)
			if (env->before && journal_state_ok(env->before->flows[f].tasks[t].st))
				sched_restore(b->sched, f, t, env->before->flows[f].tasks[t].result);
	return b;
}

static int local_start(struct backend *b, size_t f, struct buf *why)
{
	(void)why;
	sched_start_flow(b->sched, f);
	return 0;
}

static int local_wait(struct backend *b, struct buf *why)
{
	if (sched_wait(b->sched) == 0)
		return 0;
	buf_puts(why, sched_error(b->sched));
	return -1;
}

static void local_cancel(struct backend *b)
{
	sched_cancel(b->sched);
}

static int local_busy(struct backend *b)
{
	return sched_busy(b->sched);
}

/* the units of a local run are this process's own: the run directory's
 * lock says whether it lives, not the units */
static int local_live(char *const *ids, size_t n, char **states, int *alive, struct buf *why)
{
	size_t i;

	(void)ids;
	(void)why;
	for (i = 0; i < n; i++) {
		states[i] = NULL;
		alive[i] = 0;
	}
	return 0;
}

static void local_close(struct backend *b)
{
	sched_free(b->sched);
	buf_free(&b->cache_dir);
	free(b);
}

const struct backend_ops backend_local = {
	"local", 0, local_open, local_start, local_wait, local_cancel, local_busy, local_live,
	local_close,
};

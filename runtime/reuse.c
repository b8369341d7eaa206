/* reuse.c: the decisions of `run --reuse`. Flows are taken in the plan's
 * order and their tasks in theirs, so that what a task needs is decided
 * before it: a parameter mapped from a reused task gets that task's earlier
 * result (a stored document is looked up as the run would), a task runs
 * when a task or parameter it references comes from one that runs, and
 * otherwise its key is computed as the run would and compared. */
#include "reuse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json_text.h"
#include "schedule.h"

int reuse_open(struct reuse *r, const char *dir, struct buf *why)
{
	memset(r, 0, sizeof(*r));
	if (rundir_load(dir, &r->plan, &r->meta, why) != 0)
		return -1;
	if (replay_load(&r->replay, dir, &r->plan, 1, NULL, why) != 0) {
		rundir_free_meta(&r->meta);
		plan_free(&r->plan);
		return -1;
	}
	r->dir = xstrdup(dir);
	return 0;
}

/* the earlier run's tasks by name */
struct names {
	struct strmap tasks;        /* "FLOW/TASK" -> index + 1 into at */
	char **keys;                /* the keys of tasks, owned */
	struct { size_t flow, task; } *at; /* task k of the earlier run */
	size_t n;
};

static void names_build(struct names *nm, const struct plan *old)
{
	size_t f, t, n = 0;

	memset(nm, 0, sizeof(*nm));
	for (f = 0; f < old->nflows; f++)
		n += old->flows[f].ntasks;
	nm->keys = xcalloc(n + 1, sizeof(*nm->keys));
	nm->at = xcalloc(n + 1, sizeof(*nm->at));
	for (f = 0; f < old->nflows; f++) {
		const struct plan_flow *pf = &old->flows[f];

		for (t = 0; t < pf->ntasks; t++) {
			struct buf k = {0};

			buf_printf(&k, "%s/%s", pf->name, pf->tasks[t].name);
			nm->at[nm->n].flow = f;
			nm->at[nm->n].task = t;
			strmap_put(&nm->tasks, k.data, k.len, (void *)(uintptr_t)(nm->n + 1));
			nm->keys[nm->n++] = buf_steal(&k);
		}
	}
}

/* names_task: the earlier run's flow and task of these names; 0, or -1 */
static int names_task(const struct names *nm, const char *flow, const char *task, size_t *of,
		      size_t *ot)
{
	struct buf k = {0};
	uintptr_t i;

	buf_printf(&k, "%s/%s", flow, task);
	i = (uintptr_t)strmap_get(&nm->tasks, k.data, k.len);
	buf_free(&k);
	if (!i)
		return -1;
	*of = nm->at[i - 1].flow;
	*ot = nm->at[i - 1].task;
	return 0;
}

static void names_free(struct names *nm)
{
	size_t i;

	for (i = 0; i < nm->n; i++)
		free(nm->keys[i]);
	free(nm->keys);
	free(nm->at);
	strmap_free(&nm->tasks);
}

/* what the decisions of one flow need */
struct fctx {
	struct reuse *r;
	const struct reuse_env *env;
	const struct names *nm;
	size_t f;                   /* the flow, in the new plan */
	json_t **params;            /* its parameter values; NULL when not had */
	char **param_why;           /* why one is not had */
	json_t **results;           /* its reused tasks' results (borrowed) */
	const char *image_id;       /* its image's id once asked */
	char *image_why;            /* why that failed */
	int image_asked;
	struct key_refs refs;       /* what the task being decided references */
};

static void add(struct buf *b, const char *s)
{
	if (b->len)
		buf_puts(b, "; ");
	buf_puts(b, s);
}

static const char *member_name(const char *k)
{
	return strcmp(k, "argv") == 0 ? "run" : k;
}

/* definition_diff: the members of two task definitions that differ (their
 * needs aside) */
static void definition_diff(const json_t *a, const json_t *b, struct buf *out)
{
	struct buf names = {0};
	const char *k;
	const json_t *v;

	json_object_foreach((json_t *)a, k, v)
		if (strcmp(k, "needs") && !json_equal(v, json_object_get(b, k)))
			buf_printf(&names, "%s%s", names.len ? ", " : "", member_name(k));
	json_object_foreach((json_t *)b, k, v)
		if (strcmp(k, "needs") && !json_object_get(a, k))
			buf_printf(&names, "%s%s", names.len ? ", " : "", member_name(k));
	if (names.len) {
		struct buf s = {0};

		buf_printf(&s, "its definition changed (%s)", names.data);
		add(out, s.data);
		buf_free(&s);
	}
	buf_free(&names);
}

/* source_text: where a parameter's value comes from, for comparing */
static char *source_text(const struct plan *p, const struct plan_source *src)
{
	static const char *const kinds[] = {"input", "raw", "file", "db"};
	struct buf b = {0};
	char *index;

	if (src->kind == SOURCE_INPUT) {
		buf_printf(&b, "input %s", p->inputs[src->input].name);
		return buf_steal(&b);
	}
	index = src->index ? json_text(src->index, JSON_COMPACT) : NULL;
	buf_printf(&b, "%s %s/%s %s", kinds[src->kind], p->flows[src->flow].name,
		   p->flows[src->flow].tasks[src->task].name, index ? index : "");
	free(index);
	return buf_steal(&b);
}

/* param_diff: what changed of the parameters task t references */
static void param_diff(struct fctx *c, size_t of, struct buf *out)
{
	const struct plan *p = c->env->plan, *old = &c->r->plan;
	const struct plan_flow *pf = &p->flows[c->f], *opf = &old->flows[of];
	size_t i, k;

	for (i = 0; i < c->refs.nparams; i++) {
		const struct plan_param *pp = &pf->params[c->refs.params[i]];
		struct buf s = {0};
		char *a, *b;

		for (k = 0; k < opf->nparams && strcmp(opf->params[k].name, pp->name); k++)
			;
		if (k == opf->nparams) {
			buf_printf(&s, "parameter %s is new", pp->name);
			add(out, s.data);
			buf_free(&s);
			continue;
		}
		a = source_text(old, &opf->params[k].source);
		b = source_text(p, &pp->source);
		if (strcmp(a, b) != 0) {
			buf_printf(&s, "parameter %s is mapped differently (%s, was %s)", pp->name, b, a);
		} else if (pp->source.kind == SOURCE_INPUT) {
			const char *name = p->inputs[pp->source.input].name;

			if (!json_equal(json_object_get(c->r->meta.params, name),
					json_object_get(c->env->inputs, name)))
				buf_printf(&s, "parameter %s changed (%s)", pp->name, name);
		}
		if (s.len)
			add(out, s.data);
		free(a);
		free(b);
		buf_free(&s);
	}
}

/* files_diff: the files read then and now that differ */
static void files_diff(const json_t *then, const json_t *now, struct buf *out)
{
	const char *k;
	const json_t *v;

	json_object_foreach((json_t *)now, k, v) {
		const json_t *was = json_object_get(then, k);
		struct buf s = {0};

		if (json_is_null(v))
			buf_printf(&s, "file %s cannot be read", k);
		else if (!json_equal(was, v))
			buf_printf(&s, "file %s changed", k);
		if (s.len)
			add(out, s.data);
		buf_free(&s);
	}
}

/* bundled_diff: the bundled files the task names whose content changed */
static void bundled_diff(const struct plan *old, const struct plan_task *ot,
			 const struct plan *p, const struct plan_task *pt, struct buf *out)
{
	json_t *then = key_bundled(old, ot), *now = key_bundled(p, pt);
	const char *k;
	const json_t *v;

	json_object_foreach(now, k, v) {
		const json_t *was = json_object_get(then, k);

		if (was && !json_equal(was, v)) {
			struct buf s = {0};

			buf_printf(&s, "bundled file %s changed", k);
			add(out, s.data);
			buf_free(&s);
		}
	}
	json_decref(then);
	json_decref(now);
}

/* explain: why a task whose key differs from the earlier one's runs */
static void explain(struct fctx *c, size_t t, size_t of, size_t ot, const struct task_key *k,
		    struct buf *out)
{
	const struct plan_task *pt = &c->env->plan->flows[c->f].tasks[t];
	const struct plan_task *opt = &c->r->plan.flows[of].tasks[ot];
	const struct replay_task *rt = &c->r->replay.flows[of].tasks[ot];

	definition_diff(opt->json, pt->json, out);
	param_diff(c, of, out);
	if (k->read)
		files_diff(rt->read, k->read, out);
	bundled_diff(&c->r->plan, opt, c->env->plan, pt, out);
	if (pt->kind != TASK_BUILTIN && (c->image_id || rt->image) &&
	    (!c->image_id || !rt->image || strcmp(c->image_id, rt->image))) {
		struct buf s = {0};

		if (!c->image_id)
			buf_puts(&s, "it no longer runs in an image");
		else
			buf_printf(&s, "its image is %.19s now, was %.19s", c->image_id,
				   rt->image ? rt->image : "none");
		add(out, s.data);
		buf_free(&s);
	}
	if (!out->len)
		add(out, "its inputs changed");
}

/* what a reused result names must be where this run looks */
struct there {
	struct fctx *c;
	struct buf *out;
};

/* file_there: a file the earlier result names is a regular file, under
 * the root the earlier run wrote it under */
static void file_there(void *ctx, const char *fs, const char *name)
{
	struct there *th = ctx;
	const char *then = json_string_value(json_object_get(th->c->r->meta.filesystems, fs));
	const char *now = files_root(th->c->env->files, fs);
	struct buf why = {0}, s = {0};
	int fd;

	if (then && now && strcmp(then, now) != 0) {
		buf_printf(&s, "its file %s:%s is under another root now (%s, was %s)", fs, name, now,
			   then);
	} else if ((fd = files_open(th->c->env->files, fs, name, &why)) >= 0) {
		close(fd);
	} else {
		buf_printf(&s, "its file %s:%s is not there (%s)", fs, name, why.data);
	}
	if (s.len)
		add(th->out, s.data);
	buf_free(&s);
	buf_free(&why);
}

/* db_there: a document the earlier result names is in this run's store */
static void db_there(void *ctx, const json_t *rep)
{
	struct there *th = ctx;
	struct buf why = {0}, s = {0};
	struct store *st = th->c->env->store(th->c->env->ctx, &why);
	json_t *doc = st ? store_load(st, rep, &why) : NULL;

	if (!doc) {
		buf_printf(&s, "its stored document is not in this run's results store (%s)", why.data);
		add(th->out, s.data);
	}
	json_decref(doc);
	buf_free(&s);
	buf_free(&why);
}

/* runs_because: why task t of the flow runs, in out (empty: it is reused);
 * its key into k when computed */
static void runs_because(struct fctx *c, size_t t, struct task_key *k, struct buf *out)
{
	const struct plan_flow *pf = &c->env->plan->flows[c->f];
	const struct plan_task *pt = &pf->tasks[t];
	struct reuse_task *const *d = c->r->tasks;
	const struct replay_task *rt;
	struct tmpl_scope scope = {c->params, c->results, NULL};
	struct key_in in = {c->env->plan, pf, pt, &scope, c->env->files, NULL};
	struct buf why = {0};
	size_t of, ot, i;

	if (names_task(c->nm, pf->name, pt->name, &of, &ot) != 0) {
		buf_printf(out, "%s/%s is not in the earlier run", pf->name, pt->name);
		return;
	}
	rt = &c->r->replay.flows[of].tasks[ot];
	if (!journal_state_ok(rt->st)) {
		if (rt->st == ST_PENDING && rt->key)
			buf_puts(out, "its result in the earlier run cannot be read");
		else if (rt->st == ST_PENDING)
			buf_puts(out, "it did not run in the earlier run");
		else
			buf_printf(out, "it ended %s in the earlier run", journal_state_names[rt->st]);
		return;
	}
	if (!rt->key) {
		buf_puts(out, "the earlier run recorded no key for it (an older flowrun)");
		return;
	}
	if (!type_check_value(pt->result, rt->result, "result", &why)) {
		buf_printf(out, "its result in the earlier run does not fit its type: %s", why.data);
		buf_free(&why);
		return;
	}
	for (i = 0; i < pt->nneeds; i++)
		if (!d[c->f][pt->needs[i]].reused) {
			buf_printf(out, "it needs %s, which runs", pf->tasks[pt->needs[i]].name);
			return;
		}
	key_refs_free(&c->refs);
	key_refs(pf, pt, &c->refs);
	for (i = 0; i < c->refs.ntasks; i++)
		if (!d[c->f][c->refs.tasks[i]].reused) {
			buf_printf(out, "it needs %s, which runs", pf->tasks[c->refs.tasks[i]].name);
			return;
		}
	for (i = 0; i < c->refs.nparams; i++)
		if (!c->params[c->refs.params[i]]) {
			buf_puts(out, c->param_why[c->refs.params[i]]);
			return;
		}
	if (pt->kind != TASK_BUILTIN && pf->image) {
		if (!c->image_asked) {
			c->image_asked = 1;
			if (!c->env->containers)
				c->image_why = xstrdup("no container engine to ask for its image");
			else if (!(c->image_id = containers_image(c->env->containers, pf->image, &why)))
				c->image_why = buf_steal(&why);
		}
		if (!c->image_id) {
			buf_printf(out, "its image: %s", c->image_why);
			return;
		}
		in.image_id = c->image_id;
	}
	if (key_task(&in, k, &why) != 0) {
		buf_printf(out, "its inputs cannot be had: %s", why.data);
		buf_free(&why);
		return;
	}
	if (strcmp(k->hex, rt->key) != 0) {
		explain(c, t, of, ot, k, out);
	} else {
		struct there th = {c, out};
		struct key_walk w = {file_there, db_there, &th};

		key_type_walk(pt->result, rt->result, &w);
	}
	if (!out->len) {
		d[c->f][t].result = rt->result;
		d[c->f][t].image = pt->kind == TASK_BUILTIN ? NULL : rt->image;
	}
}

/* flow_params: the values of flow f's parameters the run would have if
 * it ran now, as far as the decisions taken allow */
static void flow_params(struct fctx *c)
{
	const struct plan *p = c->env->plan;
	const struct plan_flow *pf = &p->flows[c->f];
	size_t i;

	for (i = 0; i < pf->nparams; i++) {
		const struct plan_source *src = &pf->params[i].source;
		const struct reuse_task *from = src->kind == SOURCE_INPUT ? NULL
							  : &c->r->tasks[src->flow][src->task];
		struct buf why = {0};

		if (from && !from->reused) {
			buf_printf(&why, "parameter %s comes from %s/%s, which runs", pf->params[i].name,
				   p->flows[src->flow].name, p->flows[src->flow].tasks[src->task].name);
		} else {
			c->params[i] = sched_param_value(p, &pf->params[i], c->env->inputs,
							 from ? from->result : NULL, c->env->store,
							 c->env->ctx, &why);
		}
		c->param_why[i] = c->params[i] ? NULL : buf_steal(&why);
		buf_free(&why);
	}
}

void reuse_decide(struct reuse *r, const struct reuse_env *env)
{
	const struct plan *p = env->plan;
	struct names nm;
	size_t f, t, i;

	names_build(&nm, &r->plan);
	r->decided = p;
	r->tasks = xcalloc(p->nflows + 1, sizeof(*r->tasks));
	for (f = 0; f < p->nflows; f++)
		r->tasks[f] = xcalloc(p->flows[f].ntasks + 1, sizeof(**r->tasks));
	for (f = 0; f < p->nflows; f++) {
		const struct plan_flow *pf = &p->flows[f];
		struct fctx c = {.r = r, .env = env, .nm = &nm, .f = f};

		c.params = xcalloc(pf->nparams + 1, sizeof(*c.params));
		c.param_why = xcalloc(pf->nparams + 1, sizeof(*c.param_why));
		c.results = xcalloc(pf->ntasks + 1, sizeof(*c.results));
		flow_params(&c);
		for (t = 0; t < pf->ntasks; t++) {
			struct reuse_task *d = &r->tasks[f][t];
			struct buf why = {0};

			runs_because(&c, t, &d->key, &why);
			r->ntasks++;
			if (why.len) {
				d->reason = buf_steal(&why);
				continue;
			}
			d->reused = 1;
			c.results[t] = d->result;
			r->reused++;
		}
		for (i = 0; i < pf->nparams; i++) {
			json_decref(c.params[i]);
			free(c.param_why[i]);
		}
		free(c.params);
		free(c.param_why);
		free(c.results);
		key_refs_free(&c.refs);
		free(c.image_why);
	}
	names_free(&nm);
}

void reuse_replay(const struct reuse *r, const struct plan *p, struct replay *out)
{
	size_t f, t;

	memset(out, 0, sizeof(*out));
	out->nflows = p->nflows;
	out->flows = xcalloc(p->nflows + 1, sizeof(*out->flows));
	for (f = 0; f < p->nflows; f++) {
		struct replay_flow *rf = &out->flows[f];

		rf->ntasks = p->flows[f].ntasks;
		rf->tasks = xcalloc(rf->ntasks + 1, sizeof(*rf->tasks));
		for (t = 0; t < rf->ntasks; t++) {
			struct replay_task *rt = &rf->tasks[t];
			const struct reuse_task *d = &r->tasks[f][t];

			rt->ms = -1;
			if (!d->reused)
				continue;
			rt->st = ST_CACHED;
			rt->result = json_incref(d->result);
			rt->key = xstrdup(d->key.hex);
			rt->read = d->key.read ? json_incref(d->key.read) : NULL;
			rt->image = d->image ? xstrdup(d->image) : NULL;
			rf->done++;
			out->done++;
		}
		if (rf->done == rf->ntasks && rf->ntasks)
			rf->st = ST_SUCCESS;
	}
}

void reuse_free(struct reuse *r)
{
	size_t f, t;

	for (f = 0; r->tasks && f < r->decided->nflows; f++) {
		for (t = 0; t < r->decided->flows[f].ntasks; t++) {
			free(r->tasks[f][t].reason);
			key_clear(&r->tasks[f][t].key);
		}
		free(r->tasks[f]);
	}
	free(r->tasks);
	if (r->dir) {
		replay_free(&r->replay);
		rundir_free_meta(&r->meta);
		plan_free(&r->plan);
	}
	free(r->dir);
	memset(r, 0, sizeof(*r));
}

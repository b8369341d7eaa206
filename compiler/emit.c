/* emit.c: the plan writer: one checked flow of flows as the compact,
 * deterministic, self-contained JSON plan of docs/plan.md. It reads a model
 * without errors and never reports diagnostics. */
#include "emit.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "comp.h"
#include "json_text.h"
#include "order.h"
#include "plan_format.h"
#include "sha256.h"
#include "value.h"

/* The writers of a run of flows' text, one per thread: the flows' and the
 * composed parameters' they take, each into the buffer it is given. */
struct emitter {
	struct jw fw;               /* writes the flows */
	struct jw pw;               /* writes the composed parameters, comma-separated */
	size_t nparams;             /* the plan index of the next composed parameter */
	struct buf tmp;             /* a type's text */
};

/* needs_write: the ranks of what node needs, sorted, without duplicates */
static void needs_write(struct jw *w, struct order_deps *d, size_t node, const size_t *rank)
{
	size_t n, i, small[16], *sorted;
	const size_t *needs = order_needs(d, node, &n);

	sorted = n <= sizeof(small) / sizeof(*small) ? small : xmalloc(n * sizeof(*sorted));
	for (i = 0; i < n; i++)
		sorted[i] = rank[needs[i]];
	for (i = 1; i < n; i++) { /* insertion sort: lists are short */
		size_t v = sorted[i], j = i;

		for (; j > 0 && sorted[j - 1] > v; j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = v;
	}
	jw_array(w);
	for (i = 0; i < n; i++)
		if (i == 0 || sorted[i] != sorted[i - 1])
			jw_int(w, (long long)sorted[i]);
	jw_array_end(w);
	if (sorted != small)
		free(sorted);
}

/* key_int: the member key with integer v */
static void key_int(struct jw *w, struct jw_lit key, long long v)
{
	jw_key_lit(w, key);
	jw_int(w, v);
}

/* key_str: the member key with string s */
static void key_str(struct jw *w, struct jw_lit key, const char *s)
{
	jw_key_lit(w, key);
	jw_str(w, s);
}

/* ---- templates ---- */

/* Per-task state while its values are written. */
struct task_out {
	const struct spec_task *task; /* the task */
	const size_t *task_rank;      /* plan index of each task of the flow */
};

/* ref_write: {"param": i} or {"task": j}, with "path" when there is one */
static void ref_write(struct jw *w, const struct task_out *to, const struct spec_ref *r)
{
	size_t i;

	jw_object_in_order(w);
	if (r->ref->root == REF_PARAM)
		key_int(w, JW_LIT("param"), (long long)r->target);
	if (r->ref->nsteps) {
		jw_key_lit(w, JW_LIT("path"));
		jw_array(w);
		for (i = 0; i < r->ref->nsteps; i++) {
			if (r->ref->steps[i].is_index)
				jw_int(w, r->ref->steps[i].index);
			else
				jw_str(w, r->ref->steps[i].key);
		}
		jw_array_end(w);
	}
	if (r->ref->root != REF_PARAM)
		key_int(w, JW_LIT("task"), (long long)to->task_rank[r->target]);
	jw_object_end(w);
}

/* literal_write: a value without references as a template: a string stands
 * for itself, anything else is {"v": value} */
static void literal_write(struct jw *w, const struct ynode *n)
{
	if (value_is_string(n)) {
		value_write(w, n);
		return;
	}
	jw_object(w);
	jw_key_lit(w, JW_LIT("v"));
	value_write(w, n);
	jw_object_end(w);
}

/* is_literal: whether n is written as a literal: it holds no reference
 * (and no scalar without a JSON form, whose template is {}) */
static int is_literal(const struct task_out *to, const struct ynode *n)
{
	size_t i, first;

	switch (n->kind) {
	case YN_SCALAR:
		return !spec_refs_in(to->task, n, &first) && value_has_json(n);
	case YN_SEQ:
		for (i = 0; i < n->n; i++)
			if (!is_literal(to, yn_item(n, i)))
				return 0;
		break;
	case YN_MAP:
		for (i = 0; i < n->n; i++)
			if (yn_key(n, i)->kind == YN_SCALAR && !yn_key(n, i)->repeated &&
			    !is_literal(to, yn_value(n, i)))
				return 0;
		break;
	}
	return 1;
}

/* scalar_template: {"ref": R} or {"cat": [text and R...]} for a scalar
 * with references, {} for one without a JSON form */
static void scalar_template(struct jw *w, const struct task_out *to, const struct ynode *n)
{
	size_t first = 0, nrefs = spec_refs_in(to->task, n, &first), i, at = 0;
	const struct spec_ref *r = nrefs ? &to->task->refs[first] : NULL;

	jw_object(w);
	if (nrefs && r->span.start == 0 && r->span.end == n->len) {
		jw_key_lit(w, JW_LIT("ref"));
		ref_write(w, to, r);
	} else if (nrefs) {
		jw_key_lit(w, JW_LIT("cat"));
		jw_array(w);
		for (i = first; i < first + nrefs; i++) {
			r = &to->task->refs[i];
			if (r->span.start > at)
				jw_string(w, n->str + at, r->span.start - at);
			ref_write(w, to, r);
			at = r->span.end;
		}
		if (at < n->len)
			jw_string(w, n->str + at, n->len - at);
		jw_array_end(w);
	}
	jw_object_end(w);
}

/* with_defaults: the built-in arguments left out of the object open in w,
 * with their defaults; as literals (templates) when as_template */
static void with_defaults(struct jw *w, const char *builtin, int as_template)
{
	static const struct {
		const char *builtin; /* the task */
		struct jw_lit arg;   /* the argument */
		const char *json;    /* its default, as JSON */
	} defaults[] = {
		{"save_file", JW_LIT_INIT("filesystem_identifier"), "\"local\""},
		{"save_file", JW_LIT_INIT("create_dir"), "true"},
		{"save_db_result", JW_LIT_INIT("result_type"), "\"generic\""},
	};
	size_t i;

	for (i = 0; i < sizeof(defaults) / sizeof(*defaults); i++) {
		int tagged = as_template && defaults[i].json[0] != '"';

		if (strcmp(defaults[i].builtin, builtin) != 0 || jw_has_key(w, defaults[i].arg.key))
			continue;
		jw_key_lit(w, defaults[i].arg);
		if (tagged) {
			jw_object(w);
			jw_key_lit(w, JW_LIT("v"));
		}
		jw_raw(w, defaults[i].json);
		if (tagged)
			jw_object_end(w);
	}
}

/* template: a YAML value of a task as a template (docs/plan.md): subtrees
 * without references collapse into one literal. For a mapping, builtin
 * (or NULL) names the built-in whose defaults fill the arguments left out. */
static void template(struct jw *w, const struct task_out *to, const struct ynode *n,
		     const char *builtin)
{
	int literal = is_literal(to, n);
	size_t i;

	if (n->kind == YN_MAP) {
		jw_object(w);
		jw_key_lit(w, literal ? JW_LIT("v") : JW_LIT("obj"));
		jw_object(w);
		if (literal)
			value_write_members(w, n);
		for (i = 0; !literal && i < n->n; i++) {
			const struct ynode *k = yn_key(n, i);

			if (k->kind != YN_SCALAR || k->repeated)
				continue;
			jw_key(w, k->str);
			template(w, to, yn_value(n, i), NULL);
		}
		if (builtin)
			with_defaults(w, builtin, !literal);
		jw_object_end(w);
		jw_object_end(w);
	} else if (literal) {
		literal_write(w, n);
	} else if (n->kind == YN_SEQ) {
		jw_object(w);
		jw_key_lit(w, JW_LIT("arr"));
		jw_array(w);
		for (i = 0; i < n->n; i++)
			template(w, to, yn_item(n, i), NULL);
		jw_array_end(w);
		jw_object_end(w);
	} else {
		scalar_template(w, to, n);
	}
}

/* set_positive: the member key with v, when v is positive */
static void set_positive(struct jw *w, struct jw_lit key, long long v)
{
	if (v > 0)
		key_int(w, key, v);
}

/* key_type: the member key with type t's text */
static void key_type(struct emitter *e, struct jw *w, struct jw_lit key, const struct type *t)
{
	e->tmp.len = 0;
	type_print(&e->tmp, t);
	jw_key_lit(w, key);
	jw_string(w, e->tmp.data, e->tmp.len);
}

/* task_write: task ti of f; with a bundle, the run arguments naming its
 * files are {"bundled": PATH} */
static void task_write(struct emitter *e, const struct bundle *bundle, const struct spec_flow *f,
		       size_t ti, struct order_deps *d, const size_t *rank)
{
	static const char *const kinds[] = {"", "run", "shell", "builtin"};
	const struct spec_task *t = &f->tasks[ti];
	struct task_out to = {t, rank};
	struct jw *w = &e->fw;
	size_t i;

	jw_object_in_order(w); /* members in key order */
	if (t->action == SPEC_RUN) {
		jw_key_lit(w, JW_LIT("argv"));
		jw_array(w);
		for (i = 0; i < t->run->n; i++) {
			const char *file = bundle ? bundle_path(bundle, yn_item(t->run, i)) : NULL;

			if (file) {
				jw_object(w);
				key_str(w, JW_LIT("bundled"), file);
				jw_object_end(w);
			} else {
				template(w, &to, yn_item(t->run, i), NULL);
			}
		}
		jw_array_end(w);
	}
	if (t->action == SPEC_USES)
		key_str(w, JW_LIT("builtin"), t->uses->str);
	if (t->cache) {
		jw_key_lit(w, JW_LIT("cache"));
		jw_bool(w, 1);
	}
	if (t->env) {
		jw_key_lit(w, JW_LIT("env"));
		jw_object(w);
		/* a repeated name (an error the front end reports) once, the first */
		for (i = 0; i < t->env->n; i++)
			if (!yn_key(t->env, i)->repeated) {
				jw_key(w, yn_key(t->env, i)->str);
				template(w, &to, yn_value(t->env, i), NULL);
			}
		jw_object_end(w);
	}
	key_str(w, JW_LIT("kind"), kinds[t->action]);
	key_str(w, JW_LIT("name"), t->name);
	jw_key_lit(w, JW_LIT("needs"));
	needs_write(w, d, ti, rank);
	key_type(e, w, JW_LIT("result"), t->result_t);
	set_positive(w, JW_LIT("retries"), t->retries);
	set_positive(w, JW_LIT("retry_delay_ms"), t->retry_delay_ms);
	if (t->action == SPEC_SHELL) {
		jw_key_lit(w, JW_LIT("script"));
		jw_string(w, t->shell->str, t->shell->len);
	}
	set_positive(w, JW_LIT("timeout_ms"), t->timeout_ms);
	if (t->with) {
		jw_key_lit(w, JW_LIT("with"));
		template(w, &to, t->with, t->action == SPEC_USES ? t->uses->str : NULL);
	} else if (t->action == SPEC_USES) {
		jw_key_lit(w, JW_LIT("with"));
		jw_object(w);
		jw_key_lit(w, JW_LIT("v"));
		jw_object(w);
		with_defaults(w, t->uses->str, 0);
		jw_object_end(w);
		jw_object_end(w);
	}
	jw_object_end(w);
}

/* strings_write: the member key with the strings of list */
static void strings_write(struct jw *w, struct jw_lit key, const struct ynode *list)
{
	size_t i;

	jw_key_lit(w, key);
	jw_array(w);
	for (i = 0; i < list->n; i++)
		jw_string(w, yn_item(list, i)->str, yn_item(list, i)->len);
	jw_array_end(w);
}

/* index_write: a database mapping's attribute and index path */
static void index_write(struct jw *w, const struct spec_mapping *m)
{
	size_t i;

	jw_array(w);
	if (m->attribute)
		jw_str(w, m->attribute->str);
	for (i = 0; m->attribute_index && i < m->attribute_index->n; i++) {
		const struct ynode *x = yn_item(m->attribute_index, i);

		if (yn_scalar(x) == YS_INT && x->str[0] != '-' && x->len < 10)
			jw_int(w, strtol(x->str, NULL, 10));
		else
			jw_str(w, x->str);
	}
	jw_array_end(w);
}

struct named {
	const char *name; /* a flow's plan name */
	size_t index;     /* the flow, in its composition */
};

static int cmp_named(const void *pa, const void *pb)
{
	return strcmp(((const struct named *)pa)->name, ((const struct named *)pb)->name);
}

/* sort_by_name: the flows of c by name (their plan names are unique), so
 * that listing order does not decide the plan */
static size_t *sort_by_name(const struct comp *c)
{
	struct named *v = xmalloc((c->nflows ? c->nflows : 1) * sizeof(*v));
	size_t *byname = xmalloc((c->nflows ? c->nflows : 1) * sizeof(*byname)), i;

	for (i = 0; i < c->nflows; i++) {
		v[i].name = c->flows[i].name;
		v[i].index = i;
	}
	qsort(v, c->nflows, sizeof(*v), cmp_named);
	for (i = 0; i < c->nflows; i++)
		byname[i] = v[i].index;
	free(v);
	return byname;
}

/* source_write: where a flow parameter comes from; a composed parameter's
 * text goes to the composed parameters' */
static void source_write(struct emitter *e, const struct comp *c, const struct comp_source *s,
			 const struct spec_param *p, const size_t *flow_rank,
			 size_t *const *task_rank)
{
	static const struct jw_lit map_kinds[] = {JW_LIT_INIT("raw"), JW_LIT_INIT("file"),
						  JW_LIT_INIT("db")};
	struct jw *w = &e->fw;

	jw_object(w);
	if (s->input) {
		struct jw *pw = &e->pw;

		if (e->nparams)
			buf_putc(pw->b, ',');
		jw_object_in_order(pw);
		if (p->deflt && value_has_json(p->deflt)) {
			jw_key_lit(pw, JW_LIT("default"));
			value_write(pw, p->deflt);
		}
		key_str(pw, JW_LIT("name"), c->params[s->index].name);
		key_type(e, pw, JW_LIT("type"), p->t);
		jw_object_end(pw);
		key_int(w, JW_LIT("input"), (long long)e->nparams++);
	} else {
		const struct spec_mapping *m = s->map;

		jw_key_lit(w, map_kinds[m->map_type]);
		jw_object_in_order(w);
		key_int(w, JW_LIT("flow"), (long long)flow_rank[s->index]);
		if (m->map_type == SPEC_MAP_DB) {
			jw_key_lit(w, JW_LIT("index"));
			index_write(w, m);
		}
		key_int(w, JW_LIT("task"), (long long)task_rank[s->index][m->task - m->from->tasks]);
		jw_object_end(w);
	}
	jw_object_end(w);
}

/* labels_json: the strings of list, for the plan's head */
static json_t *labels_json(const struct ynode *list)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < list->n; i++)
		json_array_append_new(arr, json_stringn(yn_item(list, i)->str, yn_item(list, i)->len));
	return arr;
}

/* head: the plan of fof without "flows", "params" and "hash" */
static json_t *head(const struct spec_fof *fof, const struct bundle *bundle)
{
	json_t *plan = json_object();

	json_object_set_new(plan, "format", json_string(PLAN_FORMAT));
	json_object_set_new(plan, "version", json_integer(PLAN_VERSION));
	json_object_set_new(plan, "name", json_string(fof->head.name));
	json_object_set_new(plan, "project", json_string(fof->head.project));
	if (fof->head.labels)
		json_object_set_new(plan, "labels", labels_json(fof->head.labels));
	if (fof->head.image)
		json_object_set_new(plan, "image", json_string(fof->head.image->str));
	if (fof->head.description)
		json_object_set_new(plan, "description", json_string(fof->head.description->str));
	if (bundle)
		json_object_set_new(plan, "files", bundle_json(bundle));
	return plan;
}

/* flow_write: the flow cf (index li in c; node in fd, the flows' order of
 * what they need) to e->fw */
static void flow_write(struct emitter *e, const struct bundle *bundle, const struct comp *c,
		       const struct comp_flow *cf, size_t li, struct order_deps *fd,
		       size_t node, const size_t *rank, const size_t *flow_rank,
		       size_t *const *task_rank)
{
	const struct spec_flow *f = cf->flow;
	size_t *torder = xmalloc((f->ntasks ? f->ntasks : 1) * sizeof(*torder));
	struct jw *w = &e->fw;
	struct order_deps td;
	size_t i;

	jw_object_in_order(w); /* members in key order */
	if (cf->image)
		key_str(w, JW_LIT("image"), cf->image->str);
	if (cf->labels)
		strings_write(w, JW_LIT("labels"), cf->labels);
	key_str(w, JW_LIT("name"), cf->name);
	jw_key_lit(w, JW_LIT("needs"));
	needs_write(w, fd, node, rank);
	if (f->network) {
		jw_key_lit(w, JW_LIT("network"));
		jw_bool(w, 1);
	}
	jw_key_lit(w, JW_LIT("params"));
	jw_array(w);
	for (i = 0; i < f->nparams; i++) {
		const struct spec_param *p = &f->params[i];

		jw_object_in_order(w);
		key_str(w, JW_LIT("name"), p->name);
		jw_key_lit(w, JW_LIT("source"));
		source_write(e, c, &cf->sources[i], p, flow_rank, task_rank);
		key_type(e, w, JW_LIT("type"), p->t);
		jw_object_end(w);
	}
	jw_array_end(w);
	key_str(w, JW_LIT("project"), f->head.project);
	if (f->resources.given) {
		jw_key_lit(w, JW_LIT("resources"));
		jw_object_in_order(w);
		set_positive(w, JW_LIT("cpus"), f->resources.cpus);
		set_positive(w, JW_LIT("mem_mb"), f->resources.mem_mb);
		if (f->resources.partition)
			key_str(w, JW_LIT("partition"), f->resources.partition->str);
		set_positive(w, JW_LIT("time_s"), f->resources.time_s);
		jw_object_end(w);
	}
	order_task_deps(f, &td);
	for (i = 0; i < f->ntasks; i++)
		torder[task_rank[li][i]] = i;
	jw_key_lit(w, JW_LIT("tasks"));
	jw_array(w);
	for (i = 0; i < f->ntasks; i++)
		task_write(e, bundle, f, torder[i], &td, task_rank[li]);
	jw_array_end(w);
	order_free(&td);
	free(torder);
	jw_object_end(w);
}

/* What every flow's text needs of the others: the order of the plan's
 * flows and of each one's tasks, made once before any flow is written. */
struct flows_plan {
	const struct comp *c;       /* the composition */
	const struct bundle *bundle; /* or NULL */
	size_t n;                   /* flows */
	size_t *byname;             /* composition index of the flow of each name rank */
	size_t *order;              /* order[k]: the name rank of the plan's flow k */
	size_t *rank;               /* rank[r]: the plan index of name rank r */
	size_t *flow_rank;          /* plan index of each composition flow */
	size_t *const *task_rank;   /* plan index of each task of each composition flow */
	size_t *param_first;        /* the first composed parameter each plan flow takes */
	struct order_deps fd;       /* what the flows need, by name rank (sealed) */
};

static void flows_plan_init(struct flows_plan *fp, const struct spec_fof *fof,
			    const struct bundle *bundle)
{
	const struct comp *c = fof->comp;
	const size_t n = c->nflows;
	size_t *nrank = xmalloc((n ? n : 1) * sizeof(*nrank)), i, j, k, next = 0;
	size_t **task_rank;

	memset(fp, 0, sizeof(*fp));
	fp->c = c;
	fp->bundle = bundle;
	fp->n = n;
	fp->byname = sort_by_name(c);
	fp->order = xmalloc((n ? n : 1) * sizeof(*fp->order));
	fp->rank = xmalloc((n ? n : 1) * sizeof(*fp->rank));
	fp->flow_rank = xmalloc((n ? n : 1) * sizeof(*fp->flow_rank));
	fp->task_rank = task_rank = xmalloc((n ? n : 1) * sizeof(*fp->task_rank));
	fp->param_first = xmalloc((n ? n : 1) * sizeof(*fp->param_first));
	/* flows are ordered by what they need, ties broken by name: nodes of
	 * the order are name ranks */
	for (i = 0; i < n; i++)
		nrank[fp->byname[i]] = i;
	order_init(&fp->fd, n);
	for (i = 0; i < n; i++)
		for (j = 0; j < c->flows[i].flow->nparams; j++)
			if (!c->flows[i].sources[j].input)
				order_add(&fp->fd, nrank[i], nrank[c->flows[i].sources[j].index]);
	order_topo(&fp->fd, fp->order, fp->rank);
	for (i = 0; i < n; i++)
		fp->flow_rank[i] = fp->rank[nrank[i]];
	free(nrank);
	/* task orders (a mapping names its parent's task by plan index): the
	 * type checker's, whose flows have no cycle in a plan written */
	for (i = 0; i < n; i++)
		if (!(task_rank[i] = c->flows[i].flow->task_rank))
			fatal("internal error: flow '%s' has no order of its tasks", c->flows[i].name);
	/* composed parameters are numbered in the order the flows take them */
	for (k = 0; k < n; k++) {
		const struct comp_flow *cf = &c->flows[fp->byname[fp->order[k]]];

		fp->param_first[k] = next;
		for (j = 0; j < cf->flow->nparams; j++)
			next += cf->sources[j].input;
	}
}

static void flows_plan_free(struct flows_plan *fp)
{
	free((void *)fp->task_rank);
	order_free(&fp->fd);
	free(fp->byname);
	free(fp->order);
	free(fp->rank);
	free(fp->flow_rank);
	free(fp->param_first);
}

/* flows_write: the text of the plan's flows [from, to) (each after '['
 * or ','), to e->fw's buffer, and that of the composed parameters they
 * take (each after ',' but the plan's first), to e->pw's */
static void flows_write(struct emitter *e, struct flows_plan *fp, size_t from, size_t to)
{
	size_t k;

	e->nparams = from < fp->n ? fp->param_first[from] : 0;
	for (k = from; k < to; k++) {
		size_t li = fp->byname[fp->order[k]];

		buf_putc(e->fw.b, k ? ',' : '[');
		flow_write(e, fp->bundle, fp->c, &fp->c->flows[li], li, &fp->fd, fp->order[k],
			   fp->rank, fp->flow_rank, fp->task_rank);
	}
}

/* Flows are written in runs of CHUNK_FLOWS, by this thread and, for a
 * large plan where two CPUs are there, a second one; runs are given out
 * in order, at most RING ahead of the one written out, and written out in
 * order by this thread: the text is the same whoever wrote it. */
#define CHUNK_FLOWS 256
#define RING 4
#define PARALLEL_CHUNKS 8 /* runs enough to start a second thread for */

struct chunk {
	struct buf text;            /* its flows' text */
	struct buf params;          /* its composed parameters' text */
	int done;                   /* 1 once written, until written out */
};

/* A plan's flows on their way out: taken, written, written out. */
struct flows_run {
	struct flows_plan *fp;
	size_t nchunks;             /* runs of flows */
	pthread_mutex_t mu;         /* guards what follows */
	pthread_cond_t cv;          /* a run written or written out */
	size_t next;                /* the next run to take */
	size_t flushed;             /* runs written out */
	struct chunk ring[RING];    /* run k is written into ring[k % RING] */
};

static void emitter_init(struct emitter *e)
{
	memset(e, 0, sizeof(*e));
	jw_init(&e->fw, NULL);
	jw_init(&e->pw, NULL);
}

static void emitter_free(struct emitter *e)
{
	jw_free(&e->fw);
	jw_free(&e->pw);
	buf_free(&e->tmp);
}

/* chunk_write: run k into its place in the ring */
static void chunk_write(struct emitter *e, struct flows_run *r, size_t k)
{
	struct chunk *ch = &r->ring[k % RING];
	size_t from = k * CHUNK_FLOWS, to = from + CHUNK_FLOWS < r->fp->n ? from + CHUNK_FLOWS : r->fp->n;

	ch->text.len = ch->params.len = 0;
	e->fw.b = &ch->text;
	e->pw.b = &ch->params;
	flows_write(e, r->fp, from, to);
}

/* take: the next run to write, or r->nchunks when there is none to take
 * now (all taken, or RING written and not yet written out); r->mu held */
static size_t take(struct flows_run *r)
{
	if (r->next >= r->nchunks || r->next >= r->flushed + RING)
		return r->nchunks;
	return r->next++;
}

/* helper: the second thread: runs taken and written until none is left */
static void *helper(void *arg)
{
	struct flows_run *r = arg;
	struct emitter e;

	emitter_init(&e);
	pthread_mutex_lock(&r->mu);
	while (r->next < r->nchunks) {
		size_t k = take(r);

		if (k == r->nchunks) {
			pthread_cond_wait(&r->cv, &r->mu);
			continue;
		}
		pthread_mutex_unlock(&r->mu);
		chunk_write(&e, r, k);
		pthread_mutex_lock(&r->mu);
		r->ring[k % RING].done = 1;
		pthread_cond_broadcast(&r->cv);
	}
	pthread_mutex_unlock(&r->mu);
	emitter_free(&e);
	return NULL;
}

/* flows_run: every flow's text to put(ctx), in order, and the composed
 * parameters' to params */
static void flows_run(struct flows_plan *fp, void (*put)(void *ctx, const char *data, size_t len),
		      void *ctx, struct buf *params)
{
	struct flows_run r;
	struct emitter e;
	pthread_t t;
	int helped = 0;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.fp = fp;
	r.nchunks = (fp->n + CHUNK_FLOWS - 1) / CHUNK_FLOWS;
	emitter_init(&e);
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.cv, NULL);
	if (r.nchunks >= PARALLEL_CHUNKS && util_two_cpus())
		helped = pthread_create(&t, NULL, helper, &r) == 0;
	pthread_mutex_lock(&r.mu);
	while (r.flushed < r.nchunks) {
		struct chunk *ch = &r.ring[r.flushed % RING];
		size_t k;

		if (ch->done) {
			pthread_mutex_unlock(&r.mu);
			put(ctx, ch->text.data, ch->text.len);
			if (ch->params.len)
				buf_add(params, ch->params.data, ch->params.len);
			pthread_mutex_lock(&r.mu);
			ch->done = 0;
			r.flushed++;
			pthread_cond_broadcast(&r.cv);
		} else if ((k = take(&r)) < r.nchunks) {
			pthread_mutex_unlock(&r.mu);
			chunk_write(&e, &r, k);
			pthread_mutex_lock(&r.mu);
			r.ring[k % RING].done = 1;
		} else {
			pthread_cond_wait(&r.cv, &r.mu);
		}
	}
	pthread_mutex_unlock(&r.mu);
	if (helped && pthread_join(t, NULL) != 0)
		fatal("internal error: a writing thread was lost");
	pthread_cond_destroy(&r.cv);
	pthread_mutex_destroy(&r.mu);
	for (i = 0; i < RING; i++) {
		buf_free(&r.ring[i].text);
		buf_free(&r.ring[i].params);
	}
	emitter_free(&e);
}

/* The text of a plan on its way out: what is written goes to put and, up
 * to the "hash" member, into the hash. */
struct plan_out {
	emit_put_fn put;            /* where the text goes */
	void *ctx;                  /* put's */
	struct sha256 hash;         /* of the text written so far */
	struct buf b;               /* the text not yet written */
};

/* out_put: text hashed and written */
static void out_put(void *ctx, const char *data, size_t len)
{
	struct plan_out *o = ctx;

	if (!len)
		return;
	sha256_update(&o->hash, data, len);
	o->put(o->ctx, data, len);
}

/* out_flush: the text held in o->b, hashed and written */
static void out_flush(struct plan_out *o)
{
	out_put(o, o->b.data, o->b.len);
	o->b.len = 0;
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Members go in sorted order as PLAN_DUMP_FLAGS writes them, and the hash
 * is that of the text without its member (docs/plan.md), put in where
 * "hash" sorts. Those sorting before it ("description", "files", then
 * "flows" as they are made, then "format") are written and hashed as they
 * come; those after it ("image", "labels", "name", "params", "project",
 * "version") are held as text until the hash is known. */
void emit_write(const struct spec_fof *fof, const struct bundle *bundle, size_t *flows_out,
		emit_put_fn put, void *ctx)
{
	struct plan_out o = {.put = put, .ctx = ctx};
	json_t *plan = head(fof, bundle), *v;
	const char **keys = xmalloc((json_object_size(plan) + 2) * sizeof(*keys)), *key;
	size_t nkeys = 0, i, k;
	struct buf after = {0}, tail = {0}, params = {0};
	struct flows_plan fp;
	char hash[65];
	int params_done = 0;

	json_object_foreach(plan, key, v)
		keys[nkeys++] = key;
	keys[nkeys++] = "flows";
	keys[nkeys++] = "params";
	qsort(keys, nkeys, sizeof(*keys), cmp_key);
	sha256_init(&o.hash);
	buf_putc(&o.b, '{');
	/* the members' names are the plan format's, plain ASCII */
	for (i = 0; i < nkeys && strcmp(keys[i], "hash") < 0; i++) {
		buf_printf(&o.b, "%s\"%s\":", i ? "," : "", keys[i]);
		if (strcmp(keys[i], "flows") == 0) {
			out_flush(&o);
			flows_plan_init(&fp, fof, bundle);
			for (k = 0; flows_out && k < fp.n; k++)
				flows_out[k] = fp.byname[fp.order[k]];
			flows_run(&fp, out_put, &o, &params);
			flows_plan_free(&fp);
			buf_puts(&o.b, fof->comp->nflows ? "]" : "[]");
		} else {
			json_text_append(&o.b, json_object_get(plan, keys[i]), PLAN_DUMP_FLAGS);
		}
		out_flush(&o);
	}
	/* the members after "hash": those before "params" and its '[' in
	 * after, its ']' and those after it in tail; the composed
	 * parameters' text, the largest, is hashed and written where it is */
	for (; i < nkeys; i++) {
		struct buf *to = params_done ? &tail : &after;

		buf_printf(to, ",\"%s\":", keys[i]);
		if (strcmp(keys[i], "params") == 0) {
			buf_putc(&after, '[');
			buf_putc(&tail, ']');
			params_done = 1;
		} else {
			json_text_append(to, json_object_get(plan, keys[i]), PLAN_DUMP_FLAGS);
		}
	}
	buf_putc(&tail, '}');
	sha256_update(&o.hash, after.data, after.len);
	sha256_update(&o.hash, params.data, params.len);
	sha256_update(&o.hash, tail.data, tail.len);
	sha256_final_hex(&o.hash, hash);
	/* "hash" after the members before it ("flows" at least), the rest, a newline */
	buf_printf(&o.b, ",\"hash\":\"sha256:%s\"", hash);
	buf_add(&o.b, after.data, after.len);
	put(ctx, o.b.data, o.b.len);
	if (params.len)
		put(ctx, params.data, params.len);
	buf_putc(&tail, '\n');
	put(ctx, tail.data, tail.len);
	buf_free(&params);
	buf_free(&o.b);
	buf_free(&after);
	buf_free(&tail);
	free(keys);
	json_decref(plan);
}

/* put_buf: a plan's text, kept whole in the buffer ctx */
static void put_buf(void *ctx, const char *data, size_t len)
{
	buf_add(ctx, data, len);
}

/* The tree is read back from the text emit_write makes, so that there is
 * one writer of plans. */
json_t *emit_plan(const struct spec_fof *fof, const struct bundle *bundle, size_t *flows_out)
{
	struct buf text = {0};
	json_t *plan;

	emit_write(fof, bundle, flows_out, put_buf, &text);
	plan = json_loadb(text.data, text.len, JSON_ALLOW_NUL, NULL);
	if (!plan)
		fatal("internal error: a plan that does not read back");
	json_object_del(plan, "hash");
	buf_free(&text);
	return plan;
}

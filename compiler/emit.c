/* emit.c: the plan writer: one checked flow of flows as the compact,
 * deterministic, self-contained JSON plan of docs/plan.md. It reads a model
 * without errors and never reports diagnostics. */
#include "emit.h"

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

/* needs_json: the ranks of what node needs, sorted, without duplicates */
static json_t *needs_json(const struct order_deps *d, size_t node, const size_t *rank)
{
	size_t n = d->nneeds[node], i, *sorted = xmalloc((n ? n : 1) * sizeof(*sorted));
	json_t *arr = json_array();

	for (i = 0; i < n; i++)
		sorted[i] = rank[d->needs[node][i]];
	for (i = 1; i < n; i++) { /* insertion sort: lists are short */
		size_t v = sorted[i], j = i;

		for (; j > 0 && sorted[j - 1] > v; j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = v;
	}
	for (i = 0; i < n; i++)
		if (i == 0 || sorted[i] != sorted[i - 1])
			json_array_append_new(arr, json_integer((json_int_t)sorted[i]));
	free(sorted);
	return arr;
}

/* ---- templates ---- */

/* Per-task state while its values are written. */
struct task_out {
	const struct spec_task *task; /* the task */
	const size_t *task_rank;      /* plan index of each task of the flow */
};

static json_t *path_json(const struct ref_step *steps, size_t n)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(arr, steps[i].is_index ? json_integer(steps[i].index)
							     : json_string(steps[i].key));
	return arr;
}

/* ref_json: {"param": i} or {"task": j}, with "path" when there is one */
static json_t *ref_json(const struct task_out *to, const struct spec_ref *r)
{
	json_t *o = json_object();

	if (r->ref.root == REF_PARAM)
		json_object_set_new(o, "param", json_integer((json_int_t)r->target));
	else
		json_object_set_new(o, "task", json_integer((json_int_t)to->task_rank[r->target]));
	if (r->ref.nsteps)
		json_object_set_new(o, "path", path_json(r->ref.steps, r->ref.nsteps));
	return o;
}

static json_t *tagged(const char *tag, json_t *v)
{
	json_t *o = json_object();

	json_object_set_new(o, tag, v);
	return o;
}

/* literal: a value without references as a template: a string stands for
 * itself, anything else is {"v": value} */
static json_t *literal(json_t *v)
{
	return json_is_string(v) ? v : tagged("v", v);
}

static int is_literal(const json_t *t)
{
	return json_is_string(t) || json_object_get(t, "v") != NULL;
}

/* scalar_template: a literal, {"ref": R} or {"cat": [text and R...]} */
static json_t *scalar_template(const struct task_out *to, const struct ynode *n)
{
	json_t *parts = NULL;
	size_t first = 0, nrefs = spec_refs_in(to->task, n, &first), i, at = 0;

	for (i = first; i < first + nrefs; i++) {
		const struct spec_ref *r = &to->task->refs[i];

		if (r->span.start == 0 && r->span.end == n->len)
			return tagged("ref", ref_json(to, r));
		if (!parts)
			parts = json_array();
		if (r->span.start > at)
			json_array_append_new(parts, json_stringn(n->str + at, r->span.start - at));
		json_array_append_new(parts, ref_json(to, r));
		at = r->span.end;
	}
	if (!parts)
		return literal(value_json(n));
	if (at < n->len)
		json_array_append_new(parts, json_stringn(n->str + at, n->len - at));
	return tagged("cat", parts);
}

/* template: a YAML value of a task as a template (docs/plan.md): subtrees
 * without references collapse into one literal */
static json_t *template(const struct task_out *to, const struct ynode *n)
{
	json_t *kids, *t;
	int all_literal = 1;
	size_t i;

	switch (n->kind) {
	case YN_SCALAR:
		return scalar_template(to, n);
	case YN_SEQ:
		kids = json_array();
		for (i = 0; i < n->n; i++) {
			t = template(to, yn_item(n, i));
			all_literal &= is_literal(t);
			json_array_append_new(kids, t);
		}
		if (!all_literal)
			return tagged("arr", kids);
		json_decref(kids);
		return literal(value_json(n));
	case YN_MAP:
		kids = json_object();
		for (i = 0; i < n->n; i++) {
			const struct ynode *k = yn_key(n, i);

			if (k->kind != YN_SCALAR || json_object_getn(kids, k->str, k->len))
				continue;
			t = template(to, yn_value(n, i));
			all_literal &= is_literal(t);
			json_object_setn_new(kids, k->str, k->len, t);
		}
		if (!all_literal)
			return tagged("obj", kids);
		json_decref(kids);
		return literal(value_json(n));
	}
	return NULL;
}

/* with_defaults: fills the built-in arguments left out with their defaults */
static void with_defaults(json_t *with, const char *builtin)
{
	static const struct {
		const char *builtin; /* the task */
		const char *arg;     /* the argument */
		const char *json;    /* its default, as JSON */
	} defaults[] = {
		{"save_file", "filesystem_identifier", "\"local\""},
		{"save_file", "create_dir", "true"},
		{"save_db_result", "result_type", "\"generic\""},
	};
	json_t *fields = json_object_get(with, "obj");
	json_t *given = json_object_get(with, "v");
	size_t i;

	for (i = 0; i < sizeof(defaults) / sizeof(*defaults); i++) {
		json_t *v;

		if (strcmp(defaults[i].builtin, builtin) != 0)
			continue;
		v = json_loads(defaults[i].json, JSON_DECODE_ANY, NULL);
		if (given && !json_object_get(given, defaults[i].arg))
			json_object_set(given, defaults[i].arg, v);
		else if (fields && !json_object_get(fields, defaults[i].arg))
			json_object_set_new(fields, defaults[i].arg, literal(json_incref(v)));
		json_decref(v);
	}
}

static void set_positive(json_t *o, const char *key, long long v)
{
	if (v > 0)
		json_object_set_new(o, key, json_integer((json_int_t)v));
}

static json_t *type_json(const struct type *t)
{
	struct buf b = {0};
	json_t *s;

	type_print(&b, t);
	s = json_string(b.data);
	buf_free(&b);
	return s;
}

/* task_json: task ti of f; with a bundle, the run arguments naming its
 * files are {"bundled": PATH} */
static json_t *task_json(const struct bundle *bundle, const struct spec_flow *f, size_t ti,
			 const struct order_deps *d, const size_t *rank)
{
	static const char *const kinds[] = {"", "run", "shell", "builtin"};
	const struct spec_task *t = &f->tasks[ti];
	struct task_out to = {t, rank};
	json_t *o = json_object();
	size_t i;

	json_object_set_new(o, "name", json_string(t->name));
	json_object_set_new(o, "kind", json_string(kinds[t->action]));
	if (t->action == SPEC_RUN) {
		json_t *argv = json_array();

		for (i = 0; i < t->run->n; i++) {
			const char *file = bundle ? bundle_path(bundle, yn_item(t->run, i)) : NULL;

			json_array_append_new(argv, file ? tagged("bundled", json_string(file))
							 : template(&to, yn_item(t->run, i)));
		}
		json_object_set_new(o, "argv", argv);
	} else if (t->action == SPEC_SHELL) {
		json_object_set_new(o, "script", json_stringn(t->shell->str, t->shell->len));
	} else {
		json_object_set_new(o, "builtin", json_string(t->uses->str));
	}
	if (t->with || t->action == SPEC_USES) {
		json_t *with = t->with ? template(&to, t->with) : tagged("v", json_object());

		if (t->action == SPEC_USES)
			with_defaults(with, t->uses->str);
		json_object_set_new(o, "with", with);
	}
	if (t->env) {
		json_t *env = json_object();

		for (i = 0; i < t->env->n; i++)
			if (!json_object_get(env, yn_key(t->env, i)->str))
				json_object_set_new(env, yn_key(t->env, i)->str,
						    template(&to, yn_value(t->env, i)));
		json_object_set_new(o, "env", env);
	}
	json_object_set_new(o, "result", type_json(t->result_t));
	json_object_set_new(o, "needs", needs_json(d, ti, rank));
	set_positive(o, "timeout_ms", t->timeout_ms);
	set_positive(o, "retries", t->retries);
	set_positive(o, "retry_delay_ms", t->retry_delay_ms);
	if (t->cache)
		json_object_set_new(o, "cache", json_true());
	return o;
}

static json_t *strings_json(const struct ynode *list)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < list->n; i++)
		json_array_append_new(arr, json_stringn(yn_item(list, i)->str, yn_item(list, i)->len));
	return arr;
}

static json_t *index_json(const struct spec_mapping *m)
{
	json_t *arr = json_array();
	size_t i;

	if (m->attribute)
		json_array_append_new(arr, json_string(m->attribute->str));
	for (i = 0; m->attribute_index && i < m->attribute_index->n; i++) {
		const struct ynode *e = yn_item(m->attribute_index, i);

		if (yn_scalar(e) == YS_INT && e->str[0] != '-' && e->len < 10)
			json_array_append_new(arr, json_integer(strtol(e->str, NULL, 10)));
		else
			json_array_append_new(arr, json_string(e->str));
	}
	return arr;
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

/* where the flows of a plan go as they are made, in the plan's order, and
 * the composed parameters they take, in the order they are first taken; the
 * sink owns each */
struct sink {
	void (*flow)(void *ctx, json_t *flow);
	void (*param)(void *ctx, json_t *param);
	void *ctx;
	size_t nparams;             /* composed parameters given so far */
};

/* source_json: where a flow parameter comes from; a composed parameter goes
 * to the sink */
static json_t *source_json(const struct comp *c, const struct comp_source *s,
			   const struct spec_param *p, const size_t *flow_rank,
			   size_t *const *task_rank, struct sink *sink)
{
	static const char *const map_kinds[] = {"raw", "file", "db"};
	json_t *src = json_object();

	if (s->input) {
		json_t *cp = json_object();

		json_object_set_new(cp, "name", json_string(c->params[s->index].name));
		json_object_set_new(cp, "type", type_json(p->t));
		if (p->deflt)
			json_object_set_new(cp, "default", value_json(p->deflt));
		json_object_set_new(src, "input", json_integer((json_int_t)sink->nparams++));
		sink->param(sink->ctx, cp);
	} else {
		const struct spec_mapping *m = s->map;
		json_t *from = json_object();

		json_object_set_new(from, "flow", json_integer((json_int_t)flow_rank[s->index]));
		json_object_set_new(from, "task", json_integer((json_int_t)task_rank[s->index][
			m->task - m->from->tasks]));
		if (m->map_type == SPEC_MAP_DB)
			json_object_set_new(from, "index", index_json(m));
		json_object_set_new(src, map_kinds[m->map_type], from);
	}
	return src;
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
		json_object_set_new(plan, "labels", strings_json(fof->head.labels));
	if (fof->head.image)
		json_object_set_new(plan, "image", json_string(fof->head.image->str));
	if (fof->head.description)
		json_object_set_new(plan, "description", json_string(fof->head.description->str));
	if (bundle)
		json_object_set_new(plan, "files", bundle_json(bundle));
	return plan;
}

/* build_flows: the flows of the plan of fof and the composed parameters
 * they take, to sink */
static void build_flows(const struct spec_fof *fof, const struct bundle *bundle, size_t *flows_out,
			struct sink *sink)
{
	const struct comp *c = fof->comp;
	const size_t n = c->nflows;
	size_t *byname = sort_by_name(c);
	size_t *nrank = xmalloc((n ? n : 1) * sizeof(*nrank));
	size_t *order = xmalloc((n ? n : 1) * sizeof(*order));
	size_t *rank = xmalloc((n ? n : 1) * sizeof(*rank));
	size_t *flow_rank = xmalloc((n ? n : 1) * sizeof(*flow_rank));
	size_t **task_rank = xcalloc(n ? n : 1, sizeof(*task_rank));
	struct order_deps fd;
	size_t k, i, j;

	/* flows are ordered by what they need, ties broken by name: nodes of
	 * the order are name ranks */
	for (i = 0; i < n; i++)
		nrank[byname[i]] = i;
	order_init(&fd, n);
	for (i = 0; i < n; i++)
		for (j = 0; j < c->flows[i].flow->nparams; j++)
			if (!c->flows[i].sources[j].input)
				order_add(&fd, nrank[i], nrank[c->flows[i].sources[j].index]);
	order_topo(&fd, order, rank);
	for (i = 0; i < n; i++)
		flow_rank[i] = rank[nrank[i]];

	/* task orders first: a mapping names its parent's task by plan index */
	for (i = 0; i < n; i++) {
		const struct spec_flow *f = c->flows[i].flow;
		size_t *torder = xmalloc((f->ntasks ? f->ntasks : 1) * sizeof(*torder));
		struct order_deps td;

		task_rank[i] = xmalloc((f->ntasks ? f->ntasks : 1) * sizeof(size_t));
		order_task_deps(f, &td);
		order_topo(&td, torder, task_rank[i]);
		order_free(&td);
		free(torder);
	}
	for (k = 0; k < n; k++) {
		size_t li = byname[order[k]];
		const struct comp_flow *cf = &c->flows[li];
		const struct spec_flow *f = cf->flow;
		json_t *fo = json_object(), *fparams = json_array(), *tasks = json_array();
		size_t *torder = xmalloc((f->ntasks ? f->ntasks : 1) * sizeof(*torder));
		struct order_deps td;

		if (flows_out)
			flows_out[k] = li;
		json_object_set_new(fo, "name", json_string(cf->name));
		json_object_set_new(fo, "project", json_string(f->head.project));
		if (cf->labels)
			json_object_set_new(fo, "labels", strings_json(cf->labels));
		if (cf->image)
			json_object_set_new(fo, "image", json_string(cf->image->str));
		if (f->network)
			json_object_set_new(fo, "network", json_true());
		json_object_set_new(fo, "needs", needs_json(&fd, order[k], rank));
		if (f->resources.given) {
			json_t *res = json_object();

			set_positive(res, "cpus", f->resources.cpus);
			set_positive(res, "mem_mb", f->resources.mem_mb);
			set_positive(res, "time_s", f->resources.time_s);
			if (f->resources.partition)
				json_object_set_new(res, "partition",
						    json_string(f->resources.partition->str));
			json_object_set_new(fo, "resources", res);
		}
		for (i = 0; i < f->nparams; i++) {
			const struct spec_param *p = &f->params[i];
			json_t *po = json_object();

			json_object_set_new(po, "name", json_string(p->name));
			json_object_set_new(po, "type", type_json(p->t));
			json_object_set_new(po, "source", source_json(c, &cf->sources[i], p, flow_rank,
								      task_rank, sink));
			json_array_append_new(fparams, po);
		}
		json_object_set_new(fo, "params", fparams);
		order_task_deps(f, &td);
		for (i = 0; i < f->ntasks; i++)
			torder[task_rank[li][i]] = i;
		for (i = 0; i < f->ntasks; i++)
			json_array_append_new(tasks, task_json(bundle, f, torder[i], &td, task_rank[li]));
		order_free(&td);
		free(torder);
		json_object_set_new(fo, "tasks", tasks);
		sink->flow(sink->ctx, fo);
	}
	for (i = 0; i < n; i++)
		free(task_rank[i]);
	free(task_rank);
	order_free(&fd);
	free(byname);
	free(nrank);
	free(order);
	free(rank);
	free(flow_rank);
}

static void flow_to_tree(void *ctx, json_t *flow)
{
	json_array_append_new(json_object_get(ctx, "flows"), flow);
}

static void param_to_tree(void *ctx, json_t *param)
{
	json_array_append_new(json_object_get(ctx, "params"), param);
}

json_t *emit_plan(const struct spec_fof *fof, const struct bundle *bundle, size_t *flows_out)
{
	json_t *plan = head(fof, bundle);
	struct sink sink = {flow_to_tree, param_to_tree, plan, 0};

	json_object_set_new(plan, "flows", json_array());
	json_object_set_new(plan, "params", json_array());
	build_flows(fof, bundle, flows_out, &sink);
	return plan;
}

/* The text of a plan on its way out: what is written goes to put and, up
 * to the "hash" member, into the hash. */
struct plan_out {
	emit_put_fn put;            /* where the text goes */
	void *ctx;                  /* put's */
	struct sha256 hash;         /* of the text written so far */
	struct buf b;               /* the text not yet written */
	size_t nflows;              /* flows written */
	struct buf params;          /* the composed parameters' text so far, comma-separated */
};

/* out_flush: the text held in o->b, hashed and written; the buffer is
 * kept for the next flow's */
static void out_flush(struct plan_out *o)
{
	if (!o->b.len)
		return;
	sha256_update(&o->hash, o->b.data, o->b.len);
	o->put(o->ctx, o->b.data, o->b.len);
	o->b.len = 0;
	o->b.data[0] = '\0';
}

/* flow_out: a flow's text, written as soon as the flow is made */
static void flow_out(void *ctx, json_t *flow)
{
	struct plan_out *o = ctx;

	buf_putc(&o->b, o->nflows++ ? ',' : '[');
	json_text_append(&o->b, flow, PLAN_DUMP_FLAGS);
	json_decref(flow);
	out_flush(o);
}

/* param_out: a composed parameter's text, held: "params" sorts after "hash" */
static void param_out(void *ctx, json_t *param)
{
	struct plan_out *o = ctx;

	if (o->params.len)
		buf_putc(&o->params, ',');
	json_text_append(&o->params, param, PLAN_DUMP_FLAGS);
	json_decref(param);
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
	struct plan_out o = {put, ctx, {NULL}, {0}, 0, {0}};
	struct sink sink = {flow_out, param_out, &o, 0};
	json_t *plan = head(fof, bundle), *v;
	const char **keys = xmalloc((json_object_size(plan) + 2) * sizeof(*keys)), *key;
	size_t nkeys = 0, i;
	struct buf after = {0};
	char hash[65];

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
			build_flows(fof, bundle, flows_out, &sink);
			buf_puts(&o.b, o.nflows ? "]" : "[]");
		} else {
			json_text_append(&o.b, json_object_get(plan, keys[i]), PLAN_DUMP_FLAGS);
		}
		out_flush(&o);
	}
	for (; i < nkeys; i++) {
		buf_printf(&after, ",\"%s\":", keys[i]);
		if (strcmp(keys[i], "params") == 0) {
			buf_putc(&after, '[');
			if (o.params.len)
				buf_add(&after, o.params.data, o.params.len);
			buf_putc(&after, ']');
		} else {
			json_text_append(&after, json_object_get(plan, keys[i]), PLAN_DUMP_FLAGS);
		}
	}
	buf_putc(&after, '}');
	sha256_update(&o.hash, after.data, after.len);
	sha256_final_hex(&o.hash, hash);
	/* "hash" after the members before it ("flows" at least), the rest, a newline */
	buf_printf(&o.b, ",\"hash\":\"sha256:%s\"", hash);
	buf_add(&o.b, after.data, after.len);
	buf_putc(&o.b, '\n');
	put(ctx, o.b.data, o.b.len);
	buf_free(&o.b);
	buf_free(&o.params);
	buf_free(&after);
	free(keys);
	json_decref(plan);
}

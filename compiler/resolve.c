/* resolve.c: binds names to what they name: composing-flow entries to flows
 * by (project_name, name), ${{ }} references to parameters and tasks. It
 * checks no types. */
#include "resolve.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* at most this many known flows are listed for an unknown one */
#define MAX_LISTED 20

struct def {
	const struct ynode *name_node; /* where it is defined */
	struct spec_flow *flow;        /* the flow, or NULL for a flow of flows */
};

static char *flow_key(struct arena *a, const char *project, const char *name, size_t *len)
{
	size_t lp = strlen(project), ln = strlen(name);
	char *k = arena_alloc(a, lp + ln + 2);

	memcpy(k, project, lp + 1);
	memcpy(k + lp + 1, name, ln + 1);
	*len = lp + ln + 1;
	return k;
}

static void define(struct strmap *index, struct arena *a, const struct spec_head *h,
		   struct spec_flow *flow, struct diags *ds)
{
	struct def *d, *prev;
	size_t len;
	char *key;

	if (!h->project || !h->name)
		return;
	key = flow_key(a, h->project, h->name, &len);
	d = arena_alloc(a, sizeof(*d));
	d->name_node = h->name_node;
	d->flow = flow;
	prev = strmap_put(index, key, len, d);
	if (prev != d) {
		diag_report(ds, DIAG_E0202, h->name_node->loc,
			    "flow '%s' of project '%s' is defined twice", diag_quote(h->name),
			    diag_quote(h->project));
		diag_note(ds, prev->name_node->loc, "first defined here");
	}
}

static int cmp_flow_name(const void *pa, const void *pb)
{
	const struct spec_flow *a = *(struct spec_flow *const *)pa;
	const struct spec_flow *b = *(struct spec_flow *const *)pb;
	int c = strcmp(a->head.project, b->head.project);

	return c ? c : strcmp(a->head.name, b->head.name);
}

/* report_unknown: the error for an entry naming no flow, with the nearest
 * name, the known flows and where they were looked for */
static void report_unknown(const struct spec_set *set, const struct spec_entry *e,
			   const char *const *dirs, size_t ndirs, struct diags *ds)
{
	struct spec_flow **known = xmalloc((set->nflows ? set->nflows : 1) * sizeof(*known));
	const char **names = xmalloc((set->nflows ? set->nflows : 1) * sizeof(*names));
	size_t nknown = 0, nnames = 0, i;
	struct buf list = {0};

	for (i = 0; i < set->nflows; i++) {
		struct spec_flow *f = set->flows[i];

		if (!f->head.name || !f->head.project)
			continue;
		known[nknown++] = f;
		if (strcmp(f->head.project, e->project) == 0)
			names[nnames++] = f->head.name;
	}
	diag_report_unknown(ds, DIAG_E0201, e->name_node->loc, e->name, names, nnames,
			    "no flow '%s' in project '%s'", diag_quote(e->name), diag_quote(e->project));
	qsort(known, nknown, sizeof(*known), cmp_flow_name);
	for (i = 0; i < nknown && i < MAX_LISTED; i++)
		buf_printf(&list, "%s%s/%s", i ? ", " : "", diag_quote(known[i]->head.project),
			   diag_quote(known[i]->head.name));
	if (nknown > MAX_LISTED)
		buf_printf(&list, " and %zu more", nknown - MAX_LISTED);
	diag_note(ds, e->name_node->loc, "known flows (project/name): %s",
		  nknown ? list.data : "none");
	buf_free(&list);
	for (i = 0; i < ndirs; i++)
		buf_printf(&list, "%s'%s'", i ? ", " : "", diag_quote(dirs[i]));
	diag_note(ds, e->name_node->loc, "searched the files given%s%s",
		  ndirs ? " and -I directories " : " (no -I directories)", ndirs ? list.data : "");
	buf_free(&list);
	free(known);
	free(names);
}

/* bind_mapping: the lume-services checks of one mapped parameter (parameter
 * in flow, parent flow in flows, task in parent flow), plus the parent's
 * project and self-mapping; binds what exists */
static void bind_mapping(struct spec_fof *fof, struct strmap *entries, struct spec_entry *e,
			 struct spec_mapping *m, struct diags *ds)
{
	const char **names;
	size_t n, i;
	void *idx;

	if (e->flow) {
		m->target = spec_find_param(e->flow, m->param);
		if (!m->target) {
			names = spec_param_names(e->flow, &n);
			diag_report_unknown(ds, DIAG_E0203, m->key->loc, m->param, names, n,
					    "parameter '%s' is not a parameter of flow '%s'",
					    diag_quote(m->param), diag_quote(e->name));
			free(names);
		}
	}
	if (!m->parent_flow)
		return;
	if (e->name && strcmp(m->parent_flow->str, e->name) == 0) {
		diag_report(ds, DIAG_E0212, m->parent_flow->loc,
			    "flow '%s' cannot take parameter '%s' from its own task", diag_quote(e->name),
			    diag_quote(m->param));
		return;
	}
	idx = strmap_get(entries, m->parent_flow->str, m->parent_flow->len);
	if (!idx) {
		/* an entry that names no known flow is not suggested: it is
		 * more likely the misspelt one */
		names = xmalloc((fof->nentries ? fof->nentries : 1) * sizeof(*names));
		for (n = 0, i = 0; i < fof->nentries; i++)
			if (fof->entries[i].name && fof->entries[i].flow)
				names[n++] = fof->entries[i].name;
		diag_report_unknown(ds, DIAG_E0204, m->parent_flow->loc, m->parent_flow->str, names, n,
				    "parent flow '%s' is not a composing flow of '%s'",
				    diag_quote(m->parent_flow->str),
				    fof->head.name ? diag_quote(fof->head.name) : "this flow of flows");
		for (i = 0; i < fof->nentries; i++) {
			const struct spec_entry *u = &fof->entries[i];
			const char *one[1];

			one[0] = u->name;
			if (u->name && !u->flow && util_suggest(m->parent_flow->str, one, 1))
				diag_note(ds, u->name_node->loc, "composing flow '%s' names no known flow: "
					  "it may be the one misspelt", diag_quote(u->name));
		}
		free(names);
		return;
	}
	m->parent = &fof->entries[(size_t)(uintptr_t)idx - 1];
	if (m->parent_project && m->parent->project &&
	    strcmp(m->parent_project->str, m->parent->project)) {
		diag_report(ds, DIAG_E0206, m->parent_project->loc,
			    "parent_project_name '%s' does not match project '%s' of composing flow '%s'",
			    diag_quote(m->parent_project->str), diag_quote(m->parent->project),
			    diag_quote(m->parent->name));
		diag_note(ds, m->parent->node->loc, "composing flow '%s' is listed here",
			  diag_quote(m->parent->name));
	}
	if (m->parent_task && m->parent->flow) {
		m->task = spec_find_task(m->parent->flow, m->parent_task->str);
		if (!m->task) {
			names = spec_task_names(m->parent->flow, &n);
			diag_report_unknown(ds, DIAG_E0205, m->parent_task->loc, m->parent_task->str,
					    names, n, "task '%s' is not a task of parent flow '%s'",
					    diag_quote(m->parent_task->str), diag_quote(m->parent->name));
			free(names);
		}
	}
}

/* bind_fof: composing flows by name within the flow of flows, then every
 * mapped parameter */
static void bind_fof(struct spec_fof *fof, struct diags *ds)
{
	struct strmap entries = {0};
	size_t i, j;

	for (i = 0; i < fof->nentries; i++) {
		struct spec_entry *e = &fof->entries[i];
		void *prev;

		if (!e->name)
			continue;
		prev = strmap_put(&entries, e->name, strlen(e->name), (void *)(uintptr_t)(i + 1));
		if (prev != (void *)(uintptr_t)(i + 1)) {
			const struct spec_entry *first = &fof->entries[(size_t)(uintptr_t)prev - 1];

			e->duplicate = 1;
			diag_report(ds, DIAG_E0209, e->name_node->loc,
				    "flow '%s' is already a composing flow of '%s'", diag_quote(e->name),
				    fof->head.name ? diag_quote(fof->head.name) : "this flow of flows");
			diag_note(ds, first->name_node->loc, "first listed here");
		}
	}
	for (i = 0; i < fof->nentries; i++)
		for (j = 0; j < fof->entries[i].nmaps; j++)
			bind_mapping(fof, &entries, &fof->entries[i], &fof->entries[i].maps[j], ds);
	strmap_free(&entries);
}

/* report_unread: the one error for the unknown flows of a run where files
 * could not be read: they may be defined there */
static void report_unread(const struct spec_entry *e, const char *const *unread, size_t nunread,
			  struct diags *ds)
{
	struct buf list = {0};
	size_t i;

	for (i = 0; i < nunread && i < MAX_LISTED; i++)
		buf_printf(&list, "%s'%s'", i ? ", " : "", diag_quote(unread[i]));
	if (nunread > MAX_LISTED)
		buf_printf(&list, " and %zu more", nunread - MAX_LISTED);
	diag_report(ds, DIAG_E0201, e->name_node->loc,
		    "no flow '%s' in project '%s' in the files that could be read; %s could not "
		    "be read (see the errors above) and may define it (flows not found are not "
		    "reported further)",
		    diag_quote(e->name), diag_quote(e->project), list.data);
	buf_free(&list);
}

void resolve_flows(struct spec_set *set, const char *const *dirs, size_t ndirs,
		   const char *const *unread, size_t nunread, struct diags *ds)
{
	struct strmap index = {0};
	struct arena a = {0};
	size_t i, j;
	int said = 0;

	/* definitions in load order, so the first one loaded is "first" */
	for (i = 0; i < set->nflows; i++)
		define(&index, &a, &set->flows[i]->head, set->flows[i], ds);
	for (i = 0; i < set->nfofs; i++)
		define(&index, &a, &set->fofs[i]->head, NULL, ds);
	for (i = 0; i < set->nfofs; i++) {
		struct spec_fof *fof = set->fofs[i];

		for (j = 0; j < fof->nentries; j++) {
			struct spec_entry *e = &fof->entries[j];
			const struct def *d;
			size_t len;
			char *key;

			if (!e->name || !e->project)
				continue;
			key = flow_key(&a, e->project, e->name, &len);
			d = strmap_get(&index, key, len);
			if (d && d->flow)
				e->flow = d->flow;
			else if (d)
				diag_report(ds, DIAG_E0201, e->name_node->loc,
					    "'%s' of project '%s' is a flow of flows; only flows can "
					    "be composed", diag_quote(e->name), diag_quote(e->project));
			else if (!nunread)
				report_unknown(set, e, dirs, ndirs, ds);
			else if (!said++)
				report_unread(e, unread, nunread, ds);
		}
		bind_fof(fof, ds);
	}
	strmap_free(&index);
	arena_free(&a);
}

/* Binding the references of one task. */
struct bind_ctx {
	struct spec_set *set;       /* owns the bound references */
	const struct spec_flow *flow; /* the task's flow */
	struct strmap *params;      /* parameter name -> index + 1 */
	struct strmap *tasks;       /* task name -> index + 1 */
	struct spec_ref *refs;      /* references found so far */
	size_t nrefs;               /* number of refs */
	size_t cap;                 /* allocated refs */
	struct diags *ds;           /* where problems go */
};

static void report_unknown_ref(struct bind_ctx *c, const struct spec_ref *r)
{
	size_t n;
	int task = r->ref.root == REF_TASK;
	const char **names = task ? spec_task_names(c->flow, &n) : spec_param_names(c->flow, &n);

	diag_report_unknown(c->ds, task ? DIAG_E0111 : DIAG_E0110, r->loc, r->ref.name, names, n,
			    "flow has no %s named '%s'", task ? "task" : "parameter",
			    diag_quote(r->ref.name));
	free(names);
}

/* bind_string: every ${{ }} of one scalar; each position is counted on
 * from the previous one (at, at offset at_off), so a string costs its length */
static void bind_string(struct bind_ctx *c, const struct ynode *n)
{
	struct ref_span span;
	struct diag_loc at = yn_loc_at(n, 0);
	size_t from = 0, at_off = 0;

	while (ref_next(n->str, n->len, from, &span)) {
		struct spec_ref r;
		struct parse_error err;
		struct strmap *names;
		void *idx;

		memset(&r, 0, sizeof(r));
		r.node = n;
		r.span = span;
		r.loc = at = yn_loc_after(n, at_off, at, span.start);
		at_off = span.start;
		if (!span.end) {
			diag_report(c->ds, DIAG_E0112, r.loc, "'${{' is not closed by '}}'");
			return;
		}
		from = span.end;
		if (ref_parse(&c->set->arena, n->str + span.body, span.body_len, &r.ref, &err) < 0) {
			diag_report(c->ds, DIAG_E0112,
				    yn_loc_after(n, span.start, r.loc, span.body + err.offset), "%s",
				    err.msg);
		} else {
			names = r.ref.root == REF_TASK ? c->tasks : c->params;
			idx = strmap_get(names, r.ref.name, strlen(r.ref.name));
			if (idx) {
				r.bound = 1;
				r.target = (size_t)(uintptr_t)idx - 1;
			} else {
				report_unknown_ref(c, &r);
			}
		}
		VEC_PUSH(c->refs, c->nrefs, c->cap, r);
	}
}

/* bind_value: every string inside a YAML value, at any depth (bounded by
 * YN_MAX_DEPTH) */
static void bind_value(struct bind_ctx *c, const struct ynode *n)
{
	size_t i;

	switch (n->kind) {
	case YN_SCALAR:
		bind_string(c, n);
		break;
	case YN_SEQ:
		for (i = 0; i < n->n; i++)
			bind_value(c, n->items[i]);
		break;
	case YN_MAP:
		for (i = 0; i < n->n; i++)
			bind_value(c, yn_value(n, i));
		break;
	}
}

static int cmp_scalar(const void *pa, const void *pb)
{
	uintptr_t a = (uintptr_t)((const struct spec_scalar_refs *)pa)->node;
	uintptr_t b = (uintptr_t)((const struct spec_scalar_refs *)pb)->node;

	return a < b ? -1 : a > b;
}

/* index_scalars: the scalars of t holding references, sorted by address
 * for spec_refs_in; a scalar's references are consecutive in t->refs */
static void index_scalars(struct arena *a, struct spec_task *t)
{
	size_t i;

	t->scalars = arena_alloc(a, t->nrefs * sizeof(*t->scalars));
	for (i = 0; i < t->nrefs; i++) {
		struct spec_scalar_refs *last = t->nscalars ? &t->scalars[t->nscalars - 1] : NULL;

		if (last && last->node == t->refs[i].node) {
			last->count++;
			continue;
		}
		last = &t->scalars[t->nscalars++];
		last->node = t->refs[i].node;
		last->first = i;
		last->count = 1;
	}
	qsort(t->scalars, t->nscalars, sizeof(*t->scalars), cmp_scalar);
}

static void bind_flow(struct spec_set *set, struct spec_flow *f, struct diags *ds)
{
	struct strmap params = {0}, tasks = {0};
	struct bind_ctx c = {0};
	size_t i;

	c.set = set;
	c.flow = f;
	c.params = &params;
	c.tasks = &tasks;
	c.ds = ds;
	for (i = 0; i < f->nparams; i++)
		strmap_put(&params, f->params[i].name, strlen(f->params[i].name),
			   (void *)(uintptr_t)(i + 1));
	for (i = 0; i < f->ntasks; i++)
		if (f->tasks[i].name)
			strmap_put(&tasks, f->tasks[i].name, strlen(f->tasks[i].name),
				   (void *)(uintptr_t)(i + 1));
	for (i = 0; i < f->ntasks; i++) {
		struct spec_task *t = &f->tasks[i];

		c.nrefs = 0;
		if (t->run)
			bind_value(&c, t->run);
		if (t->env)
			bind_value(&c, t->env);
		if (t->with)
			bind_value(&c, t->with);
		if (c.nrefs) {
			t->refs = arena_alloc(&set->arena, c.nrefs * sizeof(*t->refs));
			memcpy(t->refs, c.refs, c.nrefs * sizeof(*t->refs));
			t->nrefs = c.nrefs;
			index_scalars(&set->arena, t);
		}
	}
	free(c.refs);
	strmap_free(&params);
	strmap_free(&tasks);
}

void resolve_refs(struct spec_set *set, struct diags *ds)
{
	size_t i;

	for (i = 0; i < set->nflows; i++)
		bind_flow(set, set->flows[i], ds);
}

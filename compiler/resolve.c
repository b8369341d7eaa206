/* resolve.c: binds names to what they name: composing-flow entries to flows
 * by (project_name, name), ${{ }} references to parameters and tasks. It
 * checks no types. */
#include "resolve.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "comp.h"

/* at most this many known flows are listed for an unknown one */
#define MAX_LISTED 20
/* names of a nested composition beyond this many are not searched for a
 * suggestion (each costs an edit distance) */
#define MAX_SUGGEST 1000

struct def {
	const struct ynode *name_node; /* where it is defined */
	struct spec_flow *flow;        /* the flow, or NULL for a flow of flows */
	struct spec_fof *fof;          /* the flow of flows, or NULL for a flow */
};

/* Resolving the flows of a set. */
struct resolver {
	struct spec_set *set;          /* what is resolved */
	struct strmap index;           /* project NUL name -> def */
	struct arena a;                /* keys and defs */
	const char *const *dirs;       /* -I directories, for unknown flows */
	size_t ndirs;                  /* number of dirs */
	const char *const *unread;     /* files that could not be read */
	size_t nunread;                /* number of unread */
	int said;                      /* the unread files were mentioned */
	struct spec_fof **stack;       /* flows of flows being built, outermost first */
	size_t depth;                  /* number on stack */
	size_t cap;                    /* allocated stack */
	size_t total;                  /* bytes of the compositions built (COMP_MAX_BYTES) */
	struct diags *ds;              /* where problems go */
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

static void define(struct resolver *r, const struct spec_head *h, struct spec_flow *flow,
		   struct spec_fof *fof)
{
	struct def *d, *prev;
	size_t len;
	char *key;

	if (!h->project || !h->name)
		return;
	key = flow_key(&r->a, h->project, h->name, &len);
	d = arena_alloc(&r->a, sizeof(*d));
	d->name_node = h->name_node;
	d->flow = flow;
	d->fof = fof;
	prev = strmap_put(&r->index, key, len, d);
	if (prev != d) {
		diag_report(r->ds, DIAG_E0202, yn_loc(h->name_node),
			    "flow '%s' of project '%s' is defined twice", diag_quote(h->name),
			    diag_quote(h->project));
		diag_note(r->ds, yn_loc(prev->name_node), "first defined here");
	}
}

static int cmp_head(const void *pa, const void *pb)
{
	const struct spec_head *a = *(const struct spec_head *const *)pa;
	const struct spec_head *b = *(const struct spec_head *const *)pb;
	int c = strcmp(a->project, b->project);

	return c ? c : strcmp(a->name, b->name);
}

/* report_unknown: the error for an entry of self naming no flow, with the
 * nearest name, the known flows and flows of flows (but self), and where
 * they were looked for */
static void report_unknown(const struct resolver *r, const struct spec_fof *self,
			   const struct spec_entry *e)
{
	const struct spec_set *set = r->set;
	size_t all = set->nflows + set->nfofs, nknown = 0, nnames = 0, i;
	const struct spec_head **known = xmalloc((all ? all : 1) * sizeof(*known));
	const char **names = xmalloc((all ? all : 1) * sizeof(*names));
	struct buf list = {0};

	for (i = 0; i < all; i++) {
		const struct spec_head *h = i < set->nflows ? &set->flows[i]->head
							    : &set->fofs[i - set->nflows]->head;

		if (!h->name || !h->project || h == &self->head)
			continue;
		known[nknown++] = h;
		if (strcmp(h->project, e->project) == 0)
			names[nnames++] = h->name;
	}
	diag_report_unknown(r->ds, DIAG_E0201, yn_loc(e->name_node), e->name, names, nnames,
			    "no flow '%s' in project '%s'", diag_quote(e->name), diag_quote(e->project));
	qsort(known, nknown, sizeof(*known), cmp_head);
	for (i = 0; i < nknown && i < MAX_LISTED; i++)
		buf_printf(&list, "%s%s/%s", i ? ", " : "", diag_quote(known[i]->project),
			   diag_quote(known[i]->name));
	if (nknown > MAX_LISTED)
		buf_printf(&list, " and %zu more", nknown - MAX_LISTED);
	diag_note(r->ds, yn_loc(e->name_node), "known flows (project/name): %s",
		  nknown ? list.data : "none");
	buf_free(&list);
	for (i = 0; i < r->ndirs; i++)
		buf_printf(&list, "%s'%s'", i ? ", " : "", diag_quote(r->dirs[i]));
	diag_note(r->ds, yn_loc(e->name_node), "searched the files given%s%s",
		  r->ndirs ? " and -I directories " : " (no -I directories)", r->ndirs ? list.data : "");
	buf_free(&list);
	free(known);
	free(names);
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
	diag_report(ds, DIAG_E0201, yn_loc(e->name_node),
		    "no flow '%s' in project '%s' in the files that could be read; %s could not "
		    "be read (see the errors above) and may define it (flows not found are not "
		    "reported further)",
		    diag_quote(e->name), diag_quote(e->project), list.data);
	buf_free(&list);
}

/* bind_entries: every entry of fof to the flow or flow of flows it names */
static void bind_entries(struct resolver *r, struct spec_fof *fof)
{
	size_t j;

	for (j = 0; j < fof->nentries; j++) {
		struct spec_entry *e = &fof->entries[j];
		const struct def *d;
		size_t len;
		char *key;

		if (!e->name || !e->project)
			continue;
		key = flow_key(&r->a, e->project, e->name, &len);
		d = strmap_get(&r->index, key, len);
		if (d) {
			e->flow = d->flow;
			e->fof = d->fof;
		} else if (!r->nunread) {
			report_unknown(r, fof, e);
		} else if (!r->said++) {
			report_unread(e, r->unread, r->nunread, r->ds);
		}
	}
}

/* bind_target: the input of e that m sets: a parameter of its flow, or a
 * composed parameter of its flow of flows */
static void bind_target(struct spec_entry *e, struct spec_mapping *m, struct diags *ds)
{
	const struct comp *c = e->fof ? e->fof->comp : NULL;
	const char **names;
	size_t n, i;
	long k;

	if (e->flow) {
		m->target = spec_find_param(e->flow, m->param);
		if (m->target) {
			m->target_input = (size_t)(m->target - e->flow->params);
			return;
		}
		names = spec_param_names(e->flow, &n);
		diag_report_unknown(ds, DIAG_E0203, yn_loc(m->key), m->param, names, n,
				    "parameter '%s' is not a parameter of flow '%s'",
				    diag_quote(m->param), diag_quote(e->name));
		free(names);
		return;
	}
	if (!c)
		return;
	k = comp_find_param(c, m->param);
	if (k >= 0) {
		m->target = c->params[k].param;
		m->target_input = (size_t)k;
		return;
	}
	if (c->incomplete)
		return; /* its own errors come first; the name may be among those missing */
	names = xmalloc((c->nparams ? c->nparams : 1) * sizeof(*names));
	for (i = 0; i < c->nparams; i++)
		names[i] = c->params[i].name;
	diag_report_unknown(ds, DIAG_E0203, yn_loc(m->key), m->param, names,
			    c->nparams > MAX_SUGGEST ? 0 : c->nparams,
			    "parameter '%s' is not a composed parameter of flow of flows '%s'",
			    diag_quote(m->param), diag_quote(e->name));
	diag_note(ds, yn_loc(e->name_node), "'flowc check --list-params' lists the parameters of "
		  "flow of flows '%s'", diag_quote(e->name));
	free(names);
}

/* report_no_entry: E0204 for a parent_flow_name whose first name is no
 * entry of fof; an entry that names no known flow is not suggested (it is
 * more likely the misspelt one) but noted */
static void report_no_entry(const struct spec_fof *fof, const struct spec_mapping *m,
			    const char *head, struct diags *ds)
{
	const char **names = xmalloc((fof->nentries ? fof->nentries : 1) * sizeof(*names));
	const char *of = fof->head.name ? diag_quote(fof->head.name) : "this flow of flows";
	size_t n = 0, i;

	for (i = 0; i < fof->nentries; i++)
		if (fof->entries[i].name && (fof->entries[i].flow || fof->entries[i].fof))
			names[n++] = fof->entries[i].name;
	if (strlen(head) == m->parent_flow->len)
		diag_report_unknown(ds, DIAG_E0204, yn_loc(m->parent_flow), head, names, n,
				    "parent flow '%s' is not a composing flow of '%s'",
				    diag_quote(head), of);
	else
		diag_report_unknown(ds, DIAG_E0204, yn_loc(m->parent_flow), head, names, n,
				    "parent flow '%s': '%s' is not a composing flow of '%s'",
				    diag_quote(m->parent_flow->str), diag_quote(head), of);
	for (i = 0; i < fof->nentries; i++) {
		const struct spec_entry *u = &fof->entries[i];
		const char *one[1];

		one[0] = u->name;
		if (u->name && !u->flow && !u->fof && !u->refused && util_suggest(head, one, 1))
			diag_note(ds, yn_loc(u->name_node), "composing flow '%s' names no known flow: "
				  "it may be the one misspelt", diag_quote(u->name));
	}
	free(names);
}

/* bind_nested: the flow of parent entry p that the rest of a path names
 * (the end of parent_flow_name, len bytes) */
static void bind_nested(struct spec_mapping *m, struct spec_entry *p, const char *rest,
			size_t len, struct diags *ds)
{
	const struct comp *c = p->fof->comp;
	const char **names;
	size_t i;
	long k = comp_find_flow(c, rest, len);

	if (k >= 0) {
		m->parent = p;
		m->parent_leaf = (size_t)k;
		m->from = c->flows[k].flow;
		return;
	}
	if (c->incomplete)
		return;
	for (i = 0; i < c->nflows; i++) {
		const char *path = c->flows[i].path;

		if (strncmp(path, rest, len) == 0 && path[len] == '/') {
			diag_report(ds, DIAG_E0204, yn_loc(m->parent_flow),
				    "parent flow '%s' is a flow of flows; name one of its flows, "
				    "such as '%s/%s'", diag_quote(m->parent_flow->str), diag_quote(p->name),
				    diag_quote(path));
			return;
		}
	}
	names = xmalloc((c->nflows ? c->nflows : 1) * sizeof(*names));
	for (i = 0; i < c->nflows; i++)
		names[i] = c->flows[i].path;
	diag_report_unknown(ds, DIAG_E0204, yn_loc(m->parent_flow), rest, names,
			    c->nflows > MAX_SUGGEST ? 0 : c->nflows,
			    "parent flow '%s': flow of flows '%s' has no flow '%s'",
			    diag_quote(m->parent_flow->str), diag_quote(p->name), diag_quote(rest));
	free(names);
}

/* bind_mapping: the lume-services checks of one mapped parameter (parameter
 * in flow, parent flow in flows, task in parent flow), extended to paths
 * into nested flows of flows, plus the parent's project and self-mapping;
 * binds what exists */
static void bind_mapping(struct arena *a, struct spec_fof *fof, struct strmap *entries,
			 struct spec_entry *e, struct spec_mapping *m, struct diags *ds)
{
	const char *path, *slash, *head;
	struct spec_entry *p;
	const char **names;
	size_t n, hlen;
	void *idx;

	bind_target(e, m, ds);
	if (!m->parent_flow)
		return;
	path = m->parent_flow->str;
	slash = memchr(path, '/', m->parent_flow->len);
	hlen = slash ? (size_t)(slash - path) : m->parent_flow->len;
	head = arena_strndup(a, path, hlen);
	if (e->name && strcmp(head, e->name) == 0) {
		if (e->fof)
			diag_report(ds, DIAG_E0212, yn_loc(m->parent_flow),
				    "flow of flows '%s' cannot take parameter '%s' from its own flow "
				    "'%s': wire its flows together inside it", diag_quote(e->name),
				    diag_quote(m->param), diag_quote(path));
		else
			diag_report(ds, DIAG_E0212, yn_loc(m->parent_flow),
				    "flow '%s' cannot take parameter '%s' from its own task",
				    diag_quote(e->name), diag_quote(m->param));
		return;
	}
	idx = strmap_get(entries, head, hlen);
	if (!idx) {
		report_no_entry(fof, m, head, ds);
		return;
	}
	p = &fof->entries[(size_t)(uintptr_t)idx - 1];
	if (slash && p->flow) {
		diag_report(ds, DIAG_E0204, yn_loc(m->parent_flow),
			    "parent flow '%s': '%s' is a flow, not a flow of flows", diag_quote(path),
			    diag_quote(head));
		return;
	}
	if (slash && p->fof && p->fof->comp) {
		bind_nested(m, p, slash + 1, m->parent_flow->len - hlen - 1, ds);
	} else if (!slash && p->fof && p->fof->comp) {
		const struct comp *c = p->fof->comp;

		if (c->nflows)
			diag_report(ds, DIAG_E0204, yn_loc(m->parent_flow),
				    "parent flow '%s' is a flow of flows; name one of its flows, such "
				    "as '%s/%s'", diag_quote(path), diag_quote(path),
				    diag_quote(c->flows[c->nflows - 1].path));
		else
			diag_report(ds, DIAG_E0204, yn_loc(m->parent_flow),
				    "parent flow '%s' is a flow of flows; name one of its flows",
				    diag_quote(path));
		return;
	} else if (!slash && p->flow) {
		m->parent = p;
		m->from = p->flow;
	}
	if (!m->from)
		return;
	if (m->parent_project && m->from->head.project &&
	    strcmp(m->parent_project->str, m->from->head.project)) {
		diag_report(ds, DIAG_E0206, yn_loc(m->parent_project),
			    "parent_project_name '%s' does not match project '%s' of flow '%s'",
			    diag_quote(m->parent_project->str), diag_quote(m->from->head.project),
			    diag_quote(path));
		diag_note(ds, yn_loc(p->node), "composing flow '%s' is listed here", diag_quote(p->name));
	}
	if (m->parent_task) {
		m->task = spec_find_task(m->from, m->parent_task->str);
		if (!m->task) {
			names = spec_task_names(m->from, &n);
			diag_report_unknown(ds, DIAG_E0205, yn_loc(m->parent_task), m->parent_task->str,
					    names, n, "task '%s' is not a task of parent flow '%s'",
					    diag_quote(m->parent_task->str), diag_quote(path));
			free(names);
		}
	}
}

/* mark_duplicates: an entry named like an earlier one is reported, once,
 * and takes no further part; entries (their indexes) by name, in entries */
static void mark_duplicates(struct resolver *r, struct spec_fof *fof, struct strmap *entries)
{
	size_t i;

	strmap_reserve(entries, fof->nentries);
	for (i = 0; i < fof->nentries; i++) {
		struct spec_entry *e = &fof->entries[i];
		void *prev;

		if (!e->name)
			continue;
		prev = strmap_put(entries, e->name, strlen(e->name), (void *)(uintptr_t)(i + 1));
		if (prev != (void *)(uintptr_t)(i + 1)) {
			const struct spec_entry *first = &fof->entries[(size_t)(uintptr_t)prev - 1];

			e->duplicate = 1;
			diag_report(r->ds, DIAG_E0209, yn_loc(e->name_node),
				    "flow '%s' is already a composing flow of '%s'", diag_quote(e->name),
				    fof->head.name ? diag_quote(fof->head.name) : "this flow of flows");
			diag_note(r->ds, yn_loc(first->name_node), "first listed here");
		}
	}
}

/* bind_maps: every mapped parameter of fof */
static void bind_maps(struct resolver *r, struct spec_fof *fof, struct strmap *entries)
{
	size_t i, j;

	for (i = 0; i < fof->nentries; i++)
		for (j = 0; j < fof->entries[i].nmaps; j++)
			bind_mapping(&r->a, fof, entries, &fof->entries[i], &fof->entries[i].maps[j],
				     r->ds);
}

/* refuse: entry e of the innermost flow of flows being built names one
 * that is being built too (it includes itself), or that nests too deep */
static void refuse(struct resolver *r, struct spec_entry *e, int cycle)
{
	struct buf chain = {0};
	size_t i = 0;

	if (cycle) {
		while (r->stack[i] != e->fof)
			i++;
		for (; i < r->depth; i++)
			buf_printf(&chain, "%s -> ", diag_quote(r->stack[i]->head.name));
		buf_puts(&chain, diag_quote(e->name));
		diag_report(r->ds, DIAG_E0214, yn_loc(e->name_node),
			    "flow of flows '%s' includes itself: %s", diag_quote(e->name), chain.data);
		buf_free(&chain);
	} else {
		diag_report(r->ds, DIAG_E0215, yn_loc(e->name_node),
			    "flows of flows nest more than %d levels deep through '%s'", COMP_MAX_DEPTH,
			    diag_quote(e->name));
	}
	e->fof = NULL;
	e->refused = 1;
}

/* build: binds fof, after what it includes, and flattens it */
static void build(struct resolver *r, struct spec_fof *fof)
{
	struct strmap entries = {0};
	size_t i, bytes = 0;
	int over = 0;

	if (fof->built)
		return;
	fof->building = 1;
	VEC_PUSH(r->stack, r->depth, r->cap, fof);
	mark_duplicates(r, fof, &entries);
	for (i = 0; i < fof->nentries; i++) {
		struct spec_entry *e = &fof->entries[i];

		if (!e->fof || e->duplicate)
			continue;
		if (e->fof->building)
			refuse(r, e, 1);
		else if (r->depth >= COMP_MAX_DEPTH && !e->fof->built)
			refuse(r, e, 0);
		else
			build(r, e->fof);
		if (e->fof && e->fof->comp && e->fof->comp->depth >= COMP_MAX_DEPTH)
			refuse(r, e, 0);
		if (e->fof && e->fof->comp && e->fof->comp->over)
			over = 1; /* reported where the limit was crossed */
	}
	bind_maps(r, fof, &entries);
	strmap_free(&entries);
	for (i = 0; i < fof->nentries; i++) {
		size_t add = comp_entry_bytes(&fof->entries[i]);

		bytes = bytes > SIZE_MAX - add ? SIZE_MAX : bytes + add;
	}
	if (!over && bytes > COMP_MAX_BYTES - r->total) {
		diag_report(r->ds, DIAG_E0215, yn_loc(fof->head.name_node),
			    "flattening flow of flows '%s' takes about %zu MiB; with the %zu MiB the "
			    "flows of flows loaded before it take, that is past the %zu MiB flowc "
			    "allows", fof->head.name ? diag_quote(fof->head.name) : "?", bytes >> 20,
			    r->total >> 20, COMP_MAX_BYTES >> 20);
		over = 1;
	}
	if (!over)
		r->total += bytes;
	fof->comp = comp_build(&r->set->arena, fof, !over);
	fof->comp->over = over;
	r->depth--;
	fof->building = 0;
	fof->built = 1;
}

void resolve_flows(struct spec_set *set, const char *const *dirs, size_t ndirs,
		   const char *const *unread, size_t nunread, struct diags *ds)
{
	struct resolver r = {0};
	size_t i;

	r.set = set;
	r.dirs = dirs;
	r.ndirs = ndirs;
	r.unread = unread;
	r.nunread = nunread;
	r.ds = ds;
	strmap_reserve(&r.index, set->nflows + set->nfofs);
	/* definitions in load order, so the first one loaded is "first" */
	for (i = 0; i < set->nflows; i++)
		define(&r, &set->flows[i]->head, set->flows[i], NULL);
	for (i = 0; i < set->nfofs; i++)
		define(&r, &set->fofs[i]->head, NULL, set->fofs[i]);
	for (i = 0; i < set->nfofs; i++)
		bind_entries(&r, set->fofs[i]);
	for (i = 0; i < set->nfofs; i++)
		build(&r, set->fofs[i]);
	/* every composition is built: none is looked up by name again */
	for (i = 0; i < set->nfofs; i++)
		if (set->fofs[i]->comp)
			comp_drop_index(set->fofs[i]->comp);
	free(r.stack);
	strmap_free(&r.index);
	arena_free(&r.a);
}

/* Binding the references of one task. */
struct bind_ctx {
	struct arena *arena;        /* owns the bound references */
	const struct spec_flow *flow; /* the task's flow */
	struct strmap *params;      /* parameter name -> index + 1 */
	struct strmap *tasks;       /* task name -> index + 1 */
	struct spec_ref *refs;      /* references found so far */
	size_t nrefs;               /* number of refs */
	size_t cap;                 /* allocated refs */
	struct strmap *parsed;      /* references parsed before, by their text */
	struct diags *ds;           /* where problems go */
};

static void report_unknown_ref(struct bind_ctx *c, const struct spec_ref *r)
{
	size_t n;
	int task = r->ref->root == REF_TASK;
	const char **names = task ? spec_task_names(c->flow, &n) : spec_param_names(c->flow, &n);

	diag_report_unknown(c->ds, task ? DIAG_E0111 : DIAG_E0110, spec_ref_loc(r), r->ref->name,
			    names, n, "flow has no %s named '%s'", task ? "task" : "parameter",
			    diag_quote(r->ref->name));
	free(names);
}

/* bind_string: every ${{ }} of one scalar; each position is counted on
 * from the previous one (at, at offset at_off), so a string costs its length */
static void bind_string(struct bind_ctx *c, const struct ynode *n)
{
	struct ref_span span;
	struct diag_loc at = {0};
	size_t from = 0, at_off = 0;

	while (ref_next(n->str, n->len, from, &span)) {
		struct spec_ref r;
		struct parse_error err;
		struct strmap *names;
		struct ref parsed;
		void *idx;

		memset(&r, 0, sizeof(r));
		r.node = n;
		r.span = span;
		if (!from) /* the node's place, found once it holds a reference */
			at = yn_loc_at(n, 0);
		at = yn_loc_after(n, at_off, at, span.start);
		r.line = (uint32_t)at.line;
		r.col = (uint32_t)at.col;
		at_off = span.start;
		if (!span.end) {
			diag_report(c->ds, DIAG_E0112, at, "'${{' is not closed by '}}'");
			return;
		}
		from = span.end;
		/* the same text parses alike (its offsets are its own): once
		 * for all the flows a thread checks */
		r.ref = strmap_get(c->parsed, n->str + span.body, span.body_len);
		if (!r.ref && ref_parse(c->arena, n->str + span.body, span.body_len, &parsed, &err) == 0) {
			struct ref *known = arena_alloc(c->arena, sizeof(*known));

			*known = parsed;
			r.ref = strmap_put(c->parsed, n->str + span.body, span.body_len, known);
		}
		if (!r.ref) {
			diag_report(c->ds, DIAG_E0112,
				    yn_loc_after(n, span.start, at, span.body + err.offset), "%s",
				    err.msg);
		} else {
			names = r.ref->root == REF_TASK ? c->tasks : c->params;
			idx = strmap_get(names, r.ref->name, strlen(r.ref->name));
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
			bind_value(c, yn_item(n, i));
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

void resolve_flow_refs(struct arena *a, struct strmap *parsed, struct spec_flow *f,
		       struct diags *ds)
{
	struct strmap params = {0}, tasks = {0};
	struct bind_ctx c = {0};
	size_t i;

	c.arena = a;
	c.flow = f;
	c.params = &params;
	c.tasks = &tasks;
	c.parsed = parsed;
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
			t->refs = arena_alloc(a, c.nrefs * sizeof(*t->refs));
			memcpy(t->refs, c.refs, c.nrefs * sizeof(*t->refs));
			t->nrefs = (uint32_t)c.nrefs;
			index_scalars(a, t);
		}
	}
	free(c.refs);
	strmap_free(&params);
	strmap_free(&tasks);
}

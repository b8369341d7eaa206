/* check.c: the structural checks of a flow (shell scripts, task
 * dependencies and their cycles) and of a flow of flows (cycles, composed
 * parameter names). It reads the spec model and never changes it. */
#include "check.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "comp.h"

/* A directed graph over named things, for finding cycles. */
struct edge {
	size_t to;                 /* target node */
	const struct ynode *at;    /* the text that creates the edge */
	int own;                   /* 1 when that text is at the level checked (not inside a
				      nested flow of flows, which is checked on its own) */
};

struct graph {
	size_t n;                  /* number of nodes */
	const char **names;        /* name of each node */
	struct edge **out;         /* outgoing edges of each node */
	size_t *nout;              /* number of out[i] */
	size_t *capout;            /* allocated out[i] */
};

static void graph_init(struct graph *g, size_t n)
{
	g->n = n;
	g->names = xcalloc(n, sizeof(*g->names));
	g->out = xcalloc(n, sizeof(*g->out));
	g->nout = xcalloc(n, sizeof(*g->nout));
	g->capout = xcalloc(n, sizeof(*g->capout));
}

static void graph_add(struct graph *g, size_t from, size_t to, const struct ynode *at, int own)
{
	struct edge e = {to, at, own};

	VEC_PUSH(g->out[from], g->nout[from], g->capout[from], e);
}

static void graph_free(struct graph *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		free(g->out[i]);
	free(g->out);
	free(g->nout);
	free(g->capout);
	free(g->names);
}

/* reported: the edge from u to v closed a cycle already (and now has);
 * the keys live in a */
static int reported(struct strmap *done, struct arena *a, size_t u, size_t v)
{
	size_t pair[2] = {u, v}, *key;

	if (strmap_get(done, (const char *)pair, sizeof(pair)))
		return 1;
	key = arena_alloc(a, sizeof(pair));
	memcpy(key, pair, sizeof(pair));
	strmap_put(done, (const char *)key, sizeof(pair), (void *)1);
	return 0;
}

/* cycle_at: where the cycle stack[from..depth-1] closed by e is reported:
 * at e, or when e is not at the level checked, at the last edge before it
 * that is (the one nearest what closes this cycle); NULL when none is (the
 * cycle lies inside one nested flow of flows, whose own check reports it) */
static const struct edge *cycle_at(const struct edge *e, const struct edge *const *via,
				   const size_t *stack, size_t from, size_t depth)
{
	size_t i;

	if (e->own)
		return e;
	for (i = depth; i-- > from + 1;)
		if (via[stack[i]]->own)
			return via[stack[i]];
	return NULL;
}

/* find_cycles: depth-first search without recursion, in node order; the
 * first edge (in listing order) from one node to another that closes a
 * cycle is reported at its text with the cycle as a path */
static void find_cycles(const struct graph *g, enum diag_code code, const char *what,
			const char *meaning, struct diags *ds)
{
	enum { WHITE, GREY, BLACK };
	unsigned char *color = xcalloc(g->n ? g->n : 1, 1);
	size_t *stack = xmalloc((g->n ? g->n : 1) * sizeof(*stack));
	size_t *next = xcalloc(g->n ? g->n : 1, sizeof(*next));
	size_t *pos = xcalloc(g->n ? g->n : 1, sizeof(*pos));
	const struct edge **via = xcalloc(g->n ? g->n : 1, sizeof(*via));
	struct strmap done = {0};
	struct arena keys = {0};
	size_t root, depth;

	for (root = 0; root < g->n; root++) {
		if (color[root] != WHITE)
			continue;
		depth = 0;
		stack[depth++] = root;
		color[root] = GREY;
		pos[root] = 0;
		while (depth) {
			size_t u = stack[depth - 1];

			if (next[u] < g->nout[u]) {
				const struct edge *e = &g->out[u][next[u]++], *at;
				struct buf path = {0};
				size_t i;

				if (color[e->to] == WHITE) {
					color[e->to] = GREY;
					pos[e->to] = depth;
					via[e->to] = e;
					stack[depth++] = e->to;
				} else if (color[e->to] == GREY &&
					   (at = cycle_at(e, via, stack, pos[e->to], depth)) != NULL &&
					   !reported(&done, &keys, u, e->to)) {
					/* once per pair: two mappings between the same two
					 * flows close the same cycle */
					for (i = pos[e->to]; i < depth; i++)
						buf_printf(&path, "%s -> ", diag_quote(g->names[stack[i]]));
					buf_puts(&path, diag_quote(g->names[e->to]));
					diag_report(ds, code, yn_loc(at->at), "%s form a cycle: %s (%s)", what,
						    path.data, meaning);
					buf_free(&path);
				}
			} else {
				color[u] = BLACK;
				depth--;
			}
		}
	}
	strmap_free(&done);
	arena_free(&keys);
	free(color);
	free(stack);
	free(next);
	free(pos);
	free(via);
}

/* Per-flow state while its tasks are checked. */
struct flow_ctx {
	const struct spec_flow *flow; /* the flow being checked */
	struct strmap tasks;          /* task name -> index + 1 (as a pointer-sized int) */
	struct graph deps;            /* task -> the tasks it needs */
	size_t task;                  /* index of the task being checked */
	struct diags *ds;             /* where problems go */
};

static void check_task(struct flow_ctx *c, const struct spec_task *t)
{
	size_t i;

	for (i = 0; i < t->nrefs; i++)
		if (t->refs[i].bound && t->refs[i].ref->root == REF_TASK)
			graph_add(&c->deps, c->task, t->refs[i].target, t->refs[i].node, 1);
	if (t->shell) {
		const char *open = strstr(t->shell->str, "${{");

		if (open)
			diag_report(c->ds, DIAG_E0109, yn_loc_at(t->shell, (size_t)(open - t->shell->str)),
				    "'shell' may not contain ${{ }}: pass the value through 'env' "
				    "and use \"$NAME\" in the script");
	}
	if (t->retries < 0)
		diag_report(c->ds, DIAG_E0115, yn_loc(t->node), "'retries' may not be negative");
	for (i = 0; t->depends_on && i < t->depends_on->n; i++) {
		const struct ynode *d = yn_item(t->depends_on, i);
		void *idx = strmap_get(&c->tasks, d->str, d->len);

		if (idx) {
			graph_add(&c->deps, c->task, (size_t)(uintptr_t)idx - 1, d, 1);
		} else {
			size_t nnames;
			const char **names = spec_task_names(c->flow, &nnames);

			diag_report_unknown(c->ds, DIAG_E0113, yn_loc(d), d->str, names, nnames,
					    "depends_on names '%s', which is not a task of this flow",
					    diag_quote(d->str));
			free(names);
		}
	}
}

void check_flow(const struct spec_flow *f, struct diags *ds)
{
	struct flow_ctx c = {0};
	size_t i;

	c.flow = f;
	c.ds = ds;
	graph_init(&c.deps, f->ntasks);
	for (i = 0; i < f->ntasks; i++) {
		const struct spec_task *t = &f->tasks[i];

		c.deps.names[i] = t->name ? t->name : "?";
		if (t->name)
			strmap_put(&c.tasks, t->name, strlen(t->name), (void *)(uintptr_t)(i + 1));
	}
	for (i = 0; i < f->ntasks; i++) {
		c.task = i;
		check_task(&c, &f->tasks[i]);
	}
	find_cycles(&c.deps, DIAG_E0114, "tasks", "each needs the next to finish first", ds);
	graph_free(&c.deps);
	strmap_free(&c.tasks);
}

/* check_names: the names a composition gives its composed parameters
 * ('{entry}-{param}', one more '{entry}-' per level of nesting) and its
 * flows (entry names joined with '-') must not collide */
static void check_names(const struct comp *c, struct diags *ds)
{
	const struct spec_entry *long_at = NULL;
	struct strmap seen = {0};
	size_t i;

	strmap_reserve(&seen, c->nparams);
	for (i = 0; i < c->nparams; i++) {
		const struct comp_flow *f = &c->flows[c->params[i].flow];
		const struct comp_flow *prev;
		const char *name = c->params[i].name;

		prev = strmap_put(&seen, name, strlen(name), (void *)f);
		/* two of the same nested entry collide inside it, reported there */
		if (prev == f || (prev->entry == f->entry && f->entry->fof))
			continue;
		diag_report(ds, DIAG_E0210, yn_loc(f->entry->name_node),
			    "composed parameter '%s' of flow '%s' collides with one of flow '%s'",
			    diag_quote(name), diag_quote(f->path), diag_quote(prev->path));
		diag_note(ds, yn_loc(prev->entry->name_node), "flow '%s' is composed here",
			  diag_quote(prev->path));
	}
	strmap_free(&seen);
	strmap_reserve(&seen, c->nflows);
	for (i = 0; i < c->nflows; i++) {
		const struct comp_flow *f = &c->flows[i], *prev;

		/* too long at this level first: once per entry */
		if (strlen(f->name) > PLAN_MAX_NAME && long_at != f->entry &&
		    strlen(f->name) - strlen(f->entry->name) - 1 <= PLAN_MAX_NAME) {
			long_at = f->entry;
			diag_report(ds, DIAG_E0215, yn_loc(f->entry->name_node),
				    "flow '%s' would be named '%s' in the plan, longer than %d bytes "
				    "(flowrun names files after it)", diag_quote(f->path),
				    diag_quote(f->name), PLAN_MAX_NAME);
		}
		prev = strmap_put(&seen, f->name, strlen(f->name), (void *)f);
		if (prev == f || (prev->entry == f->entry && f->entry->fof))
			continue;
		diag_report(ds, DIAG_E0213, yn_loc(f->entry->name_node),
			    "flow '%s' and flow '%s' would both be named '%s' in the plan",
			    diag_quote(f->path), diag_quote(prev->path), diag_quote(f->name));
		diag_note(ds, yn_loc(prev->entry->name_node), "flow '%s' is composed here",
			  diag_quote(prev->path));
	}
	strmap_free(&seen);
}

/* own: whether m is a mapping of e (the level checked) */
static int own(const struct spec_entry *e, const struct spec_mapping *m)
{
	return e->nmaps && m >= e->maps && m < e->maps + e->nmaps;
}

void check_fof(const struct spec_fof *fof, struct diags *ds)
{
	const struct comp *c = fof->comp;
	struct graph g;
	size_t i, j;

	if (!c)
		return;
	graph_init(&g, c->nflows);
	for (i = 0; i < c->nflows; i++) {
		const struct comp_flow *f = &c->flows[i];

		g.names[i] = f->path;
		for (j = 0; j < f->flow->nparams; j++) {
			const struct comp_source *s = &f->sources[j];

			if (!s->input && s->index != COMP_UNBOUND)
				graph_add(&g, i, s->index, s->map->parent_flow, own(f->entry, s->map));
		}
	}
	find_cycles(&g, DIAG_E0211, "composing flows", "each takes a parameter from the next", ds);
	check_names(c, ds);
	graph_free(&g);
}

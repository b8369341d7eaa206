/* comp.c: a flow of flows flattened into its plain flows, at any depth of
 * nesting. A nested entry's flows are its composition's, renamed under the
 * entry's name; a composed parameter of a nested entry is either set by one
 * of the entry's mappings or composed again one level up. */
#include "comp.h"

#include <stdint.h>
#include <string.h>

static size_t sat_add(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/* what a flow costs beyond its names: its record, its place in the path
 * map, its sources and composed parameters, with room for vectors grown
 * by doubling */
#define FLOW_BYTES (2 * sizeof(struct comp_flow) + 64)
#define PARAM_BYTES (2 * sizeof(struct comp_param) + sizeof(struct comp_source) + 64)

static size_t sat_mul(size_t a, size_t b)
{
	return b && a > SIZE_MAX / b ? SIZE_MAX : a * b;
}

int comp_usable(const struct spec_entry *e)
{
	return !e->duplicate && (e->flow || (e->fof && e->fof->comp));
}

/* what a node of a spec counts for, besides its text */
#define NODE_BYTES 48

/* node_weight: the bytes of n's text and nodes, at any depth (bounded by
 * YN_MAX_DEPTH) */
static size_t node_weight(const struct ynode *n)
{
	size_t w = NODE_BYTES, i;

	switch (n->kind) {
	case YN_SCALAR:
		return sat_add(w, n->len);
	case YN_SEQ:
		for (i = 0; i < n->n; i++)
			w = sat_add(w, node_weight(yn_item(n, i)));
		return w;
	case YN_MAP:
		for (i = 0; i < n->n; i++)
			w = sat_add(w, sat_add(node_weight(yn_key(n, i)), node_weight(yn_value(n, i))));
		return w;
	}
	return w;
}

size_t comp_entry_bytes(const struct spec_entry *e)
{
	size_t name, n, i;

	if (!comp_usable(e) || (e->fof && e->fof->comp->over))
		return 0;
	name = strlen(e->name) + 1;
	if (e->flow) {
		/* its spec once more in the plan, its names and records */
		/* the loader counted its document's nodes and text; a flow
		 * added without that count has its tree walked */
		if (!e->flow->weight)
			e->flow->weight = e->flow->size.nodes
				? sat_add(sat_mul(e->flow->size.nodes, NODE_BYTES), e->flow->size.text)
				: node_weight(e->flow->head.node);
		n = sat_add(e->flow->weight, FLOW_BYTES + 2 * name);
		for (i = 0; i < e->flow->nparams; i++)
			n = sat_add(n, PARAM_BYTES + name + strlen(e->flow->params[i].name) + 1);
		return n;
	}
	/* the inner composition again, every name one entry name longer */
	n = sat_add(sat_mul(e->fof->comp->nflows, 2), e->fof->comp->nparams);
	return sat_add(e->fof->comp->bytes, sat_mul(n, name));
}

/* joined: a, sep, b in a */
static const char *joined(struct arena *a, const char *x, char sep, const char *y)
{
	size_t lx = strlen(x), ly = strlen(y);
	char *s = arena_alloc(a, lx + ly + 2);

	memcpy(s, x, lx);
	s[lx] = sep;
	memcpy(s + lx + 1, y, ly + 1);
	return s;
}

/* Building one composition. */
struct build {
	struct arena *a;                  /* where it goes */
	const struct spec_fof *fof;       /* what is flattened */
	struct comp *c;                   /* the result */
	size_t *offset;                   /* first flow of each entry */
	size_t flowcap;                   /* allocated c->flows */
	size_t paramcap;                  /* allocated c->params */
};

/* mapped_from: the source a bound mapping gives (the flow it takes from) */
static struct comp_source mapped_from(const struct build *b, const struct spec_mapping *m)
{
	struct comp_source s = {0, COMP_UNBOUND, m};

	if (m->parent && m->task && comp_usable(m->parent))
		s.index = b->offset[m->parent - b->fof->entries] + m->parent_leaf;
	return s;
}

static void add_param(struct build *b, const char *name, const struct spec_param *p)
{
	struct comp_param cp;

	cp.name = name;
	cp.param = p;
	cp.flow = b->c->nflows - 1;
	VEC_PUSH(b->c->params, b->c->nparams, b->paramcap, cp);
}

static struct comp_flow *add_flow(struct build *b, const struct spec_entry *e,
				  const struct spec_flow *f)
{
	struct comp_flow cf;

	memset(&cf, 0, sizeof(cf));
	cf.flow = f;
	cf.entry = e;
	cf.sources = arena_alloc(b->a, (f->nparams ? f->nparams : 1) * sizeof(*cf.sources));
	VEC_PUSH(b->c->flows, b->c->nflows, b->flowcap, cf);
	return &b->c->flows[b->c->nflows - 1];
}

/* by_input: the mapping of e that sets each of its inputs, or NULL */
static const struct spec_mapping **by_input(const struct spec_entry *e, size_t n)
{
	const struct spec_mapping **m = xcalloc(n ? n : 1, sizeof(*m));
	size_t i;

	for (i = 0; i < e->nmaps; i++)
		if (e->maps[i].target && e->maps[i].target_input < n && !m[e->maps[i].target_input])
			m[e->maps[i].target_input] = &e->maps[i];
	return m;
}

static void add_plain(struct build *b, const struct spec_entry *e)
{
	const struct spec_flow *f = e->flow;
	const struct spec_mapping **maps = by_input(e, f->nparams);
	struct comp_flow *cf = add_flow(b, e, f);
	size_t i;

	cf->name = cf->path = e->name;
	cf->labels = e->labels ? e->labels : f->head.labels;
	cf->image = e->image ? e->image : f->head.image;
	for (i = 0; i < f->nparams; i++) {
		if (maps[i]) {
			cf->sources[i] = mapped_from(b, maps[i]);
		} else if (spec_is_mapped(e, f->params[i].name)) {
			cf->sources[i] = (struct comp_source){0, COMP_UNBOUND, NULL};
		} else {
			cf->sources[i] = (struct comp_source){1, b->c->nparams, NULL};
			add_param(b, joined(b->a, e->name, '-', f->params[i].name), &f->params[i]);
		}
	}
	free(maps);
}

static void add_nested(struct build *b, const struct spec_entry *e)
{
	const struct comp *in = e->fof->comp;
	const struct spec_mapping **maps = by_input(e, in->nparams);
	size_t i, j, base = b->offset[e - b->fof->entries];

	for (i = 0; i < in->nflows; i++) {
		const struct comp_flow *inner = &in->flows[i];
		struct comp_flow *cf = add_flow(b, e, inner->flow);

		cf->name = joined(b->a, e->name, '-', inner->name);
		cf->path = joined(b->a, e->name, '/', inner->path);
		cf->labels = e->labels ? e->labels : inner->labels;
		cf->image = e->image ? e->image : inner->image;
		cf->depth = inner->depth + 1;
		for (j = 0; j < inner->flow->nparams; j++) {
			const struct comp_source *s = &inner->sources[j];
			const struct comp_param *ip;

			if (!s->input) {
				cf->sources[j] = *s;
				if (s->index != COMP_UNBOUND)
					cf->sources[j].index = base + s->index;
				continue;
			}
			ip = &in->params[s->index];
			if (maps[s->index]) {
				cf->sources[j] = mapped_from(b, maps[s->index]);
			} else if (spec_is_mapped(e, ip->name)) {
				cf->sources[j] = (struct comp_source){0, COMP_UNBOUND, NULL};
			} else {
				cf->sources[j] = (struct comp_source){1, b->c->nparams, NULL};
				add_param(b, joined(b->a, e->name, '-', ip->name), ip->param);
			}
		}
	}
	free(maps);
}

struct comp *comp_build(struct arena *a, const struct spec_fof *fof, int room)
{
	struct build b = {0};
	size_t i, n = 0;

	b.a = a;
	b.fof = fof;
	b.c = arena_alloc(a, sizeof(*b.c));
	memset(b.c, 0, sizeof(*b.c));
	b.offset = xcalloc(fof->nentries ? fof->nentries : 1, sizeof(*b.offset));
	for (i = 0; i < fof->nentries; i++) {
		const struct spec_entry *e = &fof->entries[i];

		b.offset[i] = n;
		b.c->bytes = sat_add(b.c->bytes, comp_entry_bytes(e));
		if (!comp_usable(e)) {
			b.c->incomplete = 1;
			continue;
		}
		n += e->flow ? 1 : e->fof->comp->nflows;
		if (e->fof && e->fof->comp->incomplete)
			b.c->incomplete = 1;
		if (e->fof && e->fof->comp->depth + 1 > b.c->depth)
			b.c->depth = e->fof->comp->depth + 1;
		else if (!b.c->depth)
			b.c->depth = 1;
	}
	/* the flows' room made once, for the n of them */
	if (n) {
		b.c->flows = xreallocarray(NULL, n, sizeof(*b.c->flows));
		b.flowcap = n;
	}
	/* none (an empty or malformed list, reported) says nothing of names */
	if (!fof->nentries)
		b.c->incomplete = 1;
	if (!room)
		b.c->incomplete = 1;
	else {
		for (i = 0; i < fof->nentries; i++) {
			const struct spec_entry *e = &fof->entries[i];

			if (!comp_usable(e))
				continue;
			if (e->flow)
				add_plain(&b, e);
			else
				add_nested(&b, e);
		}
	}
	strmap_reserve(&b.c->paths, b.c->nflows);
	strmap_reserve(&b.c->names, b.c->nparams);
	for (i = 0; i < b.c->nflows; i++)
		strmap_put(&b.c->paths, b.c->flows[i].path, strlen(b.c->flows[i].path),
			   (void *)(uintptr_t)(i + 1));
	for (i = 0; i < b.c->nparams; i++)
		strmap_put(&b.c->names, b.c->params[i].name, strlen(b.c->params[i].name),
			   (void *)(uintptr_t)(i + 1));
	free(b.offset);
	return b.c;
}

long comp_find_flow(const struct comp *c, const char *path, size_t len)
{
	void *v = strmap_get(&c->paths, path, len);

	return v ? (long)(uintptr_t)v - 1 : -1;
}

long comp_find_param(const struct comp *c, const char *name)
{
	void *v = strmap_get(&c->names, name, strlen(name));

	return v ? (long)(uintptr_t)v - 1 : -1;
}

void comp_drop_index(struct comp *c)
{
	strmap_free(&c->paths);
	strmap_free(&c->names);
}

void comp_free(struct comp *c)
{
	if (!c)
		return;
	free(c->flows);
	free(c->params);
	comp_drop_index(c);
}

/* order.c: dependency graphs and their topological order (Kahn's
 * algorithm, earliest written first among the ready ones), shared by the
 * type checker and the plan writer. It reports nothing. */
#include "order.h"

#include <stdlib.h>
#include <string.h>

/* A min-heap of indices, so that a topological order breaks ties by the
 * order things were written in. */
struct heap {
	size_t *items; /* the heap, with room for every node */
	size_t n;      /* number of items */
};

/* heap_push: v onto h, which has room (a node is pushed once) */
static void heap_push(struct heap *h, size_t v)
{
	size_t i;

	h->items[h->n++] = v;
	for (i = h->n - 1; i > 0 && h->items[(i - 1) / 2] > h->items[i]; i = (i - 1) / 2) {
		size_t t = h->items[i];

		h->items[i] = h->items[(i - 1) / 2];
		h->items[(i - 1) / 2] = t;
	}
}

static size_t heap_pop(struct heap *h)
{
	size_t top = h->items[0], i = 0;

	h->items[0] = h->items[--h->n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i, t;

		if (l < h->n && h->items[l] < h->items[m])
			m = l;
		if (r < h->n && h->items[r] < h->items[m])
			m = r;
		if (m == i)
			break;
		t = h->items[i];
		h->items[i] = h->items[m];
		h->items[m] = t;
		i = m;
	}
	return top;
}

void order_init(struct order_deps *d, size_t n)
{
	memset(d, 0, sizeof(*d));
	d->n = n;
}

void order_add(struct order_deps *d, size_t node, size_t needed)
{
	struct order_edge e = {node, needed};

	VEC_PUSH(d->edges, d->nedges, d->cap, e);
}

void order_free(struct order_deps *d)
{
	free(d->edges);
	free(d->first);
	memset(d, 0, sizeof(*d));
}

/* seal: the edges grouped by node (a counting sort, stable), in one block
 * holding first and needs */
static void seal(struct order_deps *d)
{
	size_t i;

	if (d->first)
		return;
	d->first = xcalloc(d->n + 1 + d->nedges + 1, sizeof(*d->first));
	d->needs = d->first + d->n + 1;
	for (i = 0; i < d->nedges; i++)
		d->first[d->edges[i].node + 1]++;
	for (i = 0; i < d->n; i++)
		d->first[i + 1] += d->first[i];
	/* first[i] is advanced past each of i's needs as it is placed, then
	 * moved back */
	for (i = 0; i < d->nedges; i++)
		d->needs[d->first[d->edges[i].node]++] = d->edges[i].needed;
	for (i = d->n; i > 0; i--)
		d->first[i] = d->first[i - 1];
	d->first[0] = 0;
	/* the edges as added are not needed any more */
	free(d->edges);
	d->edges = NULL;
	d->nedges = d->cap = 0;
}

const size_t *order_needs(struct order_deps *d, size_t node, size_t *count)
{
	seal(d);
	*count = d->first[node + 1] - d->first[node];
	return d->needs + d->first[node];
}

size_t order_topo(struct order_deps *d, size_t *order, size_t *rank)
{
	/* one block: for each node, how many needs wait and where its users
	 * start; the users; the ready heap */
	size_t n = d->n, m, *waiting, *ufirst, *users, i, j, k = 0;
	struct heap ready = {0};

	seal(d);
	m = d->first[n];
	waiting = xcalloc(2 * n + 1 + m + n + 1, sizeof(*waiting));
	ufirst = waiting + n;
	users = ufirst + n + 1;
	ready.items = users + m;
	for (i = 0; i < m; i++)
		ufirst[d->needs[i] + 1]++;
	for (i = 0; i < n; i++)
		ufirst[i + 1] += ufirst[i];
	for (i = 0; i < n; i++)
		for (j = d->first[i]; j < d->first[i + 1]; j++) {
			users[ufirst[d->needs[j]]++] = i;
			waiting[i]++;
		}
	for (i = n; i > 0; i--)
		ufirst[i] = ufirst[i - 1];
	ufirst[0] = 0;
	for (i = 0; i < n; i++)
		if (!waiting[i])
			heap_push(&ready, i);
	while (ready.n) {
		size_t u = heap_pop(&ready);

		rank[u] = k;
		order[k++] = u;
		for (j = ufirst[u]; j < ufirst[u + 1]; j++)
			if (--waiting[users[j]] == 0)
				heap_push(&ready, users[j]);
	}
	free(waiting);
	return k;
}

void order_task_deps(const struct spec_flow *f, struct order_deps *d)
{
	size_t i, j;

	order_init(d, f->ntasks);
	for (i = 0; i < f->ntasks; i++) {
		const struct spec_task *t = &f->tasks[i];

		for (j = 0; j < t->nrefs; j++)
			if (t->refs[j].bound && t->refs[j].ref->root == REF_TASK)
				order_add(d, i, t->refs[j].target);
		for (j = 0; t->depends_on && j < t->depends_on->n; j++) {
			const struct spec_task *n = spec_find_task(f, yn_item(t->depends_on, j)->str);

			if (n)
				order_add(d, i, (size_t)(n - f->tasks));
		}
	}
}

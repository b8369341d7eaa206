/* order.c: dependency graphs and their topological order (Kahn's
 * algorithm, earliest written first among the ready ones), shared by the
 * type checker and the plan writer. It reports nothing. */
#include "order.h"

#include <stdlib.h>

/* A min-heap of indices, so that a topological order breaks ties by the
 * order things were written in. */
struct heap {
	size_t *items; /* the heap */
	size_t n;      /* number of items */
	size_t cap;    /* allocated items */
};

static void heap_push(struct heap *h, size_t v)
{
	size_t i;

	VEC_PUSH(h->items, h->n, h->cap, v);
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
	d->n = n;
	d->needs = xcalloc(n ? n : 1, sizeof(*d->needs));
	d->nneeds = xcalloc(n ? n : 1, sizeof(*d->nneeds));
	d->cap = xcalloc(n ? n : 1, sizeof(*d->cap));
}

void order_add(struct order_deps *d, size_t node, size_t needed)
{
	VEC_PUSH(d->needs[node], d->nneeds[node], d->cap[node], needed);
}

void order_free(struct order_deps *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->needs[i]);
	free(d->needs);
	free(d->nneeds);
	free(d->cap);
}

size_t order_topo(const struct order_deps *d, size_t *order, size_t *rank)
{
	size_t *waiting = xcalloc(d->n ? d->n : 1, sizeof(*waiting));
	size_t **users = xcalloc(d->n ? d->n : 1, sizeof(*users));
	size_t *nusers = xcalloc(d->n ? d->n : 1, sizeof(*nusers));
	size_t *capusers = xcalloc(d->n ? d->n : 1, sizeof(*capusers));
	struct heap ready = {0};
	size_t i, j, k = 0;

	for (i = 0; i < d->n; i++) {
		for (j = 0; j < d->nneeds[i]; j++) {
			VEC_PUSH(users[d->needs[i][j]], nusers[d->needs[i][j]], capusers[d->needs[i][j]], i);
			waiting[i]++;
		}
	}
	for (i = 0; i < d->n; i++)
		if (!waiting[i])
			heap_push(&ready, i);
	while (ready.n) {
		size_t u = heap_pop(&ready);

		rank[u] = k;
		order[k++] = u;
		for (j = 0; j < nusers[u]; j++)
			if (--waiting[users[u][j]] == 0)
				heap_push(&ready, users[u][j]);
	}
	for (i = 0; i < d->n; i++)
		free(users[i]);
	free(users);
	free(nusers);
	free(capusers);
	free(waiting);
	free(ready.items);
	return k;
}

void order_task_deps(const struct spec_flow *f, struct order_deps *d)
{
	size_t i, j;

	order_init(d, f->ntasks);
	for (i = 0; i < f->ntasks; i++) {
		const struct spec_task *t = &f->tasks[i];

		for (j = 0; j < t->nrefs; j++)
			if (t->refs[j].bound && t->refs[j].ref.root == REF_TASK)
				order_add(d, i, t->refs[j].target);
		for (j = 0; t->depends_on && j < t->depends_on->n; j++) {
			const struct spec_task *n = spec_find_task(f, yn_item(t->depends_on, j)->str);

			if (n)
				order_add(d, i, (size_t)(n - f->tasks));
		}
	}
}

/* order.h: dependency graphs and their topological order, shared by the
 * type checker and the plan writer. It reports nothing. */
#ifndef FLOWC_ORDER_H
#define FLOWC_ORDER_H

#include <stddef.h>

#include "spec.h"

/* A dependency graph: needs[i] lists what i needs (duplicates allowed). */
struct order_deps {
	size_t n;        /* nodes */
	size_t **needs;  /* needs[i]: nodes i needs */
	size_t *nneeds;  /* length of needs[i] */
	size_t *cap;     /* allocated needs[i] */
};

void order_init(struct order_deps *d, size_t n);
void order_add(struct order_deps *d, size_t node, size_t needed);
void order_free(struct order_deps *d);
/* order_topo: order[k] is the k-th node to run and rank[i] node i's place,
 * smallest index first among the ready ones; returns how many were placed
 * (nodes on a cycle are not, and their rank is not set) */
size_t order_topo(const struct order_deps *d, size_t *order, size_t *rank);
/* order_task_deps: what each task of f needs: the tasks its bound
 * references name and those of its depends_on */
void order_task_deps(const struct spec_flow *f, struct order_deps *d);

#endif

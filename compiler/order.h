/* order.h: dependency graphs and their topological order, shared by the
 * type checker and the plan writer. It reports nothing. */
#ifndef FLOWC_ORDER_H
#define FLOWC_ORDER_H

#include <stddef.h>

#include "spec.h"

/* one dependency: node needs needed */
struct order_edge {
	size_t node;
	size_t needed;
};

/* A dependency graph of n nodes: its edges as added (duplicates allowed),
 * then, once sealed, what each node needs in one array. */
struct order_deps {
	size_t n;                 /* nodes */
	struct order_edge *edges; /* as added */
	size_t nedges, cap;
	size_t *first;            /* sealed: node i's needs are needs[first[i]..first[i+1]) */
	size_t *needs;            /* sealed: the needed nodes, grouped by node, in added order */
};

void order_init(struct order_deps *d, size_t n);
/* order_add: node needs needed; only before d is sealed (by order_needs
 * or order_topo) */
void order_add(struct order_deps *d, size_t node, size_t needed);
void order_free(struct order_deps *d);
/* order_needs: what node needs (sealing d on first use), *count of them */
const size_t *order_needs(struct order_deps *d, size_t node, size_t *count);
/* order_topo: order[k] is the k-th node to run and rank[i] node i's place,
 * smallest index first among the ready ones; returns how many were placed
 * (nodes on a cycle are not, and their rank is not set) */
size_t order_topo(struct order_deps *d, size_t *order, size_t *rank);
/* order_task_deps: what each task of f needs: the tasks its bound
 * references name and those of its depends_on */
void order_task_deps(const struct spec_flow *f, struct order_deps *d);

#endif

/* graph.h: a plan drawn as Graphviz DOT: flows as record nodes listing
 * their tasks, mappings as labelled edges, the flows of a nested flow of
 * flows inside a cluster. It reads plans, not specs. */
#ifndef FLOWC_GRAPH_H
#define FLOWC_GRAPH_H

#include <jansson.h>

#include "util.h"

/* graph_dot: appends the DOT text of plan to out; paths, when not NULL,
 * holds for each of the plan's flows the entry names on its way joined
 * with '/' ("injector/flow2"), and the flows sharing a leading name are
 * drawn in a cluster of that name, at every level */
void graph_dot(const json_t *plan, const char *const *paths, struct buf *out);

#endif

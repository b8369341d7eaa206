/* graph.h: a plan drawn as Graphviz DOT: flows as record nodes listing
 * their tasks, mappings as labelled edges. It reads plans, not specs. */
#ifndef FLOWC_GRAPH_H
#define FLOWC_GRAPH_H

#include <jansson.h>

#include "util.h"

/* graph_dot: appends the DOT text of plan to out */
void graph_dot(const json_t *plan, struct buf *out);

#endif

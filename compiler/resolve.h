/* resolve.h: finds the flow each composing-flow entry names, by
 * (project_name, name) across every loaded spec. It checks no mapping. */
#ifndef FLOWC_RESOLVE_H
#define FLOWC_RESOLVE_H

#include "diag.h"
#include "spec.h"

/* resolve_flows: reports flows and flows of flows defined twice, then sets
 * entry->flow for every composing flow of every flow of flows, reporting the
 * unknown ones with the known flows and the directories searched (dirs). */
void resolve_flows(struct spec_set *set, const char *const *dirs, size_t ndirs,
		   struct diags *ds);

#endif

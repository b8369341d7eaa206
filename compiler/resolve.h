/* resolve.h: binds names to what they name: composing-flow entries to flows
 * by (project_name, name), ${{ }} references to parameters and tasks. It
 * checks no types. */
#ifndef FLOWC_RESOLVE_H
#define FLOWC_RESOLVE_H

#include "diag.h"
#include "spec.h"

/* resolve_flows: reports flows and flows of flows defined twice, then sets
 * entry->flow (or entry->fof, for a nested flow of flows) for every
 * composing flow of every flow of flows, reporting the unknown ones with
 * the known flows and the directories searched (dirs); refuses a flow of
 * flows that includes itself or passes the limits of comp.h; binds every
 * mapped parameter to its parameter (or composed parameter), parent entry,
 * flow (a path into a nested one) and task; and builds each fof->comp,
 * inner ones first.
 * When files could not be read (unread: their paths), an unknown flow may
 * be defined there: that is said once, without suggesting another name. */
void resolve_flows(struct spec_set *set, const char *const *dirs, size_t ndirs,
		   const char *const *unread, size_t nunread, struct diags *ds);

/* resolve_flow_refs: parses every ${{ }} in the run, env and with values
 * of every task of f and binds it to the parameter or task it names,
 * reporting malformed references and unknown names; the references go to
 * a, and each text parsed into parsed (kept by the caller from flow to
 * flow, with a, so that a reference written alike in many flows is
 * parsed once). It reads nothing outside f. */
void resolve_flow_refs(struct arena *a, struct strmap *parsed, struct spec_flow *f,
		       struct diags *ds);

#endif

/* tc.h: the type checker: types of parameters and task results, ${{ }}
 * paths, defaults, built-in task arguments, and mappings between flows. It
 * annotates the model with types and never changes its structure. */
#ifndef FLOWC_TC_H
#define FLOWC_TC_H

#include "diag.h"
#include "spec.h"

/* tc_flow: sets param->t and task->result_t for every parameter and task
 * whose type can be known, and flow->task_rank, reporting every type error
 * of the flow; strict reports values of type any where a type is expected.
 * Types and ranks go to a, types kept in types by their text. It reads
 * nothing outside the flow. */
void tc_flow(struct arena *a, struct strmap *types, struct spec_flow *flow, int strict,
	     struct diags *ds);
/* tc_fof: checks the type of every mapping; its flows must be typed */
void tc_fof(struct spec_set *set, const struct spec_fof *fof, int strict, struct diags *ds);

#endif

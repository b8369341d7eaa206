/* check.h: the structural checks of flows and flows of flows that need no
 * types. They read the spec model and never change it. */
#ifndef FLOWC_CHECK_H
#define FLOWC_CHECK_H

#include "diag.h"
#include "spec.h"

/* check_flow: shell scripts, depends_on, task cycles (through depends_on and
 * the bound task references) */
void check_flow(const struct spec_flow *flow, struct diags *ds);
/* check_fof: cycles among composing flows and composed parameter names;
 * entries and mappings must have been resolved */
void check_fof(const struct spec_fof *fof, struct diags *ds);

#endif

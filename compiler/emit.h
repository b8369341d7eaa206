/* emit.h: the plan writer: one checked flow of flows as the JSON plan of
 * docs/plan.md. It needs a model without errors and reports nothing. */
#ifndef FLOWC_EMIT_H
#define FLOWC_EMIT_H

#include <jansson.h>

#include "bundle.h"
#include "spec.h"

/* emit_plan: the plan of fof (its composition, flattened), without its
 * hash; fof, its flows and their types must be free of errors. With a
 * bundle, the `run` arguments naming its files are {"bundled": PATH} and
 * the files are the plan's "files". When flows_out is not NULL,
 * flows_out[k] is set to the index in fof->comp of the plan's flows[k].
 * The tree is emit_write's text, read back. */
json_t *emit_plan(const struct spec_fof *fof, const struct bundle *bundle, size_t *flows_out);
/* emit_put_fn: takes the next len bytes of a plan's text; ctx is the
 * caller's. It returns only once they are written (a failure to write ends
 * the program). */
typedef void (*emit_put_fn)(void *ctx, const char *data, size_t len);
/* emit_write: the text of the plan of fof (as emit_plan makes it) with its
 * content hash: compact, keys sorted, one trailing newline, given to put in
 * pieces, in order, as it is made. The flows' text is written directly,
 * without a tree, in runs of flows (by two threads for a large plan) given
 * in order as soon as they are made, and the hash is computed as the text
 * goes: the text of the whole plan is never held. put is called from the
 * calling thread only. */
void emit_write(const struct spec_fof *fof, const struct bundle *bundle, size_t *flows_out,
		emit_put_fn put, void *ctx);

#endif

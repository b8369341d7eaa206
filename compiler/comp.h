/* comp.h: a flow of flows flattened: every plain flow it holds, at any depth
 * of nesting, with where each of its parameters comes from (docs/spec.md,
 * "Nested flows of flows"). It is built from bound entries and mappings and
 * reports nothing; the checks read it and the plan writer walks it. */
#ifndef FLOWC_COMP_H
#define FLOWC_COMP_H

#include "spec.h"

/* at most this many levels of flows of flows inside flows of flows */
#define COMP_MAX_DEPTH 64
/* at most this many bytes for all compositions flattened and the plan
 * written of one (as estimated by comp_entry_bytes: names, records, and
 * each flow's spec text once per time it is composed), so that nesting
 * cannot grow without bound */
#define COMP_MAX_BYTES ((size_t)256 << 20)

/* Where one parameter of a flow of the composition comes from. */
struct comp_source {
	int input;                      /* 1: the composition's params[index] */
	size_t index;                   /* input: that parameter; else the flow taken from
					   (COMP_UNBOUND when the mapping has errors) */
	const struct spec_mapping *map; /* the mapping (task, map_type, index), when not input */
};

#define COMP_UNBOUND ((size_t)-1)

/* One plain flow of the composition. */
struct comp_flow {
	const char *name;               /* entry names joined with '-': its name in the plan */
	const char *path;               /* entry names joined with '/': how mappings name it */
	const struct spec_flow *flow;   /* the flow */
	const struct ynode *labels;     /* the outermost entry's override, else the flow's */
	const struct ynode *image;      /* likewise */
	const struct spec_entry *entry; /* the entry of this flow of flows it comes from */
	size_t depth;                   /* 0 when that entry names the flow itself */
	struct comp_source *sources;    /* one per flow->params */
};

/* One composed parameter: a parameter no mapping sets at any level. */
struct comp_param {
	const char *name;               /* {entry}-{param}, {entry}-{entry}-{param}, ... */
	const struct spec_param *param; /* the flow parameter: type and default */
	size_t flow;                    /* the flow it belongs to, in flows */
};

struct comp {
	struct comp_flow *flows;        /* in entry order, a nested entry's flows together */
	size_t nflows;                  /* number of flows */
	struct comp_param *params;      /* in flow order, then parameter order */
	size_t nparams;                 /* number of params */
	size_t bytes;                   /* the memory it takes, estimated (COMP_MAX_BYTES) */
	size_t depth;                   /* levels of flows of flows: 1 without nesting */
	int incomplete;                 /* an entry named nothing usable: names may be missing */
	int over;                       /* it, or one it includes, is past COMP_MAX_BYTES (reported
					   once, where it was crossed): it holds no flows */
	struct strmap paths;            /* flow path -> index + 1 */
	struct strmap names;            /* composed parameter name -> index + 1 */
};

/* comp_usable: whether an entry names a flow, or a flow of flows whose
 * composition is built */
int comp_usable(const struct spec_entry *e);
/* comp_entry_bytes: about how much memory an entry takes in a composition
 * (an upper bound, for COMP_MAX_BYTES), 0 when it is not usable */
size_t comp_entry_bytes(const struct spec_entry *e);
/* comp_build: the composition of fof, whose entries are bound (flow, or fof
 * with its composition built) and whose mappings are bound as far as their
 * names are right; everything is allocated in a. Without room (its size
 * is over what is left of COMP_MAX_BYTES), it holds no flows and is
 * incomplete. */
struct comp *comp_build(struct arena *a, const struct spec_fof *fof, int room);
/* comp_find_flow, comp_find_param: by path or composed name, or -1; until
 * comp_drop_index */
long comp_find_flow(const struct comp *c, const char *path, size_t len);
long comp_find_param(const struct comp *c, const char *name);
/* comp_drop_index: frees what comp_find_flow and comp_find_param use, once
 * no composition is left to build on c (a name per flow: a large one's
 * memory is better spent writing the plan) */
void comp_drop_index(struct comp *c);
void comp_free(struct comp *c);

#endif

/* bundle.h: the local files a plan's tasks run, for `flowc compile
 * --bundle` (docs/plan.md, "Bundles"): found next to the specs, read,
 * hashed, and written into the plan. It decides nothing about running. */
#ifndef FLOWC_BUNDLE_H
#define FLOWC_BUNDLE_H

#include <jansson.h>

#include "comp.h"
#include "diag.h"

/* at most this many bytes in one bundled file */
#define BUNDLE_MAX_FILE ((size_t)64 << 20)

struct bundle_file {
	char *abs;                  /* its real path here */
	const char *path;           /* its path in the bundle (inside abs) */
	int exec;                   /* 1 when it is executable */
	struct buf data;            /* its bytes */
	char sha256[65];            /* their SHA-256, hex */
};

struct bundle {
	struct bundle_file *files;  /* sorted by path once collected */
	size_t n;                   /* number of files */
	size_t cap;                 /* allocated files */
	struct strmap nodes;        /* argv scalar (its address) -> index + 1 */
	struct strmap abs;          /* real path -> index + 1 */
	struct arena keys;          /* the keys of nodes */
};

/* bundle_collect: the files of the flows of c: every literal `run` argument
 * that names a regular file relative to its spec's directory, and every
 * file a flow's `bundle` lists (E0117 when it is not a readable regular
 * file). Their paths in the bundle are relative to the deepest directory
 * holding them all. */
void bundle_collect(struct bundle *b, const struct comp *c, struct diags *ds);
/* bundle_path: the bundle path of the file argv scalar n names, or NULL */
const char *bundle_path(const struct bundle *b, const struct ynode *n);
/* bundle_json: the plan's "files" member */
json_t *bundle_json(const struct bundle *b);
void bundle_free(struct bundle *b);

#endif

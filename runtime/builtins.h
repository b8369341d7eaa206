/* builtins.h: the built-in tasks (docs/run.md), run inside flowrun:
 * save_file, load_file, save_db_result, load_db_result. They see files and
 * the results store through their modules, and nothing of the scheduler. */
#ifndef FLOWRUN_BUILTINS_H
#define FLOWRUN_BUILTINS_H

#include <jansson.h>

#include "files.h"
#include "limits.h"
#include "store.h"

/* what a built-in may use */
struct builtin_ctx {
	const struct files *files;  /* named filesystems */
	struct store *store;        /* the results store */
	const char *run_id;         /* recorded in saved documents */
	const char *flow_name;      /* the flow running the task */
	const char *project_name;   /* its project */
	const struct limits *limits; /* what a loaded file may hold */
};

/* builtin_run: the result of built-in name given its arguments; NULL with
 * why on failure */
json_t *builtin_run(const struct builtin_ctx *c, const char *name, const json_t *with,
		    struct buf *why);

#endif

/* plan.h: the plan as flowrun reads it (docs/plan.md): loaded with jansson,
 * its version and hash verified, every field and index checked, so later
 * stages can trust it. It runs nothing. */
#ifndef FLOWRUN_PLAN_H
#define FLOWRUN_PLAN_H

#include <jansson.h>
#include <stddef.h>

#include "type.h"
#include "util.h"

/* where a flow parameter's value comes from */
enum plan_source_kind { SOURCE_INPUT, SOURCE_RAW, SOURCE_FILE, SOURCE_DB };

struct plan_source {
	enum plan_source_kind kind; /* input, or a mapping */
	size_t input;               /* SOURCE_INPUT: index in plan->inputs */
	size_t flow;                /* mappings: the parent flow (an earlier flow) */
	size_t task;                /* mappings: the parent's task */
	const json_t *index;        /* SOURCE_DB: the attribute_index path (array) */
};

/* A parameter of the composed flow: what a run is given. */
struct plan_input {
	const char *name;           /* "{flow}-{param}" */
	const char *type_text;      /* canonical type */
	const struct type *type;    /* parsed */
	const json_t *deflt;        /* default value, or NULL when required */
};

/* A file of a bundled plan (flowc compile --bundle): what its tasks run. */
struct plan_file {
	const char *path;           /* relative, below the run's bundle directory */
	const char *sha256;         /* of its bytes, hex */
	int executable;             /* 1: written executable */
	char *data;                 /* its bytes, verified against sha256 */
	size_t len;                 /* number of bytes */
};

struct plan_param {
	const char *name;           /* the flow's own name for it */
	const char *type_text;      /* canonical type */
	const struct type *type;    /* parsed */
	struct plan_source source;  /* where its value comes from */
};

enum plan_task_kind { TASK_RUN, TASK_SHELL, TASK_BUILTIN };

struct plan_task {
	const char *name;           /* unique in the flow */
	enum plan_task_kind kind;   /* run, shell or builtin */
	const json_t *argv;         /* TASK_RUN: array of templates */
	const char *script;         /* TASK_SHELL: the script */
	const char *builtin;        /* TASK_BUILTIN: its name */
	const json_t *with;         /* template of its inputs, or NULL */
	const json_t *env;          /* object of templates, or NULL */
	const char *result_text;    /* canonical result type */
	const struct type *result;  /* parsed */
	size_t *needs;              /* earlier tasks it waits for */
	size_t nneeds;              /* number of needs */
	long long timeout_ms;       /* 0: none */
	long long retries;          /* extra attempts */
	long long retry_delay_ms;   /* between attempts */
	int cache;                  /* 1: results may be reused */
	const json_t *json;         /* the task as the plan writes it: its definition */
};

struct plan_flow {
	long long cpus;             /* Slurm: CPUs per task, 0 when not asked */
	long long mem_mb;           /* Slurm: memory in MiB, 0 when not asked */
	long long time_s;           /* Slurm: time limit in seconds, 0 when not asked */
	const char *partition;      /* Slurm: partition, or NULL */
	const char *name;           /* composing flow's name */
	const char *project;        /* its project */
	const json_t *labels;       /* array of strings, or NULL */
	const char *image;          /* the image its process tasks run in, or NULL */
	int network;                /* 1: they may reach the network there */
	size_t *needs;              /* earlier flows it waits for */
	size_t nneeds;              /* number of needs */
	struct plan_param *params;  /* its parameters */
	size_t nparams;             /* number of params */
	struct plan_task *tasks;    /* in an order where needs come first */
	size_t ntasks;              /* number of tasks */
};

struct plan {
	json_t *root;               /* the parsed document; owns every json_t above */
	const char *name;           /* the flow of flows */
	const char *project;        /* its project */
	const char *hash;           /* "sha256:..." */
	struct plan_input *inputs;  /* composed parameters */
	size_t ninputs;             /* number of inputs */
	struct plan_flow *flows;    /* in topological order */
	size_t nflows;              /* number of flows */
	struct plan_file *files;    /* a bundle's files, sorted by path; NULL for a plain plan */
	size_t nfiles;              /* number of files */
	struct arena arena;         /* owns the arrays and types above */
};

/* plan_parse: reads plan text; 0, or -1 with the reason in err (one line,
 * naming the JSON path of the first problem). p must be freed either way. */
int plan_parse(struct plan *p, const char *text, size_t len, struct buf *err);
/* plan_load: plan_parse of a file; -1 also when it cannot be read */
int plan_load(struct plan *p, const char *path, struct buf *err);
void plan_free(struct plan *p);

/* The other direction of needs: for each node (a flow of a plan, or a
 * task of a flow), the nodes that need it. */
struct plan_deps {
	size_t *start;              /* node i's dependents: of[start[i] .. start[i + 1]) */
	size_t *of;                 /* the dependents, node after node */
};
/* plan_flow_deps: the flows of p that need each flow */
void plan_flow_deps(const struct plan *p, struct plan_deps *d);
/* plan_task_deps: the tasks of f that need each task of f */
void plan_task_deps(const struct plan_flow *f, struct plan_deps *d);
void plan_deps_free(struct plan_deps *d);

/* the built-in tasks a plan may use */
extern const char *const plan_builtins[];
extern const size_t plan_nbuiltins;

#endif

/* spec.h: the spec model, flows and flows of flows (docs/spec.md), built
 * from YAML documents with every key checked. It resolves nothing across
 * flows; that is resolve.c's job. */
#ifndef FLOWC_SPEC_H
#define FLOWC_SPEC_H

#include "diag.h"
#include "plan_format.h"
#include "ref.h"
#include "type.h"
#include "ynode.h"

struct comp;

enum spec_action { SPEC_NONE, SPEC_RUN, SPEC_SHELL, SPEC_USES };
enum spec_map_type { SPEC_MAP_RAW, SPEC_MAP_FILE, SPEC_MAP_DB };

struct spec_param {
	const char *name;            /* key in 'parameters' */
	const struct ynode *key;     /* that key, for positions */
	const struct ynode *type;    /* the type text (a scalar), NULL when invalid */
	const struct ynode *deflt;   /* the default value, NULL when the parameter is required */
	const struct ynode *description; /* optional scalar */
	const struct type *t;        /* the parsed type, set by the type checker; NULL if invalid */
};

/* One ${{ }} in a string of a task, bound to what it names by resolve. */
struct spec_ref {
	const struct ynode *node;    /* the scalar holding it */
	struct ref_span span;        /* where it is in node->str */
	uint32_t line, col;          /* where its "${{" is (spec_ref_loc) */
	const struct ref *ref;       /* the parsed reference, shared by every reference of the
					same text a thread bound (its offsets are the text's);
					NULL when it does not parse */
	uint32_t bound;              /* 1 when ref names a parameter or task that exists */
	uint32_t target;             /* when bound: index in the flow's params or tasks */
};

/* The references of one scalar of a task: consecutive in the task's refs
 * (a scalar is at most 2 GiB, so are their counts). */
struct spec_scalar_refs {
	const struct ynode *node;    /* the scalar */
	uint32_t first;              /* index of its first reference in the task's refs */
	uint32_t count;              /* how many it holds */
};

struct spec_task {
	const char *name;            /* unique within the flow; NULL when missing */
	const struct ynode *node;    /* the task's mapping */
	const struct ynode *name_node; /* the 'name' value, or the mapping when missing */
	enum spec_action action;     /* which of run/shell/uses, SPEC_NONE when invalid */
	int cache;                   /* 1 when results may be reused */
	const struct ynode *run;     /* list of scalars, or NULL */
	const struct ynode *shell;   /* scalar, or NULL */
	const struct ynode *uses;    /* scalar naming a built-in, or NULL */
	const struct ynode *with;    /* mapping of inputs, or NULL */
	const struct ynode *env;     /* mapping of scalars, or NULL */
	const struct ynode *result;  /* declared result type (scalar), or NULL */
	const struct ynode *depends_on; /* list of task names, or NULL */
	long long timeout_ms;        /* 0 when no timeout */
	long long retry_delay_ms;    /* delay between retries */
	long retries;                /* extra attempts after a failure */
	struct spec_ref *refs;       /* every ${{ }} of run, env and with, in order; set by resolve */
	struct spec_scalar_refs *scalars; /* the scalars holding refs, by node address; set by resolve */
	uint32_t nrefs;              /* number of refs (each takes 5 bytes of a file of at most
					2 GiB) */
	uint32_t nscalars;           /* number of scalars */
	const struct type *result_t; /* the result type, set by the type checker */
};

/* What flows and flows of flows have in common: their identity and labels. */
struct spec_head {
	const char *name;            /* NULL when missing */
	const char *project;         /* NULL when missing */
	const struct ynode *node;    /* the document */
	const struct ynode *name_node; /* the 'name' value, or the document */
	const struct ynode *labels;  /* list of strings, or NULL */
	const struct ynode *image;   /* scalar, or NULL */
	const struct ynode *description; /* scalar, or NULL */
};

/* What a flow asks of a Slurm node (flows only; 0 / NULL when not given). */
struct spec_resources {
	long cpus;                   /* CPUs per task */
	long long mem_mb;            /* memory in MiB */
	long long time_s;            /* time limit in seconds */
	const struct ynode *partition; /* scalar, or NULL */
	int given;                   /* 1 when the flow has 'resources' */
};

struct spec_flow {
	struct spec_head head;       /* name, project, labels, image, description */
	struct spec_resources resources; /* for the Slurm backend */
	int network;                 /* 1: its tasks may reach the network in their image */
	const struct ynode *bundle;  /* list of files compile --bundle adds, or NULL */
	struct yn_size size;         /* its document's, when the loader gave it (else 0 nodes) */
	size_t weight;               /* bytes of its spec text and nodes, once comp counted them */
	struct spec_param *params;   /* in file order */
	size_t nparams;              /* number of params */
	struct spec_task *tasks;     /* in file order */
	size_t ntasks;               /* number of tasks */
	size_t *task_rank;           /* each task's place in the order they run (those it
					needs first, then file order), set by the type checker
					when no task is on a cycle; else NULL */
};

struct spec_mapping {
	const char *param;           /* the parameter of the composing flow it sets */
	const struct ynode *key;     /* that key in 'mapped_parameters' */
	const struct ynode *node;    /* the mapping's value (a mapping) */
	const struct ynode *parent_flow;    /* scalar or NULL */
	const struct ynode *parent_project; /* scalar or NULL (optional) */
	const struct ynode *parent_task;    /* scalar or NULL */
	enum spec_map_type map_type; /* raw when absent */
	const struct ynode *map_type_node;  /* scalar or NULL */
	const struct ynode *attribute;      /* lume-services' first index element, or NULL */
	const struct ynode *attribute_index; /* list of keys and indexes, or NULL */
	/* set by resolve when the names are right: */
	const struct spec_param *target;    /* the flow parameter it sets, or NULL */
	size_t target_input;                /* which of the entry's inputs that is: its flow's
					       params[i], or its flow of flows' comp->params[i] */
	struct spec_entry *parent;          /* the composing flow it takes from, or NULL */
	size_t parent_leaf;                 /* which flow of the parent's composition (0 for a flow) */
	const struct spec_flow *from;       /* that flow, or NULL */
	const struct spec_task *task;       /* its task, or NULL */
};

struct spec_entry {
	const char *name;            /* composing flow's name; NULL when missing */
	const char *project;         /* its project; NULL when missing */
	const struct ynode *node;    /* the entry's mapping */
	const struct ynode *name_node; /* the 'name' value, or the mapping */
	const struct ynode *labels;  /* overrides the flow's labels, or NULL */
	const struct ynode *image;   /* overrides the flow's image, or NULL */
	struct spec_mapping *maps;   /* mapped parameters in file order */
	size_t nmaps;                /* number of maps */
	struct spec_flow *flow;      /* the flow it names, set by resolve; NULL if unknown */
	struct spec_fof *fof;        /* or the flow of flows it names, set by resolve */
	int duplicate;               /* 1 when an earlier entry has the same name, set by resolve */
	int refused;                 /* 1 when it names a flow of flows that includes this one, or
					nests too deep (reported; fof is then NULL), set by resolve */
};

struct spec_fof {
	struct spec_head head;       /* name, project, labels, image, description */
	struct spec_entry *entries;  /* composing flows in file order */
	size_t nentries;             /* number of entries */
	struct comp *comp;           /* flattened, set by resolve; NULL when it includes itself */
	int building;                /* 1 while resolve builds what it includes */
	int built;                   /* 1 once resolve has bound it and built comp */
};

/* Every flow and flow of flows of a compilation, in load order. */
struct spec_set {
	struct spec_flow **flows;    /* every flow */
	size_t nflows;               /* number of flows */
	size_t flowcap;              /* allocated flows */
	struct spec_fof **fofs;      /* every flow of flows */
	size_t nfofs;                /* number of fofs */
	size_t fofcap;               /* allocated fofs */
	struct arena arena;          /* owns the structures above, not the YAML */
	struct strmap types;         /* the type checker's parsed types, by their text */
};

/* spec_add_document: adds the flow or flow of flows that doc (of the
 * given size, or NULL) describes, reporting every structural problem. doc
 * must outlive set. */
void spec_add_document(struct spec_set *set, const struct ynode *doc, const struct yn_size *size,
		       struct diags *ds);
void spec_free(struct spec_set *set);

/* spec_task_names, spec_param_names: the names of a flow's tasks or
 * parameters, for suggestions; an array to free, *n set to its length */
const char **spec_task_names(const struct spec_flow *f, size_t *n);
const char **spec_param_names(const struct spec_flow *f, size_t *n);
/* spec_find_param, spec_find_task: by name, or NULL */
const struct spec_param *spec_find_param(const struct spec_flow *f, const char *name);
const struct spec_task *spec_find_task(const struct spec_flow *f, const char *name);
/* spec_refs_in: how many of t's references scalar n holds, *first set to
 * the index of the first of them in t->refs when there are any */
size_t spec_refs_in(const struct spec_task *t, const struct ynode *n, size_t *first);
/* spec_ref_loc: where reference r's "${{" is */
struct diag_loc spec_ref_loc(const struct spec_ref *r);
/* spec_is_mapped: whether the entry maps its flow's parameter name */
int spec_is_mapped(const struct spec_entry *e, const char *name);

/* spec_parse_duration: "30s", "5m", "1h30m", "500ms", "1.5h" or a number of
 * seconds, into milliseconds. Returns 0, -1 when text is not a duration,
 * -2 when it is longer than PLAN_MAX_DURATION_MS. */
int spec_parse_duration(const char *text, long long *ms);

/* the built-in tasks 'uses' may name */
extern const char *const spec_builtins[];
extern const size_t spec_nbuiltins;

#endif

/* key.h: a task's key (docs/run.md, "Reusing an earlier run"): the SHA-256
 * of everything that decides what it does: its definition, its run, with
 * and env as resolved, its flow's image, and by their content the bundled
 * files and the files its file representations name. `cache: true` and
 * `run --reuse` compare keys. It runs nothing and writes nothing. */
#ifndef FLOWRUN_KEY_H
#define FLOWRUN_KEY_H

#include <jansson.h>

#include "files.h"
#include "plan.h"
#include "tmpl.h"

/* a task's key and the files it was computed over */
struct task_key {
	char hex[65];               /* 64 hex digits; "" when not computed */
	json_t *read;               /* "FS:NAME" -> SHA-256 hex, or null for a file
				     * that could not be read; NULL when none */
};

/* what a key is computed from */
struct key_in {
	const struct plan *plan;    /* the plan (its bundled files) */
	const struct plan_flow *flow; /* the task's flow (its parameter types) */
	const struct plan_task *task; /* the task */
	const struct tmpl_scope *scope; /* its flow's parameter values and task results */
	const struct files *files;  /* where file representations' files are */
	const char *image_id;       /* the id of its flow's image, or NULL */
};

/* key_task: the key of in's task into k (k->read a new reference or NULL);
 * 0, or -1 with why (a template that cannot be resolved) */
int key_task(const struct key_in *in, struct task_key *k, struct buf *why);
/* key_clear: frees k->read; k is then not computed */
void key_clear(struct task_key *k);
/* key_file_sha: the SHA-256 (hex) of file name in filesystem fs, read now
 * (once per process for a file whose device, inode, size and times are
 * unchanged); 0, or -1 with why (unknown filesystem, not a regular file,
 * unreadable) */
int key_file_sha(const struct files *files, const char *fs, const char *name, char hex[65],
		 struct buf *why);
/* what key_type_walk calls for the files and stored documents of a value */
struct key_walk {
	/* a file representation ({filesystem_identifier, filename}) */
	void (*file)(void *ctx, const char *fs, const char *name);
	/* a results store representation (db[...]) */
	void (*db)(void *ctx, const json_t *rep);
	void *ctx;
};

/* key_type_walk: calls w's functions (those not NULL) for each file and
 * stored document v holds where its type t says one is */
void key_type_walk(const struct type *t, const json_t *v, const struct key_walk *w);

/* the parameters and tasks of its flow whose values a task references:
 * indexes, sorted, each once (as many as it references, whatever the size
 * of the flow) */
struct key_refs {
	size_t *params, nparams, pcap;
	size_t *tasks, ntasks, tcap;
};

/* key_refs: what pt's run, with and env reference, into r (its previous
 * content is not freed); free with key_refs_free */
void key_refs(const struct plan_flow *pf, const struct plan_task *pt, struct key_refs *r);
void key_refs_free(struct key_refs *r);
/* key_bundled: the bundled files pt's key covers (every file of the
 * bundle when pt names one of them), path -> SHA-256 hex (an object to
 * decref) */
json_t *key_bundled(const struct plan *p, const struct plan_task *pt);

#endif

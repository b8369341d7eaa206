/* tmpl.h: plan templates made into values: references replaced by the
 * parameter values and task results they name, paths walked. It runs
 * nothing and knows no files. */
#ifndef FLOWRUN_TMPL_H
#define FLOWRUN_TMPL_H

#include <jansson.h>

#include "util.h"

/* what references of one flow's tasks may see */
struct tmpl_scope {
	json_t *const *params;   /* the flow's parameter values, by index */
	json_t *const *results;  /* the flow's task results, by index; NULL when not done */
	const char *bundle_dir;  /* where a bundle's files are ({"bundled": PATH} is
				    BUNDLE_DIR/PATH), or NULL */
};

/* tmpl_walk: the value at path (keys and indexes) inside v, borrowed; NULL
 * with why filled when a step does not exist */
json_t *tmpl_walk(json_t *v, const json_t *path, struct buf *why);
/* tmpl_value: a new reference to the value of template t; NULL with why */
json_t *tmpl_value(const json_t *t, const struct tmpl_scope *s, struct buf *why);
/* tmpl_text: the value of t as text: a string as is, anything else as
 * compact JSON; to free; NULL with why */
char *tmpl_text(const json_t *t, const struct tmpl_scope *s, struct buf *why);
/* tmpl_json_text: v as text the same way */
char *tmpl_json_text(const json_t *v);

/* what tmpl_visit calls (those not NULL) for what a template names */
struct tmpl_visitor {
	void (*ref)(void *ctx, const json_t *ref);      /* a reference: {"param"|"task", "path"?} */
	void (*bundled)(void *ctx, const char *path);   /* a bundled file */
	void *ctx;
};
/* tmpl_visit: the references and bundled files of template t, in order
 * (literal values are not looked into) */
void tmpl_visit(const json_t *t, const struct tmpl_visitor *v);

#endif

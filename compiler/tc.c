/* tc.c: the type checker. Gives every parameter and task result its type,
 * walks every ${{ }} path, checks defaults, built-in task arguments and every
 * mapping of a flow of flows. It annotates the model with types and never
 * changes its structure. */
#include "tc.h"

#include "order.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct tc {
	struct arena *arena; /* where types go */
	struct strmap *types; /* the types parsed so far, by their text */
	struct diags *ds;    /* where problems go */
	int strict;          /* 1: report values of type any (W0301) */
};

/* the fields of the stored results document, besides inputs and outputs */
static const char *const doc_string_fields[] = {"date_modified", "flow_name", "project_name",
						"result_type_string", "run_id", "unique_hash"};

static const struct type *parse_type_node(struct tc *c, const struct ynode *n)
{
	struct parse_error err;
	size_t len = strlen(n->str);
	const struct type *t = strmap_get(c->types, n->str, len);

	/* a spec names few types many times: each text is parsed once */
	if (t)
		return t;
	t = type_parse(c->arena, n->str, &err);
	if (!t)
		diag_report(c->ds, DIAG_E0301, yn_loc_at(n, err.offset), "%s", err.msg);
	else
		strmap_put(c->types, n->str, len, (void *)t);
	return t;
}

/* fits: whether a value of type s may stand where t is expected, without
 * a report */
static int fits(const struct tc *c, const struct type *s, const struct type *t)
{
	enum type_fit fit = type_assignable(s, t);

	return fit == FIT_YES || (fit == FIT_VIA_ANY && !c->strict);
}

static int expect(struct tc *c, const struct type *s, const struct type *t, const struct ynode *at,
		  const char *fmt, ...) ATTR_PRINTF(5, 6);
/* expect: whether s fits t; when not, reports E0303 (or W0301 under
 * --strict) as "WHAT is S, expected T" at node at, whose place is found
 * only then; 0 when s cannot be t */
static int expect(struct tc *c, const struct type *s, const struct type *t, const struct ynode *at,
		  const char *fmt, ...)
{
	enum type_fit fit;
	struct buf what = {0};
	va_list ap;

	if (fits(c, s, t))
		return 1;
	fit = type_assignable(s, t);
	va_start(ap, fmt);
	buf_vprintf(&what, fmt, ap);
	va_end(ap);
	if (fit == FIT_NO)
		diag_report(c->ds, DIAG_E0303, yn_loc(at), "type mismatch: %s is %s, expected %s",
			    what.data, type_str(s), type_str(t));
	else
		diag_report(c->ds, DIAG_W0301, yn_loc(at),
			    "%s is %s, expected %s: it is checked only at run time", what.data,
			    type_str(s), type_str(t));
	buf_free(&what);
	return fit != FIT_NO;
}

/* ---- walking paths ---- */

/* step_type: the type reached by one step from t, or NULL with why filled */
/* near_field: the field of record rec whose name is a plausible typo of
 * key (util_suggest), or NULL */
static const char *near_field(const struct type *rec, const char *key)
{
	const char **names = xcalloc(rec->nfields + 1, sizeof(*names));
	const char *near;
	size_t i;

	for (i = 0; i < rec->nfields; i++)
		names[i] = rec->fields[i].name;
	near = util_suggest(key, names, rec->nfields);
	free(names);
	return near;
}

static const struct type *step_type(struct tc *c, const struct type *t, const struct ref_step *s,
				    struct buf *why)
{
	static const char *const file_fields[] = {"file_type_string", "filename",
						  "filesystem_identifier"};
	const struct type *r = NULL;
	int optional = 0;
	size_t i;

	if (t->kind == TYPE_OPTIONAL) {
		t = t->elem;
		optional = 1;
	}
	switch (t->kind) {
	case TYPE_ANY:
	case TYPE_NEVER:
		return &type_any;
	case TYPE_RECORD:
		if (!s->is_index) {
			const struct type_field *f = type_field_find(t, s->key);

			if (f) {
				r = f->optional ? type_optional(c->arena, f->type) : f->type;
			} else {
				const char *near = near_field(t, s->key);

				buf_printf(why, "no field '%s' in %s", diag_quote(s->key), type_str(t));
				if (near)
					buf_printf(why, " (did you mean '%s'?)", diag_quote(near));
			}
		}
		break;
	case TYPE_DICT:
		if (!s->is_index)
			r = t->elem;
		break;
	case TYPE_LIST:
		if (s->is_index)
			r = t->elem;
		else
			buf_printf(why, "%s has no field '%s'; a list takes [N]", type_str(t),
				   diag_quote(s->key));
		break;
	case TYPE_FILE:
		for (i = 0; !s->is_index && i < 3; i++)
			if (strcmp(s->key, file_fields[i]) == 0)
				r = &type_string;
		if (!r && !s->is_index)
			buf_printf(why, "a file representation has no field '%s' (it has filename, "
				   "file_type_string, filesystem_identifier)", diag_quote(s->key));
		break;
	case TYPE_DB:
		if (!s->is_index && (strcmp(s->key, "project_name") == 0 ||
				     strcmp(s->key, "result_type_string") == 0)) {
			r = &type_string;
		} else if (!s->is_index && strcmp(s->key, "query") == 0) {
			struct type_field f = {"unique_hash", 0, &type_string};

			r = type_record(c->arena, &f, 1);
		} else if (!s->is_index) {
			buf_printf(why, "a db representation has no field '%s' (it has project_name, "
				   "result_type_string, query); load the document with "
				   "load_db_result", diag_quote(s->key));
		}
		break;
	default:
		if (!s->is_index)
			buf_printf(why, "%s has no field '%s'", type_str(t), diag_quote(s->key));
		break;
	}
	if (!r && !why->len)
		buf_printf(why, "%s cannot be indexed with [%ld]", type_str(t), s->index);
	if (r && optional)
		r = type_optional(c->arena, r);
	return r;
}

/* walk: follows steps from t; returns the type reached, or NULL with *bad
 * the failing step and why filled */
static const struct type *walk(struct tc *c, const struct type *t, const struct ref_step *steps,
			       size_t nsteps, size_t *bad, struct buf *why)
{
	size_t i;

	for (i = 0; i < nsteps && t; i++) {
		t = step_type(c, t, &steps[i], why);
		if (!t)
			*bad = i;
	}
	return t;
}

/* document_type: the stored document of a result of type t (docs/run.md, "Results store") */
static const struct type *document_type(struct tc *c, const struct type *t)
{
	static const char *const parts[] = {"inputs", "outputs"};
	struct type_field fields[8];
	size_t n = 0, i;

	for (i = 0; i < 6; i++) {
		fields[n].name = doc_string_fields[i];
		fields[n].optional = 0;
		fields[n++].type = &type_string;
	}
	for (i = 0; i < 2; i++) {
		const struct type *part = NULL;

		if (t->kind == TYPE_RECORD) {
			const struct type_field *f = type_field_find(t, parts[i]);

			if (f)
				part = f->optional ? type_optional(c->arena, f->type) : f->type;
		} else if (t->kind == TYPE_DICT) {
			part = t->elem;
		} else {
			part = &type_any;
		}
		if (part) {
			fields[n].name = parts[i];
			fields[n].optional = 0;
			fields[n++].type = part;
		}
	}
	return type_record(c->arena, fields, n);
}

/* ---- flows ---- */

/* Per-task state while its inputs are typed. */
struct task_ctx {
	const struct spec_flow *flow;   /* the task's flow */
	const struct spec_task *task;   /* the task */
	const struct type **reftypes;   /* type of each of task->refs; NULL when unknown */
};

static void print_path(struct buf *b, const struct ref_step *steps, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *k = steps[i].key;

		if (steps[i].is_index)
			buf_printf(b, "[%ld]", steps[i].index);
		else if (*k && util_name_len(k, strlen(k)) == strlen(k))
			buf_printf(b, ".%s", k);
		else
			buf_printf(b, "[\"%s\"]", diag_quote(k));
	}
}

/* ref_type: the type of one bound reference, walking its path */
static const struct type *ref_type(struct tc *c, const struct spec_flow *f, const struct spec_ref *r)
{
	const struct type *base, *t;
	struct buf why = {0}, path = {0};
	size_t bad = 0;

	if (!r->bound)
		return NULL;
	base = r->ref->root == REF_PARAM ? f->params[r->target].t : f->tasks[r->target].result_t;
	if (!base)
		return NULL;
	t = walk(c, base, r->ref->steps, r->ref->nsteps, &bad, &why);
	if (!t) {
		print_path(&path, r->ref->steps, bad + 1);
		diag_report(c->ds, DIAG_E0302,
			    yn_loc_after(r->node, r->span.start, spec_ref_loc(r),
					 r->span.body + r->ref->steps[bad].off),
			    "%s.%s%s does not exist: %s", r->ref->root == REF_PARAM ? "params" : "tasks",
			    diag_quote(r->ref->name), path.data, why.data);
	}
	buf_free(&why);
	buf_free(&path);
	return t;
}

/* value_type: the type of a YAML value inside a task's 'with' */
static const struct type *value_type(struct tc *c, const struct task_ctx *tx, const struct ynode *n)
{
	const struct type *t;
	size_t i, nrefs, first = 0;

	switch (n->kind) {
	case YN_SEQ:
		t = &type_never;
		for (i = 0; i < n->n; i++)
			t = type_join(c->arena, t, value_type(c, tx, yn_item(n, i)));
		return type_list(c->arena, t);
	case YN_MAP: {
		struct type_field *fields = xmalloc((n->n ? n->n : 1) * sizeof(*fields));
		size_t nf = 0;

		for (i = 0; i < n->n; i++) {
			const struct ynode *k = yn_key(n, i);

			if (k->kind != YN_SCALAR || k->repeated)
				continue; /* reported by the loader */
			fields[nf].name = k->str;
			fields[nf].optional = 0;
			fields[nf++].type = value_type(c, tx, yn_value(n, i));
		}
		t = type_record(c->arena, fields, nf);
		free(fields);
		return t;
	}
	case YN_SCALAR:
		break;
	}
	nrefs = spec_refs_in(tx->task, n, &first);
	if (nrefs == 1 && tx->task->refs[first].span.start == 0 &&
	    tx->task->refs[first].span.end == n->len)
		return tx->reftypes[first] ? tx->reftypes[first] : &type_any;
	if (nrefs)
		return &type_string;
	switch (yn_scalar(n)) {
	case YS_NULL: return &type_null;
	case YS_BOOL: return &type_bool;
	case YS_INT: return &type_int;
	case YS_FLOAT: return &type_float;
	case YS_STRING: break;
	}
	return &type_string;
}

/* has_refs: whether a scalar holds any ${{ }} of the task */
static int has_refs(const struct task_ctx *tx, const struct ynode *n)
{
	size_t first;

	return spec_refs_in(tx->task, n, &first) != 0;
}

/* The arguments each built-in takes in 'with'. */
struct builtin_arg {
	const char *name;  /* key in 'with' */
	int required;      /* 1 when it must be given */
};

static const struct builtin_arg save_file_args[] = {
	{"obj", 1}, {"file_type", 1}, {"filename", 1}, {"filesystem_identifier", 0},
	{"create_dir", 0},
};
static const struct builtin_arg load_file_args[] = {{"file", 1}};
static const struct builtin_arg save_db_args[] = {{"result", 1}, {"result_type", 0}};
static const struct builtin_arg load_db_args[] = {{"result_rep", 1}, {"attribute_index", 0}};

/* builtin_with: checks 'with' against the arguments of a built-in; out[i]
 * is the value of args[i] or NULL. Returns 0 when a required one is missing. */
static int builtin_with(struct tc *c, const struct spec_task *t, const struct builtin_arg *args,
			size_t nargs, const struct ynode **out)
{
	const char *names[8];
	struct buf missing = {0};
	size_t i, j;
	int ok = 1;

	for (j = 0; j < nargs; j++) {
		names[j] = args[j].name;
		out[j] = t->with ? yn_get(t->with, args[j].name) : NULL;
		if (args[j].required && !out[j]) {
			buf_printf(&missing, "%s'%s'", missing.len ? ", " : "", args[j].name);
			ok = 0;
		}
	}
	if (!ok)
		diag_report(c->ds, DIAG_E0306, yn_loc(t->uses), "%s needs %s in 'with'", t->uses->str,
			    missing.data);
	buf_free(&missing);
	for (i = 0; t->with && i < t->with->n; i++) {
		const struct ynode *k = yn_key(t->with, i);

		for (j = 0; j < nargs; j++)
			if (k->kind == YN_SCALAR && strcmp(k->str, args[j].name) == 0)
				break;
		if (j == nargs && k->kind == YN_SCALAR)
			diag_report_unknown(c->ds, DIAG_E0306, yn_loc(k), k->str, names, nargs,
					    "%s takes no argument '%s'", t->uses->str, diag_quote(k->str));
	}
	return ok;
}

/* index_steps: attribute_index (and lume-services' attribute before it) as
 * path steps; nodes[i] is where step i is written */
static struct ref_step *index_steps(struct tc *c, const struct ynode *attribute,
				    const struct ynode *index, const struct ynode ***nodes, size_t *n)
{
	size_t count = (attribute ? 1 : 0) + (index ? index->n : 0), i;
	struct ref_step *steps = arena_alloc(c->arena, (count ? count : 1) * sizeof(*steps));

	*nodes = arena_alloc(c->arena, (count ? count : 1) * sizeof(**nodes));
	*n = 0;
	if (attribute)
		(*nodes)[(*n)++] = attribute;
	for (i = 0; index && i < index->n; i++)
		(*nodes)[(*n)++] = yn_item(index, i);
	for (i = 0; i < *n; i++) {
		const struct ynode *e = (*nodes)[i];

		memset(&steps[i], 0, sizeof(steps[i]));
		if (yn_scalar(e) == YS_INT && e->len < 10 && e->str[0] != '-') {
			steps[i].is_index = 1;
			steps[i].index = strtol(e->str, NULL, 10);
		} else {
			steps[i].key = e->str;
		}
	}
	return steps;
}

/* select_document: the type attribute_index selects from the document
 * saved with type t; reports a step that does not exist at its element */
static const struct type *select_document(struct tc *c, const struct type *t,
					  const struct ynode *attribute, const struct ynode *index,
					  const char *saver)
{
	const struct ynode **nodes;
	const struct type *doc = document_type(c, t), *r;
	struct ref_step *steps;
	struct buf why = {0};
	size_t n, bad = 0;

	steps = index_steps(c, attribute, index, &nodes, &n);
	if (n && (steps[0].is_index || !type_field_find(doc, steps[0].key))) {
		const char *near = steps[0].is_index ? NULL : near_field(doc, steps[0].key);

		if (near)
			buf_printf(&why, " (did you mean '%s'?)", diag_quote(near));
		diag_report(c->ds, DIAG_E0305, yn_loc(nodes[0]),
			    "'%s' is not a field of the results document %s (fields: "
			    "inputs, outputs, flow_name, project_name, run_id, result_type_string, "
			    "date_modified, unique_hash)%s%s", diag_quote(nodes[0]->str), saver,
			    t->kind == TYPE_RECORD && !steps[0].is_index &&
					    (!strcmp(steps[0].key, "inputs") || !strcmp(steps[0].key, "outputs"))
				    ? "; the saved result has no such field" : "", why.len ? why.data : "");
		buf_free(&why);
		return NULL;
	}
	r = walk(c, doc, steps, n, &bad, &why);
	if (!r)
		diag_report(c->ds, DIAG_E0305, yn_loc(nodes[bad]),
			    "attribute_index element '%s' does not exist in the document %s: %s",
			    diag_quote(nodes[bad]->str), saver, why.data);
	buf_free(&why);
	return r;
}

static const struct type *builtin_save_file(struct tc *c, const struct task_ctx *tx)
{
	const struct spec_task *t = tx->task;
	const struct ynode *a[5];
	enum type_format format = FORMAT_ANY;

	if (!builtin_with(c, t, save_file_args, 5, a) && !a[1])
		return type_file(c->arena, FORMAT_ANY);
	if (a[1] && a[1]->kind == YN_SCALAR && !has_refs(tx, a[1])) {
		int f = type_format_parse(a[1]->str);

		if (f < 0 || f == FORMAT_ANY)
			diag_report(c->ds, DIAG_E0306, yn_loc(a[1]),
				    "file_type must be text, json, yaml or bytes, not '%s'",
				    diag_quote(a[1]->str));
		else
			format = (enum type_format)f;
	} else if (a[1]) {
		expect(c, value_type(c, tx, a[1]), &type_string, a[1], "'file_type' of save_file");
	}
	if (a[0] && (format == FORMAT_TEXT || format == FORMAT_BYTES))
		expect(c, value_type(c, tx, a[0]), &type_string, a[0],
		       "'obj' of save_file with file_type %s", type_format_name(format));
	if (a[2])
		expect(c, value_type(c, tx, a[2]), &type_string, a[2], "'filename' of save_file");
	if (a[3])
		expect(c, value_type(c, tx, a[3]), &type_string, a[3],
		       "'filesystem_identifier' of save_file");
	if (a[4])
		expect(c, value_type(c, tx, a[4]), &type_bool, a[4], "'create_dir' of save_file");
	return type_file(c->arena, format);
}

static const struct type *builtin_load_file(struct tc *c, const struct task_ctx *tx)
{
	const struct ynode *a[1];
	const struct type *v;

	if (!builtin_with(c, tx->task, load_file_args, 1, a))
		return &type_any;
	v = value_type(c, tx, a[0]);
	if (!expect(c, v, type_file(c->arena, FORMAT_ANY), a[0], "'file' of load_file"))
		return &type_any;
	if (v->kind == TYPE_FILE && (v->format == FORMAT_TEXT || v->format == FORMAT_BYTES))
		return &type_string;
	return &type_any;
}

static const struct type *builtin_save_db(struct tc *c, const struct task_ctx *tx)
{
	const struct ynode *a[2];
	const struct type *v;

	if (!builtin_with(c, tx->task, save_db_args, 2, a))
		return type_db(c->arena, &type_any);
	v = value_type(c, tx, a[0]);
	if (!expect(c, v, type_dict(c->arena, &type_any), a[0],
		    "'result' of save_db_result (a record such as {inputs, outputs})"))
		v = &type_any;
	if (v->kind == TYPE_RECORD) {
		struct buf dropped = {0};
		size_t i, n = 0;

		for (i = 0; i < v->nfields; i++)
			if (strcmp(v->fields[i].name, "inputs") && strcmp(v->fields[i].name, "outputs"))
				buf_printf(&dropped, "%s'%s'", n++ ? ", " : "",
					   diag_quote(v->fields[i].name));
		if (n)
			diag_report(c->ds, DIAG_W0302, yn_loc(a[0]),
				    "save_db_result stores only the 'inputs' and 'outputs' of its "
				    "result: its %s %s not stored", dropped.data,
				    n == 1 ? "is" : "are");
		buf_free(&dropped);
	}
	if (a[1])
		expect(c, value_type(c, tx, a[1]), &type_string, a[1],
		       "'result_type' of save_db_result");
	return type_db(c->arena, v);
}

static const struct type *builtin_load_db(struct tc *c, const struct task_ctx *tx)
{
	const struct ynode *a[2];
	const struct type *v;
	size_t i;

	if (!builtin_with(c, tx->task, load_db_args, 2, a))
		return &type_any;
	v = value_type(c, tx, a[0]);
	if (!expect(c, v, type_db(c->arena, &type_any), a[0], "'result_rep' of load_db_result") ||
	    v->kind != TYPE_DB)
		return &type_any;
	if (a[1] && a[1]->kind != YN_SEQ) {
		if (!has_refs(tx, a[1]))
			diag_report(c->ds, DIAG_E0306, yn_loc(a[1]),
				    "'attribute_index' must be a list of keys and indexes, not %s",
				    yn_kind_name(a[1]));
		return &type_any;
	}
	for (i = 0; a[1] && i < a[1]->n; i++) {
		if (yn_item(a[1], i)->kind != YN_SCALAR) {
			diag_report(c->ds, DIAG_E0306, yn_loc(yn_item(a[1], i)),
				    "'attribute_index' elements are keys and indexes, not %s",
				    yn_kind_name(yn_item(a[1], i)));
			return &type_any;
		}
		if (has_refs(tx, yn_item(a[1], i)))
			return &type_any; /* known only at run time */
	}
	v = select_document(c, v->elem, NULL, a[1], "that 'result_rep' refers to");
	return v ? v : &type_any;
}

static void tc_task(struct tc *c, const struct spec_flow *f, struct spec_task *t)
{
	struct task_ctx tx = {f, t, NULL};
	const struct type *inferred = NULL;
	size_t i;

	tx.reftypes = xcalloc(t->nrefs ? t->nrefs : 1, sizeof(*tx.reftypes));
	for (i = 0; i < t->nrefs; i++)
		tx.reftypes[i] = ref_type(c, f, &t->refs[i]);
	/* a 'uses' whose value is not a string was reported by spec */
	if (t->action == SPEC_USES && t->uses) {
		if (strcmp(t->uses->str, "save_file") == 0)
			inferred = builtin_save_file(c, &tx);
		else if (strcmp(t->uses->str, "load_file") == 0)
			inferred = builtin_load_file(c, &tx);
		else if (strcmp(t->uses->str, "save_db_result") == 0)
			inferred = builtin_save_db(c, &tx);
		else if (strcmp(t->uses->str, "load_db_result") == 0)
			inferred = builtin_load_db(c, &tx);
	}
	if (t->result) {
		t->result_t = parse_type_node(c, t->result);
		if (t->result_t && inferred)
			expect(c, inferred, t->result_t, t->result,
			       "the result of built-in %s", t->uses->str);
	} else {
		/* an unknown built-in's result is unknown, not a string */
		t->result_t = t->action == SPEC_USES ? inferred : &type_string;
	}
	free(tx.reftypes);
}

void tc_flow(struct arena *a, struct strmap *types, struct spec_flow *f, int strict,
	     struct diags *ds)
{
	struct tc c = {a, types, ds, strict};
	size_t *order = xmalloc((f->ntasks ? f->ntasks : 1) * sizeof(*order));
	size_t i, n;

	for (i = 0; i < f->nparams; i++) {
		struct spec_param *p = &f->params[i];
		const struct type *dt;

		if (!p->type)
			continue;
		p->t = parse_type_node(&c, p->type);
		if (!p->t || !p->deflt)
			continue;
		/* a default is a literal: no references are taken from it */
		{
			struct spec_task none = {0};
			struct task_ctx tx = {f, &none, NULL};

			dt = value_type(&c, &tx, p->deflt);
		}
		if (!fits(&c, dt, p->t))
			expect(&c, dt, p->t, p->deflt, "the default of parameter '%s'",
			       diag_quote(p->name));
	}
	{
		/* each task after those it needs; tasks on a cycle (reported by
		 * check) are left untyped, and the flow without ranks */
		size_t *rank = arena_alloc(a, (f->ntasks ? f->ntasks : 1) * sizeof(*rank));
		struct order_deps deps;

		order_task_deps(f, &deps);
		n = order_topo(&deps, order, rank);
		order_free(&deps);
		f->task_rank = n == f->ntasks ? rank : NULL;
	}
	for (i = 0; i < n; i++)
		if (f->tasks[order[i]].action != SPEC_NONE)
			tc_task(&c, f, &f->tasks[order[i]]);
	free(order);
}

/* saver_of: "task T of flow F", the task a mapping takes its value from,
 * for a report */
static const char *saver_of(const struct spec_mapping *m, char *buf, size_t size)
{
	snprintf(buf, size, "task '%s' of flow '%s'", diag_quote(m->task->name),
		 diag_quote(m->parent_flow->str));
	return buf;
}

/* mapping_value: the type a mapped parameter receives, or NULL when the
 * parent task cannot produce it (reported) or its type is unknown */
static const struct type *mapping_value(struct tc *c, const struct spec_mapping *m)
{
	const struct type *r = m->task->result_t;
	const struct ynode *at = m->map_type_node ? m->map_type_node : m->key;
	char saver[256];

	if (!r)
		return NULL;
	switch (m->map_type) {
	case SPEC_MAP_RAW:
		return r;
	case SPEC_MAP_FILE:
		if (r->kind == TYPE_FILE || r->kind == TYPE_ANY)
			return r;
		diag_report(c->ds, DIAG_E0304, yn_loc(at),
			    "map_type file needs a task that saves a file; %s returns %s",
			    saver_of(m, saver, sizeof(saver)), type_str(r));
		return NULL;
	case SPEC_MAP_DB:
		if (r->kind == TYPE_ANY)
			return r;
		if (r->kind != TYPE_DB) {
			diag_report(c->ds, DIAG_E0304, yn_loc(at),
				    "map_type db needs a task that saves a db result; %s returns %s",
				    saver_of(m, saver, sizeof(saver)), type_str(r));
			return NULL;
		}
		{
			char doc[300];

			snprintf(doc, sizeof(doc), "saved by %s", saver_of(m, saver, sizeof(saver)));
			return select_document(c, r->elem, m->attribute, m->attribute_index, doc);
		}
	}
	return NULL;
}

void tc_fof(struct spec_set *set, const struct spec_fof *fof, int strict, struct diags *ds)
{
	static const char *const kinds[] = {"raw", "file", "db"};
	struct tc c = {&set->arena, &set->types, ds, strict};
	size_t i, j;

	for (i = 0; i < fof->nentries; i++) {
		const struct spec_entry *e = &fof->entries[i];

		for (j = 0; j < e->nmaps; j++) {
			const struct spec_mapping *m = &e->maps[j];
			const struct type *v;

			if (!m->target || !m->parent || !m->task || !m->target->t)
				continue;
			v = mapping_value(&c, m);
			if (v && !fits(&c, v, m->target->t))
				expect(&c, v, m->target->t, m->key,
				       "the value of %s mapping from task '%s' of flow '%s' into "
				       "parameter '%s' of %s '%s'", kinds[m->map_type],
				       diag_quote(m->task->name), diag_quote(m->parent_flow->str),
				       diag_quote(m->param), e->fof ? "flow of flows" : "flow",
				       diag_quote(e->name));
		}
	}
}

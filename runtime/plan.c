/* plan.c: the plan reader: jansson parsing, version and hash verification,
 * and a check of every field, kind and index, so later stages can trust the
 * plan. It runs nothing. */
#include "plan.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "jarena.h"
#include "plan_format.h"
#include "sha256.h"

const char *const plan_builtins[] = {"save_file", "load_file", "save_db_result", "load_db_result"};
const size_t plan_nbuiltins = sizeof(plan_builtins) / sizeof(*plan_builtins);

/* the reader's state: where it is in the document, for messages */
struct reader {
	struct plan *plan;      /* what is being filled */
	struct buf *err;        /* the message of the first problem */
	jmp_buf fail;           /* where a problem jumps to */
	char path[512];         /* JSON path of the value being read */
	struct strmap seen;     /* names met so far in the list being read */
	struct strmap types;    /* type text -> parsed type: plans repeat a few types */
	struct strmap files;    /* a bundle's file paths */
};

static void bad(struct reader *r, const char *fmt, ...) ATTR_PRINTF(2, 3) ATTR_NORETURN;
static void bad(struct reader *r, const char *fmt, ...)
{
	va_list ap;

	buf_printf(r->err, "%s: ", r->path[0] ? r->path : "plan");
	va_start(ap, fmt);
	buf_vprintf(r->err, fmt, ap);
	va_end(ap);
	longjmp(r->fail, 1);
}

/* enter: extends the path by ".key" or "[i]"; returns the old length */
static size_t enter_key(struct reader *r, const char *key)
{
	size_t old = strlen(r->path);

	snprintf(r->path + old, sizeof(r->path) - old, "%s%s", old ? "." : "", key);
	return old;
}

static size_t enter_index(struct reader *r, size_t i)
{
	size_t old = strlen(r->path);

	snprintf(r->path + old, sizeof(r->path) - old, "[%zu]", i);
	return old;
}

static void leave(struct reader *r, size_t old)
{
	r->path[old] = '\0';
}

/* only: refuses members of o other than the allowed ones */
static void only(struct reader *r, const json_t *o, const char *const *allowed)
{
	const char *key;
	const json_t *v;

	json_object_foreach((json_t *)o, key, v) {
		size_t i;

		for (i = 0; allowed[i]; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (!allowed[i])
			bad(r, "unknown member '%.60s'", key);
	}
}

static const json_t *member(struct reader *r, const json_t *o, const char *key, int required)
{
	const json_t *v = json_object_get(o, key);

	if (!v && required)
		bad(r, "missing member '%s'", key);
	return v;
}

static const char *get_string(struct reader *r, const json_t *o, const char *key, int required)
{
	const json_t *v = member(r, o, key, required);
	size_t old;

	if (!v)
		return NULL;
	if (!json_is_string(v)) {
		old = enter_key(r, key);
		bad(r, "must be a string");
		leave(r, old);
	}
	return json_string_value(v);
}

/* get_count: a non-negative integer member, def when absent */
static long long get_count(struct reader *r, const json_t *o, const char *key, long long def)
{
	const json_t *v = json_object_get(o, key);

	if (!v)
		return def;
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		enter_key(r, key);
		bad(r, "must be a non-negative integer");
	}
	return json_integer_value(v);
}

/* get_bool: a boolean member, 0 when absent */
static int get_bool(struct reader *r, const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (v && !json_is_boolean(v)) {
		enter_key(r, key);
		bad(r, "must be true or false");
	}
	return json_is_true(v);
}

/* get_at_most: a count of at most max (0 when absent); bound says what
 * max is */
static long long get_at_most(struct reader *r, const json_t *o, const char *key, long long max,
			     const char *bound)
{
	long long n = get_count(r, o, key, 0);

	if (n > max) {
		enter_key(r, key);
		bad(r, "%lld is more than %s (%lld)", n, bound, max);
	}
	return n;
}

static const json_t *get_array(struct reader *r, const json_t *o, const char *key, int required)
{
	const json_t *v = member(r, o, key, required);

	if (v && !json_is_array(v)) {
		enter_key(r, key);
		bad(r, "must be an array");
	}
	return v;
}

static const json_t *get_object(struct reader *r, const json_t *o, const char *key, int required)
{
	const json_t *v = member(r, o, key, required);

	if (v && !json_is_object(v)) {
		enter_key(r, key);
		bad(r, "must be an object");
	}
	return v;
}

/* unique: refuses a name met before in the list being read; a new list
 * starts with new_list */
static void new_list(struct reader *r)
{
	strmap_free(&r->seen);
}

static void unique(struct reader *r, const char *name, const char *what)
{
	if (strmap_put(&r->seen, name, strlen(name), (void *)name) != name)
		bad(r, "%s '%.60s' appears twice", what, name);
}

/* plain_name: flow and task names become parts of file names in the run
 * directory (docs/run.md): only names as the spec language has them */
static const char *plain_name(struct reader *r, const char *name, const char *what)
{
	if (!name[0] || util_name_len(name, strlen(name)) != strlen(name))
		bad(r, "%s name '%.60s' is not a name (a letter or '_', then letters, digits, '_' "
		    "or '-')", what, name);
	if (strlen(name) > PLAN_MAX_NAME)
		bad(r, "%s name '%.60s...' is longer than %d bytes", what, name, PLAN_MAX_NAME);
	return name;
}

/* index_value: an integer below limit */
static size_t index_value(struct reader *r, const json_t *v, size_t limit, const char *what)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		bad(r, "must be an index (a non-negative integer)");
	if ((unsigned long long)json_integer_value(v) >= limit)
		bad(r, "%s %lld out of range (%zu %s)", what, (long long)json_integer_value(v), limit,
		    limit == 1 ? "is allowed" : "are allowed");
	return (size_t)json_integer_value(v);
}

static const struct type *read_type(struct reader *r, const json_t *o, const char *key,
				    const char **text)
{
	struct parse_error perr;
	const struct type *t;
	size_t old;

	*text = get_string(r, o, key, 1);
	t = strmap_get(&r->types, *text, strlen(*text));
	if (t)
		return t;
	t = type_parse(&r->plan->arena, *text, &perr);
	if (!t) {
		old = enter_key(r, key);
		bad(r, "bad type '%.60s': %s", *text, perr.msg);
		leave(r, old);
	}
	strmap_put(&r->types, *text, strlen(*text), (void *)t);
	return t;
}

/* read_needs: sorted distinct indices, each below limit (what comes first) */
static size_t *read_needs(struct reader *r, const json_t *o, size_t limit, size_t *n)
{
	const json_t *arr = get_array(r, o, "needs", 1), *v;
	size_t *needs, i, old;

	*n = json_array_size(arr);
	needs = arena_alloc(&r->plan->arena, (*n ? *n : 1) * sizeof(*needs));
	old = enter_key(r, "needs");
	json_array_foreach(arr, i, v) {
		size_t o2 = enter_index(r, i);

		needs[i] = index_value(r, v, limit, "index of an earlier entry");
		if (i && needs[i] <= needs[i - 1])
			bad(r, "must be sorted and without repeats");
		leave(r, o2);
	}
	leave(r, old);
	return needs;
}

static void read_path(struct reader *r, const json_t *path)
{
	const json_t *v;
	size_t i;

	if (!json_is_array(path))
		bad(r, "a path must be an array of keys and indexes");
	json_array_foreach(path, i, v) {
		if (!json_is_string(v) && !(json_is_integer(v) && json_integer_value(v) >= 0)) {
			enter_index(r, i);
			bad(r, "a path step is a string or a non-negative integer");
		}
	}
}

/* Where templates of one task may point. */
struct scope {
	size_t nparams;  /* the flow's parameters */
	size_t ntasks;   /* tasks before this one */
};

static void read_ref(struct reader *r, const json_t *ref, const struct scope *s)
{
	static const char *const allowed[] = {"param", "task", "path", NULL};
	const json_t *param, *task, *path;
	size_t old;

	if (!json_is_object(ref))
		bad(r, "a reference must be an object");
	only(r, ref, allowed);
	param = json_object_get(ref, "param");
	task = json_object_get(ref, "task");
	if (!param == !task)
		bad(r, "a reference has exactly one of 'param' and 'task'");
	old = enter_key(r, param ? "param" : "task");
	if (param)
		index_value(r, param, s->nparams, "parameter");
	else
		index_value(r, task, s->ntasks, "task (references go to earlier tasks)");
	leave(r, old);
	path = json_object_get(ref, "path");
	if (path) {
		old = enter_key(r, "path");
		read_path(r, path);
		leave(r, old);
	}
}

/* read_template: a string, or {"v"}, {"ref"}, {"cat"}, {"obj"}, {"arr"},
 * {"bundled"} */
static void read_template(struct reader *r, const json_t *t, const struct scope *s)
{
	const char *tag;
	const json_t *v;
	size_t i, old;

	if (json_is_string(t))
		return;
	if (!json_is_object(t) || json_object_size(t) != 1)
		bad(r, "a template is a string or an object with one of v, ref, cat, obj, arr, bundled");
	tag = json_object_iter_key(json_object_iter((json_t *)t));
	v = json_object_iter_value(json_object_iter((json_t *)t));
	old = enter_key(r, tag);
	if (strcmp(tag, "v") == 0) {
		/* any literal value */
	} else if (strcmp(tag, "ref") == 0) {
		read_ref(r, v, s);
	} else if (strcmp(tag, "cat") == 0) {
		const json_t *part;

		if (!json_is_array(v) || !json_array_size(v))
			bad(r, "must be a non-empty array");
		json_array_foreach(v, i, part) {
			size_t o2 = enter_index(r, i);

			if (!json_is_string(part))
				read_ref(r, part, s);
			leave(r, o2);
		}
	} else if (strcmp(tag, "obj") == 0) {
		const char *key;
		const json_t *kid;

		if (!json_is_object(v))
			bad(r, "must be an object");
		json_object_foreach((json_t *)v, key, kid) {
			size_t o2 = enter_key(r, key);

			read_template(r, kid, s);
			leave(r, o2);
		}
	} else if (strcmp(tag, "arr") == 0) {
		const json_t *kid;

		if (!json_is_array(v))
			bad(r, "must be an array");
		json_array_foreach(v, i, kid) {
			size_t o2 = enter_index(r, i);

			read_template(r, kid, s);
			leave(r, o2);
		}
	} else if (strcmp(tag, "bundled") == 0) {
		if (!json_is_string(v) ||
		    !strmap_get(&r->files, json_string_value(v), json_string_length(v)))
			bad(r, "must name a file of the plan's \"files\"");
	} else {
		bad(r, "unknown template kind (v, ref, cat, obj, arr or bundled)");
	}
	leave(r, old);
}

static void read_task(struct reader *r, struct plan_task *t, const json_t *o, size_t index,
		      size_t nparams)
{
	static const char *const allowed[] = {"name", "kind", "argv", "script", "builtin", "with",
					      "env", "result", "needs", "timeout_ms", "retries",
					      "retry_delay_ms", "cache", NULL};
	struct scope s = {nparams, index};
	const char *kind;
	size_t i, old;

	if (!json_is_object(o))
		bad(r, "a task must be an object");
	only(r, o, allowed);
	memset(t, 0, sizeof(*t));
	t->json = o;
	t->name = plain_name(r, get_string(r, o, "name", 1), "task");
	kind = get_string(r, o, "kind", 1);
	if (strcmp(kind, "run") == 0) {
		const json_t *v;

		t->kind = TASK_RUN;
		t->argv = get_array(r, o, "argv", 1);
		if (!json_array_size(t->argv)) {
			enter_key(r, "argv");
			bad(r, "must name a program");
		}
		old = enter_key(r, "argv");
		json_array_foreach(t->argv, i, v) {
			size_t o2 = enter_index(r, i);

			read_template(r, v, &s);
			leave(r, o2);
		}
		leave(r, old);
	} else if (strcmp(kind, "shell") == 0) {
		t->kind = TASK_SHELL;
		t->script = get_string(r, o, "script", 1);
	} else if (strcmp(kind, "builtin") == 0) {
		t->kind = TASK_BUILTIN;
		t->builtin = get_string(r, o, "builtin", 1);
		for (i = 0; i < plan_nbuiltins; i++)
			if (strcmp(t->builtin, plan_builtins[i]) == 0)
				break;
		if (i == plan_nbuiltins) {
			enter_key(r, "builtin");
			bad(r, "unknown built-in '%.60s'", t->builtin);
		}
		member(r, o, "with", 1);
	} else {
		enter_key(r, "kind");
		bad(r, "unknown task kind '%.60s' (run, shell or builtin)", kind);
	}
	if ((t->kind != TASK_RUN && json_object_get(o, "argv")) ||
	    (t->kind != TASK_SHELL && json_object_get(o, "script")) ||
	    (t->kind != TASK_BUILTIN && json_object_get(o, "builtin")))
		bad(r, "members of another task kind than '%s'", kind);
	t->with = json_object_get(o, "with");
	if (t->with) {
		old = enter_key(r, "with");
		read_template(r, t->with, &s);
		leave(r, old);
	}
	t->env = get_object(r, o, "env", 0);
	if (t->env) {
		const char *key;
		const json_t *v;

		old = enter_key(r, "env");
		json_object_foreach((json_t *)t->env, key, v) {
			size_t o2 = enter_key(r, key);

			read_template(r, v, &s);
			leave(r, o2);
		}
		leave(r, old);
	}
	t->result = read_type(r, o, "result", &t->result_text);
	t->needs = read_needs(r, o, index, &t->nneeds);
	t->timeout_ms = get_at_most(r, o, "timeout_ms", PLAN_MAX_DURATION_MS, "a year in ms");
	t->retries = get_at_most(r, o, "retries", PLAN_MAX_COUNT, "flowc writes");
	t->retry_delay_ms = get_at_most(r, o, "retry_delay_ms", PLAN_MAX_DURATION_MS, "a year in ms");
	t->cache = get_bool(r, o, "cache");
}

static void read_source(struct reader *r, struct plan_source *src, const json_t *o,
			const struct plan_flow *flows, size_t index)
{
	static const char *const kinds[] = {"input", "raw", "file", "db"};
	static const char *const allowed[] = {"input", "raw", "file", "db", NULL};
	const json_t *from = NULL;
	size_t k, i, old;

	if (!json_is_object(o) || json_object_size(o) != 1)
		bad(r, "a source is an object with one of input, raw, file, db");
	only(r, o, allowed);
	for (k = 0; k < 4; k++)
		if ((from = json_object_get(o, kinds[k])) != NULL)
			break;
	src->kind = (enum plan_source_kind)k;
	old = enter_key(r, kinds[k]);
	if (src->kind == SOURCE_INPUT) {
		src->input = index_value(r, from, r->plan->ninputs, "input");
	} else {
		static const char *const mapping[] = {"flow", "task", "index", NULL};
		const struct plan_flow *parent;
		size_t o2;

		if (!json_is_object(from))
			bad(r, "a mapping source is an object with flow and task");
		only(r, from, mapping);
		o2 = enter_key(r, "flow");
		src->flow = index_value(r, member(r, from, "flow", 1), index,
					"flow (a mapping takes from an earlier flow)");
		leave(r, o2);
		parent = &flows[src->flow];
		for (i = 0; i < flows[index].nneeds; i++)
			if (flows[index].needs[i] == src->flow)
				break;
		if (i == flows[index].nneeds)
			bad(r, "maps from flow %zu, which the flow's needs do not list", src->flow);
		o2 = enter_key(r, "task");
		src->task = index_value(r, member(r, from, "task", 1), parent->ntasks, "task");
		leave(r, o2);
		src->index = json_object_get(from, "index");
		if (src->kind == SOURCE_DB && !src->index)
			bad(r, "missing member 'index'");
		if (src->kind != SOURCE_DB && src->index)
			bad(r, "only a db source has an index");
		if (src->index) {
			o2 = enter_key(r, "index");
			read_path(r, src->index);
			leave(r, o2);
		}
	}
	leave(r, old);
}

static void read_flow(struct reader *r, size_t index, const json_t *o)
{
	static const char *const allowed[] = {"name", "project", "labels", "image", "network",
					      "needs", "params", "tasks", "resources", NULL};
	static const char *const rallowed[] = {"cpus", "mem_mb", "time_s", "partition", NULL};
	struct plan_flow *f = &r->plan->flows[index];
	const json_t *res;
	const json_t *params, *tasks, *labels, *v;
	size_t i, old;

	if (!json_is_object(o))
		bad(r, "a flow must be an object");
	only(r, o, allowed);
	f->name = plain_name(r, get_string(r, o, "name", 1), "flow");
	f->project = get_string(r, o, "project", 1);
	f->image = get_string(r, o, "image", 0);
	if (f->image && !f->image[0]) {
		enter_key(r, "image");
		bad(r, "must not be empty");
	}
	f->network = get_bool(r, o, "network");
	labels = f->labels = get_array(r, o, "labels", 0);
	json_array_foreach(labels, i, v)
		if (!json_is_string(v)) {
			enter_key(r, "labels");
			enter_index(r, i);
			bad(r, "must be a string");
		}
	f->needs = read_needs(r, o, index, &f->nneeds);
	res = get_object(r, o, "resources", 0);
	if (res) {
		old = enter_key(r, "resources");
		only(r, res, rallowed);
		f->cpus = get_at_most(r, res, "cpus", PLAN_MAX_COUNT, "flowc writes");
		f->mem_mb = get_count(r, res, "mem_mb", 0);
		f->time_s = get_at_most(r, res, "time_s", PLAN_MAX_COUNT, "flowc writes");
		f->partition = get_string(r, res, "partition", 0);
		leave(r, old);
	}
	/* tasks before params: a source names its parent's task */
	tasks = get_array(r, o, "tasks", 1);
	params = get_array(r, o, "params", 1);
	f->ntasks = json_array_size(tasks);
	f->nparams = json_array_size(params);
	if (!f->ntasks) {
		enter_key(r, "tasks");
		bad(r, "a flow has at least one task");
	}
	f->tasks = arena_alloc(&r->plan->arena, f->ntasks * sizeof(*f->tasks));
	f->params = arena_alloc(&r->plan->arena, (f->nparams ? f->nparams : 1) * sizeof(*f->params));
	new_list(r);
	old = enter_key(r, "params");
	json_array_foreach(params, i, v) {
		static const char *const pallowed[] = {"name", "type", "source", NULL};
		size_t o2 = enter_index(r, i), o3;

		if (!json_is_object(v))
			bad(r, "a parameter must be an object");
		only(r, v, pallowed);
		f->params[i].name = get_string(r, v, "name", 1);
		f->params[i].type = read_type(r, v, "type", &f->params[i].type_text);
		o3 = enter_key(r, "source");
		read_source(r, &f->params[i].source, member(r, v, "source", 1), r->plan->flows, index);
		leave(r, o3);
		unique(r, f->params[i].name, "parameter");
		leave(r, o2);
	}
	leave(r, old);
	new_list(r);
	old = enter_key(r, "tasks");
	json_array_foreach(tasks, i, v) {
		size_t o2 = enter_index(r, i);

		read_task(r, &f->tasks[i], v, i, f->nparams);
		unique(r, f->tasks[i].name, "task");
		leave(r, o2);
	}
	leave(r, old);
}

/* bundle_path_ok: a relative path of names: no empty, "." or ".."
 * component, no NUL, at most PLAN_MAX_PATH bytes */
static int bundle_path_ok(const char *s, size_t len)
{
	size_t i = 0;

	if (!len || len > PLAN_MAX_PATH || strlen(s) != len)
		return 0;
	while (i < len) {
		size_t n = strcspn(s + i, "/");

		if (!n || (n == 1 && s[i] == '.') || (n == 2 && s[i] == '.' && s[i + 1] == '.'))
			return 0;
		i += n;
		if (i < len && ++i == len)
			return 0; /* a trailing '/' */
	}
	return 1;
}

/* read_files: a bundle's files, each verified against its SHA-256; a
 * path may not also be the directory of another */
static void read_files(struct reader *r, const json_t *files)
{
	static const char *const allowed[] = {"path", "sha256", "executable", "base64", NULL};
	struct plan *p = r->plan;
	const json_t *v;
	size_t i, k, old;

	if (!files)
		return;
	old = enter_key(r, "files");
	if (!json_is_array(files))
		bad(r, "must be an array");
	p->nfiles = json_array_size(files);
	p->files = arena_alloc(&p->arena, (p->nfiles ? p->nfiles : 1) * sizeof(*p->files));
	memset(p->files, 0, (p->nfiles ? p->nfiles : 1) * sizeof(*p->files));
	json_array_foreach(files, i, v) {
		struct plan_file *f = &p->files[i];
		const json_t *exec, *path;
		struct buf data = {0};
		const char *b64;
		char hex[65];
		size_t o2 = enter_index(r, i);

		if (!json_is_object(v))
			bad(r, "a file must be an object");
		only(r, v, allowed);
		path = member(r, v, "path", 1);
		if (!json_is_string(path) ||
		    !bundle_path_ok(json_string_value(path), json_string_length(path)))
			bad(r, "\"path\" must be a relative path of names (no '.', '..' or empty "
			    "component, at most %d bytes)", PLAN_MAX_PATH);
		f->path = json_string_value(path);
		if (i && strcmp(p->files[i - 1].path, f->path) >= 0)
			bad(r, "files must be sorted by path, each once");
		/* sorted, a file comes before what would be beneath it */
		for (k = 0; f->path[k]; k++)
			if (f->path[k] == '/' && strmap_get(&r->files, f->path, k))
				bad(r, "'%.*s' is a file and a directory of '%s'", (int)k, f->path, f->path);
		f->sha256 = get_string(r, v, "sha256", 1);
		if (strlen(f->sha256) != 64 || strspn(f->sha256, "0123456789abcdef") != 64)
			bad(r, "\"sha256\" must be 64 lowercase hex digits");
		exec = member(r, v, "executable", 1);
		if (!json_is_boolean(exec))
			bad(r, "\"executable\" must be true or false");
		f->executable = json_is_true(exec);
		b64 = get_string(r, v, "base64", 1);
		if (base64_decode(&data, b64) != 0) {
			buf_free(&data);
			bad(r, "\"base64\" is not base64");
		}
		sha256_hex(data.data ? data.data : "", data.len, hex);
		if (strcmp(hex, f->sha256) != 0) {
			buf_free(&data);
			bad(r, "bundled file '%s' was changed after flowc wrote the bundle: its content's "
			    "SHA-256 is %s, the bundle records %s", f->path, hex, f->sha256);
		}
		f->len = data.len;
		f->data = arena_alloc(&p->arena, data.len ? data.len : 1);
		if (data.len)
			memcpy(f->data, data.data, data.len);
		buf_free(&data);
		strmap_put(&r->files, f->path, strlen(f->path), f);
		leave(r, o2);
	}
	leave(r, old);
}

/* read_document: the whole plan, in order, so that a flow's sources can be
 * checked against the earlier flows' tasks */
static void read_document(struct reader *r)
{
	static const char *const allowed[] = {"format", "version", "hash", "name", "project", "labels",
					      "image", "description", "params", "flows", "files", NULL};
	struct plan *p = r->plan;
	const json_t *root = p->root, *inputs, *flows, *v;
	const char *format;
	char hash[72];
	size_t i, old;

	if (!json_is_object(root))
		bad(r, "a plan is a JSON object");
	format = get_string(r, root, "format", 0);
	if (!format || strcmp(format, PLAN_FORMAT) != 0)
		bad(r, "not a flowc plan (its \"format\" is not \"%s\")", PLAN_FORMAT);
	v = member(r, root, "version", 1);
	if (!json_is_integer(v))
		bad(r, "\"version\" must be an integer");
	if (json_integer_value(v) != PLAN_VERSION)
		bad(r, "plan format version %lld is not supported (this flowrun reads version %d); "
		    "compile the specs again with a matching flowc", (long long)json_integer_value(v),
		    PLAN_VERSION);
	p->hash = get_string(r, root, "hash", 1);
	/* a changed file is named before the hash says the plan changed */
	read_files(r, json_object_get(root, "files"));
	/* a plan an earlier flowc wrote has its reals in 17 digits */
	if (plan_hash(p->root, 0, hash) < 0 ||
	    (strcmp(hash, p->hash) != 0 && (plan_hash(p->root, 1, hash) < 0 ||
					    strcmp(hash, p->hash) != 0)))
		bad(r, "the plan's content does not match its hash (it was changed after flowc "
		    "wrote it)");
	only(r, root, allowed);
	p->name = get_string(r, root, "name", 1);
	p->project = get_string(r, root, "project", 1);
	inputs = get_array(r, root, "params", 1);
	flows = get_array(r, root, "flows", 1);
	p->ninputs = json_array_size(inputs);
	p->inputs = arena_alloc(&p->arena, (p->ninputs ? p->ninputs : 1) * sizeof(*p->inputs));
	new_list(r);
	old = enter_key(r, "params");
	json_array_foreach(inputs, i, v) {
		static const char *const iallowed[] = {"name", "type", "default", NULL};
		size_t o2 = enter_index(r, i);

		if (!json_is_object(v))
			bad(r, "a parameter must be an object");
		only(r, v, iallowed);
		p->inputs[i].name = get_string(r, v, "name", 1);
		p->inputs[i].type = read_type(r, v, "type", &p->inputs[i].type_text);
		p->inputs[i].deflt = json_object_get(v, "default");
		unique(r, p->inputs[i].name, "parameter");
		leave(r, o2);
	}
	leave(r, old);
	p->nflows = json_array_size(flows);
	if (!p->nflows)
		bad(r, "a plan has at least one flow");
	p->flows = arena_alloc(&p->arena, p->nflows * sizeof(*p->flows));
	memset(p->flows, 0, p->nflows * sizeof(*p->flows));
	old = enter_key(r, "flows");
	json_array_foreach(flows, i, v) {
		size_t o2 = enter_index(r, i);

		read_flow(r, i, v);
		leave(r, o2);
	}
	/* flow names name the flows' files in the run directory */
	new_list(r);
	for (i = 0; i < p->nflows; i++) {
		size_t o2 = enter_index(r, i);

		unique(r, p->flows[i].name, "flow");
		leave(r, o2);
	}
	leave(r, old);
}

int plan_parse(struct plan *p, const char *text, size_t len, struct buf *err)
{
	struct reader r;
	json_error_t jerr;

	memset(p, 0, sizeof(*p));
	memset(&r, 0, sizeof(r));
	r.plan = p;
	r.err = err;
	jarena_begin();
	p->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	jarena_end();
	if (!p->root) {
		buf_printf(err, "not valid JSON at line %d, column %d: %s", jerr.line, jerr.column,
			   jerr.text);
		return -1;
	}
	if (setjmp(r.fail)) {
		strmap_free(&r.seen);
		strmap_free(&r.types);
		strmap_free(&r.files);
		return -1;
	}
	read_document(&r);
	strmap_free(&r.seen);
	strmap_free(&r.types);
	strmap_free(&r.files);
	return 0;
}

int plan_load(struct plan *p, const char *path, struct buf *err)
{
	struct buf text = {0};
	int rc;

	memset(p, 0, sizeof(*p));
	if (util_read_file(path, &text) < 0) {
		buf_printf(err, "cannot read: %s", strerror(errno));
		buf_free(&text);
		return -1;
	}
	rc = plan_parse(p, text.data ? text.data : "", text.len, err);
	buf_free(&text);
	return rc;
}

void plan_free(struct plan *p)
{
	json_decref(p->root);
	arena_free(&p->arena);
	memset(p, 0, sizeof(*p));
}

/* needs_fn: the needs of node i (their number in *n) */
typedef const size_t *(*needs_fn)(const void *nodes, size_t i, size_t *n);

static const size_t *flow_needs(const void *nodes, size_t i, size_t *n)
{
	const struct plan_flow *f = (const struct plan_flow *)nodes + i;

	*n = f->nneeds;
	return f->needs;
}

static const size_t *task_needs(const void *nodes, size_t i, size_t *n)
{
	const struct plan_task *t = (const struct plan_task *)nodes + i;

	*n = t->nneeds;
	return t->needs;
}

/* build_deps: the dependents of n nodes, counted, then placed */
static void build_deps(struct plan_deps *d, const void *nodes, size_t n, needs_fn needs)
{
	size_t i, k, m, total = 0, *fill = xcalloc(n + 1, sizeof(*fill));
	const size_t *of;

	d->start = xcalloc(n + 1, sizeof(*d->start));
	for (i = 0; i < n; i++) {
		of = needs(nodes, i, &m);
		for (k = 0; k < m; k++)
			d->start[of[k] + 1]++;
		total += m;
	}
	for (i = 0; i < n; i++)
		d->start[i + 1] += d->start[i];
	d->of = xcalloc(total ? total : 1, sizeof(*d->of));
	for (i = 0; i < n; i++) {
		of = needs(nodes, i, &m);
		for (k = 0; k < m; k++)
			d->of[d->start[of[k]] + fill[of[k]]++] = i;
	}
	free(fill);
}

void plan_flow_deps(const struct plan *p, struct plan_deps *d)
{
	build_deps(d, p->flows, p->nflows, flow_needs);
}

void plan_task_deps(const struct plan_flow *f, struct plan_deps *d)
{
	build_deps(d, f->tasks, f->ntasks, task_needs);
}

void plan_deps_free(struct plan_deps *d)
{
	free(d->start);
	free(d->of);
	d->start = d->of = NULL;
}

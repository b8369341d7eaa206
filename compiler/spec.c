/* spec.c: builds flows and flows of flows from YAML documents, checking every
 * key, kind and local value. It must not look across documents. */
#include "spec.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "comp.h"
#include "value.h"

const char *const spec_builtins[] = {"save_file", "load_file", "save_db_result", "load_db_result"};
const size_t spec_nbuiltins = sizeof(spec_builtins) / sizeof(*spec_builtins);

enum value_kind {
	V_STRING,      /* a non-null scalar */
	V_STRINGS,     /* a list of non-null scalars */
	V_MAP,         /* a mapping */
	V_LIST,        /* a list */
	V_ANY,         /* anything */
	V_BOOL,        /* true or false */
	V_COUNT,       /* a non-negative integer */
	V_SCALARS_MAP  /* a mapping whose values are non-null scalars */
};

struct field {
	const char *key;       /* the key as written */
	enum value_kind kind;  /* what its value must be */
	int required;          /* 1 when the key must be present */
};

/* where a field table's values land: out[i] is the value of fields[i] */
#define MAX_FIELDS 16

/* flows and flows of flows start with the same five fields, read by read_head */
#define HEAD_FIELDS \
	{"name", V_STRING, 1}, {"project_name", V_STRING, 1}, {"labels", V_STRINGS, 0}, \
	{"image", V_STRING, 0}, {"description", V_STRING, 0}
enum { HE_NAME, HE_PROJECT, HE_LABELS, HE_IMAGE, HE_DESCRIPTION, HE_COUNT };

static const struct field flow_fields[] = {
	HEAD_FIELDS, {"parameters", V_MAP, 0}, {"tasks", V_LIST, 1}, {"resources", V_MAP, 0},
	{"network", V_BOOL, 0}, {"bundle", V_STRINGS, 0},
};
enum { FL_PARAMETERS = HE_COUNT, FL_TASKS, FL_RESOURCES, FL_NETWORK, FL_BUNDLE };

static const struct field resource_fields[] = {
	{"cpus", V_COUNT, 0}, {"mem", V_STRING, 0}, {"time", V_STRING, 0}, {"partition", V_STRING, 0},
};
enum { RE_CPUS, RE_MEM, RE_TIME, RE_PARTITION };

static const struct field param_fields[] = {
	{"type", V_STRING, 1}, {"default", V_ANY, 0}, {"description", V_STRING, 0},
};
enum { PA_TYPE, PA_DEFAULT, PA_DESCRIPTION };

static const struct field task_fields[] = {
	{"name", V_STRING, 1}, {"run", V_STRINGS, 0}, {"shell", V_STRING, 0},
	{"uses", V_STRING, 0}, {"with", V_MAP, 0}, {"env", V_SCALARS_MAP, 0},
	{"result", V_STRING, 0}, {"depends_on", V_STRINGS, 0}, {"timeout", V_STRING, 0},
	{"retries", V_COUNT, 0}, {"retry_delay", V_STRING, 0}, {"cache", V_BOOL, 0},
};
enum { TA_NAME, TA_RUN, TA_SHELL, TA_USES, TA_WITH, TA_ENV, TA_RESULT, TA_DEPENDS_ON,
       TA_TIMEOUT, TA_RETRIES, TA_RETRY_DELAY, TA_CACHE };

static const struct field fof_fields[] = {
	HEAD_FIELDS, {"composing_flows", V_LIST, 1},
};
enum { FO_COMPOSING = HE_COUNT };

static const struct field entry_fields[] = {
	{"name", V_STRING, 1}, {"project_name", V_STRING, 1}, {"labels", V_STRINGS, 0},
	{"image", V_STRING, 0}, {"mapped_parameters", V_MAP, 0},
};
enum { EN_NAME, EN_PROJECT, EN_LABELS, EN_IMAGE, EN_MAPPED };

static const struct field mapping_fields[] = {
	{"parent_flow_name", V_STRING, 1}, {"parent_project_name", V_STRING, 0},
	{"parent_task_name", V_STRING, 1}, {"map_type", V_STRING, 0},
	{"attribute", V_STRING, 0}, {"attribute_index", V_STRINGS, 0},
};
enum { MA_PARENT_FLOW, MA_PARENT_PROJECT, MA_PARENT_TASK, MA_MAP_TYPE, MA_ATTRIBUTE,
       MA_ATTRIBUTE_INDEX };

static const char *const map_types[] = {"raw", "file", "db"};

/* kind_ok: whether v has the kind k; reports bad list elements itself */
static int kind_ok(const struct ynode *v, enum value_kind k, const char *key, struct diags *ds)
{
	size_t i;
	int ok = 1;

	switch (k) {
	case V_ANY:
		return 1;
	case V_STRING:
		return v->kind == YN_SCALAR && !yn_is_null(v);
	case V_MAP:
		return v->kind == YN_MAP;
	case V_LIST:
		return v->kind == YN_SEQ;
	case V_BOOL:
		return yn_bool(v) >= 0;
	case V_COUNT:
		return v->kind == YN_SCALAR && v->style == YN_PLAIN && v->len > 0 &&
		       v->len < 10 && strspn(v->str, "0123456789") == v->len; /* PLAN_MAX_COUNT */
	case V_STRINGS:
	case V_SCALARS_MAP:
		if (v->kind != (k == V_STRINGS ? YN_SEQ : YN_MAP))
			return 0;
		for (i = 0; i < v->n; i++) {
			const struct ynode *item = k == V_STRINGS ? yn_item(v, i) : yn_value(v, i);

			if (item->kind != YN_SCALAR || yn_is_null(item)) {
				diag_report(ds, DIAG_E0103, yn_loc(item),
					    "'%s' must hold only strings, not %s", key,
					    yn_kind_name(item));
				ok = 0;
			}
		}
		return ok;
	}
	return 0;
}

/* value_said: the value v as a message names it: a number as written
 * (-1, 1.5), other plain text quoted ('maybe'), a quoted scalar as the
 * string it is, anything else by its kind (a mapping, a list, null); in
 * buf of size bytes */
static const char *value_said(const struct ynode *v, char *buf, size_t size)
{
	const char *kind = yn_kind_name(v);

	if (v->kind != YN_SCALAR || yn_is_null(v))
		return kind;
	if (v->style != YN_PLAIN)
		snprintf(buf, size, "the string \"%s\"", diag_quote(v->str));
	else if (strcmp(kind, "a number") == 0)
		snprintf(buf, size, "%s", diag_quote(v->str));
	else
		snprintf(buf, size, "'%s'", diag_quote(v->str));
	return buf;
}

static const char *kind_wanted(enum value_kind k)
{
	switch (k) {
	case V_STRING: return "a string";
	case V_STRINGS: return "a list of strings";
	case V_MAP: return "a mapping";
	case V_LIST: return "a list";
	case V_BOOL: return "true or false";
	case V_COUNT: return "a non-negative integer";
	case V_SCALARS_MAP: return "a mapping of strings";
	case V_ANY: break;
	}
	return "a value";
}

/* read_fields: checks map against a field table, reporting unknown keys
 * (with a suggestion), values of the wrong kind and missing required keys.
 * out[i] receives the value of fields[i], or NULL. Returns 0 when every
 * required key is present with the right kind. */
static int read_fields(const struct ynode *map, const struct field *fields, size_t nfields,
		       const char *what, const struct ynode **out, struct diags *ds)
{
	const char *names[MAX_FIELDS];
	char said[128];
	size_t i, j;
	int ok = 1;

	for (j = 0; j < nfields; j++) {
		names[j] = fields[j].key;
		out[j] = NULL;
	}
	for (i = 0; i < map->n; i++) {
		const struct ynode *k = yn_key(map, i), *v = yn_value(map, i);

		if (k->kind != YN_SCALAR)
			continue; /* reported by the loader */
		for (j = 0; j < nfields; j++) /* the first byte rules out most */
			if (k->str[0] == fields[j].key[0] && strcmp(k->str, fields[j].key) == 0)
				break;
		if (j == nfields) {
			const char *hint = util_suggest(k->str, names, nfields);

			if (hint)
				diag_report(ds, DIAG_E0102, yn_loc(k),
					    "unknown key '%s' in %s (did you mean '%s'?)",
					    diag_quote(k->str), what, hint);
			else
				diag_report(ds, DIAG_E0102, yn_loc(k), "unknown key '%s' in %s",
					    diag_quote(k->str), what);
			continue;
		}
		if (out[j])
			continue; /* duplicate key, reported by the loader */
		if (!kind_ok(v, fields[j].kind, fields[j].key, ds)) {
			if (fields[j].kind == V_COUNT && v->kind == YN_SCALAR && v->len >= 10 &&
			    strspn(v->str, "0123456789") == v->len)
				diag_report(ds, DIAG_E0103, yn_loc(v),
					    "'%s' is %s, more than the largest count flowc takes "
					    "(%lld)", fields[j].key, diag_quote(v->str), PLAN_MAX_COUNT);
			else if (v->kind != (fields[j].kind == V_STRINGS ? YN_SEQ : YN_MAP) ||
			    (fields[j].kind != V_STRINGS && fields[j].kind != V_SCALARS_MAP))
				diag_report(ds, DIAG_E0103, yn_loc(v), "'%s' must be %s, not %s",
					    fields[j].key, kind_wanted(fields[j].kind),
					    value_said(v, said, sizeof(said)));
			if (fields[j].required)
				ok = 0;
			continue;
		}
		out[j] = v;
	}
	for (j = 0; j < nfields; j++) {
		if (fields[j].required && !out[j] && !yn_get(map, fields[j].key)) {
			diag_report(ds, DIAG_E0104, yn_loc(map), "%s is missing required key '%s'",
				    what, fields[j].key);
			ok = 0;
		}
	}
	return ok;
}

/* check_ident: task and parameter names must be usable after params./tasks.;
 * flow and task names (file_name) name files of a run directory too */
static void check_ident(const struct ynode *n, const char *what, int file_name,
			struct diags *ds)
{
	if (!n->len || util_name_len(n->str, n->len) != n->len)
		diag_report(ds, DIAG_E0116, yn_loc(n),
			    "%s name '%s' must start with a letter or '_' and hold only letters, "
			    "digits, '_' and '-'", what, diag_quote(n->str));
	else if (file_name && n->len > PLAN_MAX_NAME)
		diag_report(ds, DIAG_E0116, yn_loc(n),
			    "%s name '%s' is longer than %d bytes (flowrun names files after it)",
			    what, diag_quote(n->str), PLAN_MAX_NAME);
}

/* check_project_name: project names identify flows across files */
static void check_project_name(const struct ynode *n, const char *what, struct diags *ds)
{
	const char *s;

	if (!n)
		return;
	for (s = n->str; *s; s++)
		if (isspace((unsigned char)*s) || *s == '/')
			break;
	if (!*n->str || *s || n->len != strlen(n->str))
		diag_report(ds, DIAG_E0116, yn_loc(n),
			    "%s '%s' must be non-empty, without whitespace or '/'", what,
			    diag_quote(n->str));
}

/* read_number: digits with an optional fraction; returns the end or NULL */
static const char *read_number(const char *p, double *out)
{
	const char *start = p;
	char tmp[64];

	while (isdigit((unsigned char)*p))
		p++;
	if (p == start)
		return NULL;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return NULL;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if ((size_t)(p - start) >= sizeof(tmp))
		return NULL;
	memcpy(tmp, start, (size_t)(p - start));
	tmp[p - start] = '\0';
	*out = strtod(tmp, NULL);
	return p;
}

int spec_parse_duration(const char *text, long long *ms)
{
	/* longest suffix first, so "ms" is not read as "m" */
	static const struct {
		const char *unit; /* suffix */
		double ms;        /* milliseconds in one unit */
	} units[] = {{"ms", 1}, {"s", 1e3}, {"m", 60e3}, {"h", 3600e3}, {"d", 86400e3}};
	const char *p = text;
	double total = 0, num;

	if (!*text)
		return -1;
	p = read_number(p, &num);
	if (p && !*p) {
		total = num * 1e3; /* a bare number is seconds */
	} else {
		for (p = text; p && *p;) {
			size_t i, n = sizeof(units) / sizeof(*units);

			p = read_number(p, &num);
			if (!p)
				return -1;
			for (i = 0; i < n; i++)
				if (strncmp(p, units[i].unit, strlen(units[i].unit)) == 0)
					break;
			if (i == n)
				return -1;
			total += num * units[i].ms;
			p += strlen(units[i].unit);
		}
		if (!p)
			return -1;
	}
	/* a year is more than any task may sensibly wait */
	if (!isfinite(total) || total > (double)PLAN_MAX_DURATION_MS)
		return -2;
	*ms = (long long)llround(total);
	return 0;
}

static void read_duration(const struct ynode *v, const char *key, int positive,
			  long long *ms, struct diags *ds)
{
	if (!v)
		return;
	int rc = spec_parse_duration(v->str, ms);

	if (rc == -2)
		diag_report(ds, DIAG_E0107, yn_loc(v),
			    "'%s' for '%s' is longer than a year, the longest duration flowc takes",
			    diag_quote(v->str), key);
	else if (rc < 0)
		diag_report(ds, DIAG_E0107, yn_loc(v),
			    "'%s' is not a duration for '%s' (use e.g. 30s, 5m, 2h, 1h30m)",
			    diag_quote(v->str), key);
	else if (positive && *ms <= 0)
		diag_report(ds, DIAG_E0107, yn_loc(v), "'%s' must be greater than zero", key);
}

/* check_numbers: reports each number in value n (or NULL) that a plan
 * cannot hold (JSON numbers as doubles and 64-bit integers) */
static void check_numbers(const struct ynode *n, struct diags *ds)
{
	const char *why;
	size_t i;

	if (!n)
		return;
	switch (n->kind) {
	case YN_SEQ:
		for (i = 0; i < n->n; i++)
			check_numbers(yn_item(n, i), ds);
		return;
	case YN_MAP:
		for (i = 0; i < n->n; i++)
			check_numbers(yn_value(n, i), ds);
		return;
	case YN_SCALAR:
		break;
	}
	/* a number of any length: its first 40 characters said */
	if ((why = value_number_problem(n)) != NULL)
		diag_report(ds, DIAG_E0115, yn_loc(n), "%.*s%s is %s; quote it to pass it as text",
			    n->len > 40 ? 40 : (int)n->len, n->str, n->len > 40 ? "..." : "", why);
}

static void read_params(struct spec_set *set, struct spec_flow *f, const struct ynode *params,
			struct diags *ds)
{
	size_t i;

	if (!params)
		return;
	f->params = arena_alloc(&set->arena, (params->n ? params->n : 1) * sizeof(*f->params));
	for (i = 0; i < params->n; i++) {
		const struct ynode *k = yn_key(params, i), *v = yn_value(params, i);
		struct spec_param *p = &f->params[f->nparams];

		if (k->kind != YN_SCALAR)
			continue;
		memset(p, 0, sizeof(*p));
		p->name = k->str;
		p->key = k;
		check_ident(k, "parameter", 0, ds);
		if (k->repeated)
			continue; /* a duplicate key, reported by the loader */
		if (v->kind == YN_SCALAR && !yn_is_null(v)) {
			p->type = v;
		} else if (v->kind == YN_MAP) {
			const struct ynode *out[MAX_FIELDS];
			char what[128];

			snprintf(what, sizeof(what), "parameter '%s'", diag_quote(k->str));
			read_fields(v, param_fields, sizeof(param_fields) / sizeof(*param_fields),
				    what, out, ds);
			p->type = out[PA_TYPE];
			p->deflt = out[PA_DEFAULT];
			check_numbers(p->deflt, ds);
			p->description = out[PA_DESCRIPTION];
		} else {
			diag_report(ds, DIAG_E0103, yn_loc(v),
				    "parameter '%s' must be a type or a mapping with 'type', not %s",
				    diag_quote(k->str), yn_kind_name(v));
		}
		f->nparams++;
	}
}

static void read_task(struct spec_task *t, const struct ynode *node, struct diags *ds)
{
	static const char *const actions[] = {"run", "shell", "uses"};
	const struct ynode *out[MAX_FIELDS], *first = NULL;
	const char *first_name = NULL;
	size_t i;

	memset(t, 0, sizeof(*t));
	t->node = node;
	t->name_node = node;
	if (node->kind != YN_MAP) {
		diag_report(ds, DIAG_E0103, yn_loc(node), "a task must be a mapping, not %s",
			    yn_kind_name(node));
		return;
	}
	read_fields(node, task_fields, sizeof(task_fields) / sizeof(*task_fields), "task", out, ds);
	if (out[TA_NAME]) {
		t->name = out[TA_NAME]->str;
		t->name_node = out[TA_NAME];
		check_ident(out[TA_NAME], "task", 1, ds);
	}
	t->run = out[TA_RUN];
	t->shell = out[TA_SHELL];
	t->uses = out[TA_USES];
	t->with = out[TA_WITH];
	t->env = out[TA_ENV];
	t->result = out[TA_RESULT];
	t->depends_on = out[TA_DEPENDS_ON];
	check_numbers(t->run, ds);
	check_numbers(t->env, ds);
	check_numbers(t->with, ds);
	t->cache = out[TA_CACHE] ? yn_bool(out[TA_CACHE]) : 0;
	t->retries = out[TA_RETRIES] ? strtol(out[TA_RETRIES]->str, NULL, 10) : 0;
	read_duration(out[TA_TIMEOUT], "timeout", 1, &t->timeout_ms, ds);
	read_duration(out[TA_RETRY_DELAY], "retry_delay", 0, &t->retry_delay_ms, ds);

	/* exactly one of run, shell, uses; the keys themselves, so a value of the
	 * wrong kind still counts as given */
	for (i = 0; i < 3; i++) {
		const struct ynode *v = yn_get(node, actions[i]);

		if (!v)
			continue;
		if (first) {
			diag_report(ds, DIAG_E0106, yn_loc(v),
				    "task '%s' has both '%s' and '%s'; give exactly one of run, "
				    "shell, uses", t->name ? diag_quote(t->name) : "?", first_name,
				    actions[i]);
			t->action = SPEC_NONE;
			continue;
		}
		first = v;
		first_name = actions[i];
		t->action = (enum spec_action)(SPEC_RUN + i);
	}
	if (!first)
		diag_report(ds, DIAG_E0106, yn_loc(node), "task '%s' needs one of run, shell or uses",
			    t->name ? diag_quote(t->name) : "?");
	if (t->run && t->run->n == 0)
		diag_report(ds, DIAG_E0115, yn_loc(t->run), "'run' must name a program to run");
	if (t->uses) {
		for (i = 0; i < spec_nbuiltins; i++)
			if (strcmp(t->uses->str, spec_builtins[i]) == 0)
				break;
		if (i == spec_nbuiltins) {
			const char *hint = util_suggest(t->uses->str, spec_builtins, spec_nbuiltins);

			if (hint)
				diag_report(ds, DIAG_E0108, yn_loc(t->uses),
					    "unknown built-in task '%s' (did you mean '%s'?)",
					    diag_quote(t->uses->str), hint);
			else
				diag_report(ds, DIAG_E0108, yn_loc(t->uses),
					    "unknown built-in task '%s'; the built-ins are save_file, "
					    "load_file, save_db_result and load_db_result",
					    diag_quote(t->uses->str));
		}
	}
}

static void read_tasks(struct spec_set *set, struct spec_flow *f, const struct ynode *tasks,
		       struct diags *ds)
{
	struct strmap seen = {0};
	size_t i;

	if (!tasks)
		return;
	if (tasks->n == 0)
		diag_report(ds, DIAG_E0115, yn_loc(tasks), "a flow needs at least one task");
	f->tasks = arena_alloc(&set->arena, (tasks->n ? tasks->n : 1) * sizeof(*f->tasks));
	for (i = 0; i < tasks->n; i++) {
		struct spec_task *t = &f->tasks[f->ntasks++];
		const struct spec_task *prev;

		read_task(t, yn_item(tasks, i), ds);
		if (!t->name)
			continue;
		prev = strmap_put(&seen, t->name, strlen(t->name), t);
		if (prev != t) {
			diag_report(ds, DIAG_E0105, yn_loc(t->name_node),
				    "flow already has a task named '%s'", diag_quote(t->name));
			diag_note(ds, yn_loc(prev->name_node), "first defined here");
		}
	}
	strmap_free(&seen);
}

/* check_image: an image is named by a text that is not empty */
static void check_image(const struct ynode *image, struct diags *ds)
{
	if (image && !image->str[0])
		diag_report(ds, DIAG_E0115, yn_loc(image), "'image' must name a container image");
}

/* read_head: the fields every flow and flow of flows starts with */
static void read_head(struct spec_head *h, const struct ynode *doc, const struct ynode **out,
		      struct diags *ds)
{
	h->node = doc;
	h->name_node = out[HE_NAME] ? out[HE_NAME] : doc;
	h->name = out[HE_NAME] ? out[HE_NAME]->str : NULL;
	h->project = out[HE_PROJECT] ? out[HE_PROJECT]->str : NULL;
	/* a flow's name names it in the plan, and flowrun names files after it */
	if (out[HE_NAME])
		check_ident(out[HE_NAME], "flow", 1, ds);
	check_project_name(out[HE_PROJECT], "project name", ds);
	h->labels = out[HE_LABELS];
	h->image = out[HE_IMAGE];
	check_image(h->image, ds);
	h->description = out[HE_DESCRIPTION];
}

/* read_resources: {cpus, mem (e.g. 512M, 4G, or MiB), time (a duration),
 * partition} for the Slurm backend */
static void read_resources(struct spec_resources *r, const struct ynode *map, struct diags *ds)
{
	const struct ynode *out[MAX_FIELDS];

	if (!map)
		return;
	r->given = 1;
	read_fields(map, resource_fields, sizeof(resource_fields) / sizeof(*resource_fields),
		    "resources", out, ds);
	if (out[RE_CPUS]) {
		r->cpus = strtol(out[RE_CPUS]->str, NULL, 10);
		if (r->cpus < 1)
			diag_report(ds, DIAG_E0115, yn_loc(out[RE_CPUS]), "'cpus' must be at least 1");
	}
	if (out[RE_MEM]) {
		char *end;
		long long n = strtoll(out[RE_MEM]->str, &end, 10);
		long long scale = !*end ? 1 : !strcmp(end, "K") ? -1024 : !strcmp(end, "M") ? 1
				: !strcmp(end, "G") ? 1024 : !strcmp(end, "T") ? 1024 * 1024 : 0;

		if (end == out[RE_MEM]->str || n <= 0 || !scale || n > (1LL << 40))
			diag_report(ds, DIAG_E0115, yn_loc(out[RE_MEM]),
				    "'mem' is a size such as 512M, 4G or a number of MiB, not '%s'",
				    diag_quote(out[RE_MEM]->str));
		else
			r->mem_mb = scale < 0 ? (n + 1023) / 1024 : n * scale;
	}
	if (out[RE_TIME]) {
		long long ms;

		read_duration(out[RE_TIME], "time", 1, &ms, ds);
		r->time_s = (ms + 999) / 1000;
	}
	r->partition = out[RE_PARTITION];
}

static void read_flow(struct spec_set *set, const struct ynode *doc, struct diags *ds)
{
	const struct ynode *out[MAX_FIELDS];
	struct spec_flow *f = arena_alloc(&set->arena, sizeof(*f));

	memset(f, 0, sizeof(*f));
	read_fields(doc, flow_fields, sizeof(flow_fields) / sizeof(*flow_fields), "flow", out, ds);
	read_head(&f->head, doc, out, ds);
	read_params(set, f, out[FL_PARAMETERS], ds);
	read_tasks(set, f, out[FL_TASKS], ds);
	read_resources(&f->resources, out[FL_RESOURCES], ds);
	f->network = out[FL_NETWORK] && yn_bool(out[FL_NETWORK]) == 1;
	f->bundle = out[FL_BUNDLE];
	VEC_PUSH(set->flows, set->nflows, set->flowcap, f);
}

static void read_mapping(struct spec_mapping *m, const struct ynode *key, const struct ynode *v,
			 struct diags *ds)
{
	const struct ynode *out[MAX_FIELDS];
	size_t i;

	memset(m, 0, sizeof(*m));
	m->param = key->str;
	m->key = key;
	m->node = v;
	if (v->kind != YN_MAP) {
		diag_report(ds, DIAG_E0103, yn_loc(v),
			    "mapped parameter '%s' must be a mapping with parent_flow_name and "
			    "parent_task_name, not %s", diag_quote(key->str), yn_kind_name(v));
		return;
	}
	read_fields(v, mapping_fields, sizeof(mapping_fields) / sizeof(*mapping_fields),
		    "mapped parameter", out, ds);
	m->parent_flow = out[MA_PARENT_FLOW];
	m->parent_project = out[MA_PARENT_PROJECT];
	m->parent_task = out[MA_PARENT_TASK];
	m->map_type_node = out[MA_MAP_TYPE];
	m->attribute = out[MA_ATTRIBUTE];
	m->attribute_index = out[MA_ATTRIBUTE_INDEX];
	m->map_type = SPEC_MAP_RAW;
	if (m->map_type_node) {
		for (i = 0; i < 3; i++)
			if (strcmp(m->map_type_node->str, map_types[i]) == 0)
				break;
		if (i < 3) {
			m->map_type = (enum spec_map_type)i;
		} else {
			const char *hint = util_suggest(m->map_type_node->str, map_types, 3);

			diag_report(ds, DIAG_E0207, yn_loc(m->map_type_node),
				    "unknown map_type '%s' (expected raw, file or db%s%s%s)",
				    diag_quote(m->map_type_node->str), hint ? "; did you mean '" : "",
				    hint ? hint : "", hint ? "'?" : "");
			m->map_type_node = NULL;
			return;
		}
	}
	if (m->map_type != SPEC_MAP_DB) {
		const struct ynode *idx = m->attribute_index ? m->attribute_index : m->attribute;

		if (idx)
			diag_report(ds, DIAG_E0208, yn_loc(idx),
				    "'%s' only applies to map_type db, and this mapping is %s",
				    idx == m->attribute ? "attribute" : "attribute_index",
				    map_types[m->map_type]);
	}
}

static void read_entry(struct spec_set *set, struct spec_entry *e, const struct ynode *node,
		       struct diags *ds)
{
	const struct ynode *out[MAX_FIELDS], *mapped;
	size_t i;

	memset(e, 0, sizeof(*e));
	e->node = node;
	e->name_node = node;
	if (node->kind != YN_MAP) {
		diag_report(ds, DIAG_E0103, yn_loc(node),
			    "a composing flow must be a mapping with name and project_name, not %s",
			    yn_kind_name(node));
		return;
	}
	read_fields(node, entry_fields, sizeof(entry_fields) / sizeof(*entry_fields),
		    "composing flow", out, ds);
	if (out[EN_NAME]) {
		e->name = out[EN_NAME]->str;
		e->name_node = out[EN_NAME];
	}
	e->project = out[EN_PROJECT] ? out[EN_PROJECT]->str : NULL;
	e->labels = out[EN_LABELS];
	e->image = out[EN_IMAGE];
	check_image(e->image, ds);
	mapped = out[EN_MAPPED];
	if (!mapped)
		return;
	e->maps = arena_alloc(&set->arena, (mapped->n ? mapped->n : 1) * sizeof(*e->maps));
	for (i = 0; i < mapped->n; i++) {
		const struct ynode *k = yn_key(mapped, i);

		if (k->kind != YN_SCALAR || k->repeated)
			continue; /* reported by the loader */
		read_mapping(&e->maps[e->nmaps++], k, yn_value(mapped, i), ds);
	}
}

static void read_fof(struct spec_set *set, const struct ynode *doc, struct diags *ds)
{
	const struct ynode *out[MAX_FIELDS], *list;
	struct spec_fof *f = arena_alloc(&set->arena, sizeof(*f));
	size_t i;

	memset(f, 0, sizeof(*f));
	read_fields(doc, fof_fields, sizeof(fof_fields) / sizeof(*fof_fields), "flow of flows",
		    out, ds);
	read_head(&f->head, doc, out, ds);
	list = out[FO_COMPOSING];
	if (list) {
		if (list->n == 0)
			diag_report(ds, DIAG_E0115, yn_loc(list),
				    "a flow of flows needs at least one composing flow");
		f->entries = arena_alloc(&set->arena, (list->n ? list->n : 1) * sizeof(*f->entries));
		for (i = 0; i < list->n; i++)
			read_entry(set, &f->entries[f->nentries++], yn_item(list, i), ds);
	}
	VEC_PUSH(set->fofs, set->nfofs, set->fofcap, f);
}

void spec_add_document(struct spec_set *set, const struct ynode *doc, const struct yn_size *size,
		       struct diags *ds)
{
	if (doc->kind != YN_MAP) {
		diag_report(ds, DIAG_E0101, yn_loc(doc),
			    "a spec document must be a mapping (a flow or a flow of flows), not %s",
			    yn_kind_name(doc));
		return;
	}
	if (yn_get(doc, "composing_flows")) {
		read_fof(set, doc, ds);
		return;
	}
	read_flow(set, doc, ds);
	if (size)
		set->flows[set->nflows - 1]->size = *size;
}

void spec_free(struct spec_set *set)
{
	size_t i;

	for (i = 0; i < set->nfofs; i++)
		comp_free(set->fofs[i]->comp);
	free(set->flows);
	free(set->fofs);
	strmap_free(&set->types);
	arena_free(&set->arena);
	memset(set, 0, sizeof(*set));
}

const char **spec_task_names(const struct spec_flow *f, size_t *n)
{
	const char **names = xmalloc((f->ntasks ? f->ntasks : 1) * sizeof(*names));
	size_t i;

	*n = 0;
	for (i = 0; i < f->ntasks; i++)
		if (f->tasks[i].name)
			names[(*n)++] = f->tasks[i].name;
	return names;
}

const char **spec_param_names(const struct spec_flow *f, size_t *n)
{
	const char **names = xmalloc((f->nparams ? f->nparams : 1) * sizeof(*names));
	size_t i;

	for (i = 0; i < f->nparams; i++)
		names[i] = f->params[i].name;
	*n = f->nparams;
	return names;
}

const struct spec_param *spec_find_param(const struct spec_flow *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->nparams; i++)
		if (strcmp(f->params[i].name, name) == 0)
			return &f->params[i];
	return NULL;
}

const struct spec_task *spec_find_task(const struct spec_flow *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->ntasks; i++)
		if (f->tasks[i].name && strcmp(f->tasks[i].name, name) == 0)
			return &f->tasks[i];
	return NULL;
}

size_t spec_refs_in(const struct spec_task *t, const struct ynode *n, size_t *first)
{
	size_t lo = 0, hi = t->nscalars;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uintptr_t at = (uintptr_t)t->scalars[mid].node;

		if (at == (uintptr_t)n) {
			*first = t->scalars[mid].first;
			return t->scalars[mid].count;
		}
		if (at < (uintptr_t)n)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

struct diag_loc spec_ref_loc(const struct spec_ref *r)
{
	struct diag_loc loc = yn_loc(r->node);

	/* as yn_loc_after found it: inside the scalar when its columns are
	 * exact, else the whole scalar */
	if (r->node->cols_exact) {
		loc.line = (int)r->line;
		loc.col = (int)r->col;
		loc.end_col = 0;
	}
	return loc;
}

int spec_is_mapped(const struct spec_entry *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->nmaps; i++)
		if (strcmp(e->maps[i].param, name) == 0)
			return 1;
	return 0;
}

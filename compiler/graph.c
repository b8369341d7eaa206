/* graph.c: a plan drawn as Graphviz DOT: flows as record nodes listing
 * their tasks, mappings as labelled edges, nested flows of flows as
 * clusters. It reads plans, not specs. */
#include "graph.h"

#include <stdlib.h>
#include <string.h>

/* put_escaped: text for a quoted DOT string; in records, also the
 * characters that structure a record label */
static void put_escaped(struct buf *out, const char *s, int record)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\' || (record && strchr("{}|<> ", *s)))
			buf_putc(out, '\\');
		buf_putc(out, *s);
	}
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static void put_node(struct buf *out, const json_t *flow, size_t i, int indent)
{
	const json_t *tasks = json_object_get(flow, "tasks"), *task;
	size_t j;

	buf_printf(out, "%*sf%zu [label=\"{", indent, "", i);
	put_escaped(out, str(flow, "name"), 1);
	json_array_foreach(tasks, j, task) {
		buf_printf(out, "|<t%zu> ", j);
		put_escaped(out, str(task, "name"), 1);
	}
	buf_puts(out, "}\"];\n");
}

/* One flow while clusters are drawn. */
struct placed {
	const char *path; /* entry names joined with '/' */
	size_t flow;      /* index in the plan */
};

static int cmp_placed(const void *pa, const void *pb)
{
	const struct placed *a = pa, *b = pb;
	int c = strcmp(a->path, b->path);

	return c ? c : (a->flow > b->flow) - (a->flow < b->flow);
}

/* segment: the length of the name at offset at of path, up to '/' or the end */
static size_t segment(const char *path, size_t at)
{
	const char *slash = strchr(path + at, '/');

	return slash ? (size_t)(slash - path) - at : strlen(path + at);
}

/* put_group: the flows of v[0..n), whose paths share their first at bytes:
 * a flow with no '/' after at is a node; the others, grouped by their next
 * name, are clusters (sorting made each group consecutive) */
static void put_group(struct buf *out, const json_t *flows, const struct placed *v, size_t n,
		      size_t at, int indent, size_t *nclusters)
{
	size_t i = 0;

	while (i < n) {
		size_t len = segment(v[i].path, at), j = i + 1;
		struct buf label = {0};

		if (!v[i].path[at + len]) {
			put_node(out, json_array_get(flows, v[i].flow), v[i].flow, indent);
			i++;
			continue;
		}
		while (j < n && strncmp(v[j].path + at, v[i].path + at, len + 1) == 0)
			j++;
		buf_add(&label, v[i].path + at, len);
		buf_printf(out, "%*ssubgraph cluster_%zu {\n%*slabel=\"", indent, "", (*nclusters)++,
			   indent + 2, "");
		put_escaped(out, label.data, 0);
		buf_puts(out, "\";\n");
		buf_free(&label);
		put_group(out, flows, v + i, j - i, at + len + 1, indent + 2, nclusters);
		buf_printf(out, "%*s}\n", indent, "");
		i = j;
	}
}

void graph_dot(const json_t *plan, const char *const *paths, struct buf *out)
{
	const json_t *flows = json_object_get(plan, "flows"), *flow;
	size_t n = json_array_size(flows), i, j, nclusters = 0;
	struct placed *v = xmalloc((n ? n : 1) * sizeof(*v));

	buf_puts(out, "digraph \"");
	put_escaped(out, str(plan, "name"), 0);
	buf_puts(out, "\" {\n  rankdir=LR;\n  node [shape=record];\n");
	for (i = 0; i < n; i++) {
		v[i].path = paths ? paths[i] : "";
		v[i].flow = i;
	}
	if (paths)
		qsort(v, n, sizeof(*v), cmp_placed);
	/* without nesting, flows stay in plan order */
	for (i = 0; i < n; i++)
		if (paths && strchr(paths[i], '/'))
			break;
	if (i == n)
		for (i = 0; i < n; i++)
			put_node(out, json_array_get(flows, i), i, 2);
	else
		put_group(out, flows, v, n, 0, 2, &nclusters);
	free(v);
	json_array_foreach(flows, i, flow) {
		const json_t *params = json_object_get(flow, "params"), *param;

		json_array_foreach(params, j, param) {
			static const char *const kinds[] = {"raw", "file", "db"};
			const json_t *src = json_object_get(param, "source");
			size_t k;

			for (k = 0; k < 3; k++) {
				const json_t *from = json_object_get(src, kinds[k]);
				json_int_t pf, pt;

				if (!from)
					continue;
				pf = json_integer_value(json_object_get(from, "flow"));
				pt = json_integer_value(json_object_get(from, "task"));
				buf_printf(out, "  f%lld:t%lld -> f%zu [label=\"", (long long)pf,
					   (long long)pt, i);
				put_escaped(out, str(param, "name"), 0);
				buf_puts(out, " <- ");
				put_escaped(out, str(json_array_get(json_object_get(json_array_get(flows,
					(size_t)pf), "tasks"), (size_t)pt), "name"), 0);
				buf_printf(out, " (%s)\"];\n", kinds[k]);
			}
		}
	}
	buf_puts(out, "}\n");
}

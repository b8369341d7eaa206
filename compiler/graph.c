/* graph.c: a plan drawn as Graphviz DOT: flows as record nodes listing
 * their tasks, mappings as labelled edges. It reads plans, not specs. */
#include "graph.h"

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

void graph_dot(const json_t *plan, struct buf *out)
{
	const json_t *flows = json_object_get(plan, "flows"), *flow;
	size_t i, j;

	buf_puts(out, "digraph \"");
	put_escaped(out, str(plan, "name"), 0);
	buf_puts(out, "\" {\n  rankdir=LR;\n  node [shape=record];\n");
	json_array_foreach(flows, i, flow) {
		const json_t *tasks = json_object_get(flow, "tasks"), *task;

		buf_printf(out, "  f%zu [label=\"{", i);
		put_escaped(out, str(flow, "name"), 1);
		json_array_foreach(tasks, j, task) {
			buf_printf(out, "|<t%zu> ", j);
			put_escaped(out, str(task, "name"), 1);
		}
		buf_puts(out, "}\"];\n");
	}
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

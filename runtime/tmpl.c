/* tmpl.c: plan templates made into values: references replaced by the
 * parameter values and task results they name, paths walked. It runs
 * nothing and knows no files. */
#include "tmpl.h"

#include <stdlib.h>
#include <string.h>

#include "json_text.h"

json_t *tmpl_walk(json_t *v, const json_t *path, struct buf *why)
{
	const json_t *step;
	size_t i;

	json_array_foreach(path, i, step) {
		json_t *next = NULL;

		if (json_is_string(step))
			next = json_object_get(v, json_string_value(step));
		else if (json_is_integer(step) && json_is_array(v))
			next = json_array_get(v, (size_t)json_integer_value(step));
		if (!next) {
			char *p = json_text(path, JSON_COMPACT);

			buf_printf(why, "path %s: step %zu (%s) does not exist in the value", p, i + 1,
				   json_is_string(step) ? json_string_value(step) : "an index");
			free(p);
			return NULL;
		}
		v = next;
	}
	return v;
}

char *tmpl_json_text(const json_t *v)
{
	if (json_is_string(v))
		return xstrndup(json_string_value(v), json_string_length(v));
	return json_text(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

static json_t *ref_value(const json_t *ref, const struct tmpl_scope *s, struct buf *why)
{
	const json_t *param = json_object_get(ref, "param"), *path = json_object_get(ref, "path");
	json_t *base;

	if (param) {
		base = s->params[json_integer_value(param)];
	} else {
		base = s->results[json_integer_value(json_object_get(ref, "task"))];
		if (!base) {
			buf_puts(why, "a referenced task has no result");
			return NULL;
		}
	}
	if (path)
		base = tmpl_walk(base, path, why);
	return base ? json_incref(base) : NULL;
}

json_t *tmpl_value(const json_t *t, const struct tmpl_scope *s, struct buf *why)
{
	const char *tag;
	json_t *v, *out;
	size_t i;

	if (json_is_string(t))
		return json_incref((json_t *)t);
	tag = json_object_iter_key(json_object_iter((json_t *)t));
	v = json_object_iter_value(json_object_iter((json_t *)t));
	if (strcmp(tag, "v") == 0)
		return json_incref(v);
	if (strcmp(tag, "ref") == 0)
		return ref_value(v, s, why);
	if (strcmp(tag, "bundled") == 0) {
		struct buf path = {0};

		if (!s->bundle_dir) {
			buf_printf(why, "bundled file %s: the run has no bundle directory",
				   json_string_value(v));
			return NULL;
		}
		buf_printf(&path, "%s/%s", s->bundle_dir, json_string_value(v));
		out = json_stringn(path.data, path.len);
		buf_free(&path);
		return out;
	}
	if (strcmp(tag, "cat") == 0) {
		struct buf text = {0};
		json_t *part;

		json_array_foreach(v, i, part) {
			json_t *pv = json_is_string(part) ? json_incref(part) : ref_value(part, s, why);
			char *pt;

			if (!pv) {
				buf_free(&text);
				return NULL;
			}
			pt = tmpl_json_text(pv);
			buf_puts(&text, pt);
			free(pt);
			json_decref(pv);
		}
		out = json_stringn(text.data ? text.data : "", text.len);
		buf_free(&text);
		return out;
	}
	if (strcmp(tag, "obj") == 0) {
		const char *key;
		json_t *kid;

		out = json_object();
		json_object_foreach(v, key, kid) {
			json_t *kv = tmpl_value(kid, s, why);

			if (!kv) {
				json_decref(out);
				return NULL;
			}
			json_object_set_new(out, key, kv);
		}
		return out;
	}
	out = json_array();
	{
		json_t *kid;

		json_array_foreach(v, i, kid) {
			json_t *kv = tmpl_value(kid, s, why);

			if (!kv) {
				json_decref(out);
				return NULL;
			}
			json_array_append_new(out, kv);
		}
	}
	return out;
}

char *tmpl_text(const json_t *t, const struct tmpl_scope *s, struct buf *why)
{
	json_t *v = tmpl_value(t, s, why);
	char *text;

	if (!v)
		return NULL;
	text = tmpl_json_text(v);
	json_decref(v);
	return text;
}

void tmpl_visit(const json_t *t, const struct tmpl_visitor *v)
{
	const char *tag;
	const json_t *x, *e;
	size_t i;

	if (!json_is_object(t) || json_object_size(t) != 1)
		return;
	tag = json_object_iter_key(json_object_iter((json_t *)t));
	x = json_object_iter_value(json_object_iter((json_t *)t));
	if (strcmp(tag, "ref") == 0) {
		if (v->ref)
			v->ref(v->ctx, x);
	} else if (strcmp(tag, "bundled") == 0) {
		if (v->bundled && json_is_string(x))
			v->bundled(v->ctx, json_string_value(x));
	} else if (strcmp(tag, "cat") == 0) {
		json_array_foreach(x, i, e)
			if (json_is_object(e) && v->ref)
				v->ref(v->ctx, e);
	} else if (strcmp(tag, "obj") == 0) {
		const char *k;

		json_object_foreach((json_t *)x, k, e)
			tmpl_visit(e, v);
	} else if (strcmp(tag, "arr") == 0) {
		json_array_foreach(x, i, e)
			tmpl_visit(e, v);
	}
}

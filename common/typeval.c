/* typeval.c: whether a JSON value has a type, naming the path of the first
 * value that does not. The runtime's check of parameters and results. */
#include <string.h>

#include "type.h"

/* the file_type_string values a file representation may carry: ours and
 * lume-services' serializer names */
static int known_file_type(const char *s, enum type_format want)
{
	static const struct {
		const char *name;        /* as written */
		enum type_format format; /* what it means */
	} names[] = {
		{"text", FORMAT_TEXT}, {"json", FORMAT_JSON}, {"yaml", FORMAT_YAML}, {"bytes", FORMAT_BYTES},
		{"lume_services.files.file:File[TextSerializer]", FORMAT_TEXT},
		{"lume_services.files.file:File[JSONSerializer]", FORMAT_JSON},
		{"lume_services.files.file:File[YAMLSerializer]", FORMAT_YAML},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (strcmp(s, names[i].name) == 0)
			return want == FORMAT_ANY || want == names[i].format;
	return 0;
}

static const char *json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "a list";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "a value";
}

static int fail(struct buf *why, const char *path, const struct type *t, const json_t *v)
{
	buf_printf(why, "%s: expected %s, got %s", path, type_str(t), json_kind(v));
	return 0;
}

static int string_member(const json_t *o, const char *key)
{
	return json_is_string(json_object_get(o, key));
}

static int check(const struct type *t, const json_t *v, struct buf *path, struct buf *why);

/* check_step: v against t, the path one step longer (".key", or "[index]"
 * when key is NULL) while it is checked */
static int check_step(const struct type *t, const json_t *v, struct buf *path, struct buf *why,
		      const char *key, size_t index)
{
	size_t len = path->len;
	int ok;

	if (key)
		buf_printf(path, ".%s", key);
	else
		buf_printf(path, "[%zu]", index);
	ok = check(t, v, path, why);
	path->len = len;
	path->data[len] = '\0';
	return ok;
}

static int check(const struct type *t, const json_t *v, struct buf *path, struct buf *why)
{
	const char *key;
	json_t *kid;
	size_t i;

	switch (t->kind) {
	case TYPE_ANY:
		return 1;
	case TYPE_NEVER:
	case TYPE_NAME:
		return fail(why, path->data, t, v);
	case TYPE_NULL:
		return json_is_null(v) ? 1 : fail(why, path->data, t, v);
	case TYPE_BOOL:
		return json_is_boolean(v) ? 1 : fail(why, path->data, t, v);
	case TYPE_INT:
		return json_is_integer(v) ? 1 : fail(why, path->data, t, v);
	case TYPE_FLOAT:
	case TYPE_NUMBER:
		return json_is_number(v) ? 1 : fail(why, path->data, t, v);
	case TYPE_STRING:
		return json_is_string(v) ? 1 : fail(why, path->data, t, v);
	case TYPE_OPTIONAL:
		/* a scalar that is neither null nor the inner type is named by the
		 * optional type; a deeper mismatch by its own place */
		{
			struct buf inner = {0};

			if (json_is_null(v) || check(t->elem, v, path, &inner)) {
				buf_free(&inner);
				return 1;
			}
			if (!json_is_object(v) && !json_is_array(v))
				fail(why, path->data, t, v);
			else
				buf_puts(why, inner.data);
			buf_free(&inner);
			return 0;
		}
	case TYPE_LIST:
		if (!json_is_array(v))
			return fail(why, path->data, t, v);
		json_array_foreach(v, i, kid)
			if (!check_step(t->elem, kid, path, why, NULL, i))
				return 0;
		return 1;
	case TYPE_DICT:
		if (!json_is_object(v))
			return fail(why, path->data, t, v);
		json_object_foreach((json_t *)v, key, kid)
			if (!check_step(t->elem, kid, path, why, key, 0))
				return 0;
		return 1;
	case TYPE_RECORD:
		if (!json_is_object(v))
			return fail(why, path->data, t, v);
		for (i = 0; i < t->nfields; i++) {
			const struct type_field *f = &t->fields[i];

			kid = json_object_get(v, f->name);
			if (!kid && !f->optional) {
				buf_printf(why, "%s.%s: missing (expected %s)", path->data, f->name,
					   type_str(f->type));
				return 0;
			}
			if (kid && !check_step(f->type, kid, path, why, f->name, 0))
				return 0;
		}
		return 1;
	case TYPE_FILE:
		if (!json_is_object(v) || !string_member(v, "filename") ||
		    !string_member(v, "filesystem_identifier") || !string_member(v, "file_type_string"))
			return fail(why, path->data, t, v);
		if (!known_file_type(json_string_value(json_object_get(v, "file_type_string")), t->format)) {
			buf_printf(why, "%s.file_type_string: '%.60s' is not a %s file", path->data,
				   json_string_value(json_object_get(v, "file_type_string")),
				   type_format_name(t->format));
			return 0;
		}
		return 1;
	case TYPE_DB:
		if (!json_is_object(v) || !string_member(v, "project_name") ||
		    !string_member(v, "result_type_string") ||
		    !string_member(json_object_get(v, "query"), "unique_hash"))
			return fail(why, path->data, t, v);
		return 1;
	}
	return 0;
}

int type_check_value(const struct type *t, const json_t *v, const char *base, struct buf *why)
{
	struct buf path = {0};
	int ok;

	buf_puts(&path, base);
	ok = check(t, v, &path, why);
	buf_free(&path);
	return ok;
}

/* builtins.c: the built-in tasks, run inside flowrun: files saved and
 * loaded with the text, json, yaml and bytes serializers, results saved to
 * and loaded from the store. Nothing of the scheduler. */
#include "builtins.h"

#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "base64.h"
#include "json_text.h"
#include "tmpl.h"

static const char *file_type_of(const char *s)
{
	static const char *const aliases[][2] = {
		{"lume_services.files.file:File[TextSerializer]", "text"},
		{"lume_services.files.file:File[JSONSerializer]", "json"},
		{"lume_services.files.file:File[YAMLSerializer]", "yaml"},
	};
	size_t i;

	if (!s)
		return NULL;
	if (!strcmp(s, "text") || !strcmp(s, "json") || !strcmp(s, "yaml") || !strcmp(s, "bytes"))
		return s;
	for (i = 0; i < 3; i++)
		if (strcmp(s, aliases[i][0]) == 0)
			return aliases[i][1];
	return NULL;
}

/* read_limited: what fd (a regular file) holds, at most max bytes; -1
 * with why naming filename and the limit l when it holds more */
static int read_limited(int fd, size_t max, const struct limits *l, const char *filename,
			struct buf *out, struct buf *why)
{
	char chunk[65536];
	struct stat st;
	ssize_t got;

	if (fstat(fd, &st) == 0 && (unsigned long long)st.st_size > max)
		goto too_big;
	while ((got = read(fd, chunk, sizeof(chunk))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			buf_printf(why, "cannot read %s: %s", filename, strerror(errno));
			return -1;
		}
		if (out->len + (size_t)got > max)
			goto too_big;
		buf_add(out, chunk, (size_t)got);
	}
	return 0;
too_big:
	limits_too_big(l, filename, why);
	return -1;
}

/* ---- YAML input: libyaml events to JSON, core-schema scalars ---- */

static json_t *yaml_scalar(const yaml_event_t *ev)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	json_t *v;
	char *end;

	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return json_stringn(s, len);
	if (!strcmp(s, "") || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	    !strcmp(s, "NULL"))
		return json_null();
	if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
		return json_true();
	if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
		return json_false();
	if (len && strspn(s + (s[0] == '-' || s[0] == '+'), "0123456789") ==
			   len - (s[0] == '-' || s[0] == '+') && len > (size_t)(s[0] == '-' || s[0] == '+')) {
		errno = 0;
		v = json_integer(strtoll(s, &end, 10));
		if (errno != ERANGE)
			return v;
		json_decref(v);
	}
	if (len && strspn(s, "+-.0123456789eE") == len && strpbrk(s, "0123456789")) {
		double d = strtod(s, &end);

		/* a number beyond a double stays the text it is */
		if (*end == '\0' && isfinite(d))
			return json_real(d);
	}
	return json_stringn(s, len);
}

/* An open collection while YAML is read. */
struct yframe {
	json_t *v;    /* the array or object */
	json_t *key;  /* objects: the key waiting for its value, or NULL */
};

/* yaml_add: a complete value into the open collection, or as the root */
static void yaml_add(struct yframe *stack, size_t depth, json_t **root, json_t *v)
{
	struct yframe *top;
	char *k;

	if (!depth) {
		if (!*root)
			*root = v;
		else
			json_decref(v); /* only the first document counts */
		return;
	}
	top = &stack[depth - 1];
	if (json_is_array(top->v)) {
		json_array_append_new(top->v, v);
	} else if (!top->key) {
		top->key = v;
	} else {
		k = tmpl_json_text(top->key);
		json_object_set_new(top->v, k, v);
		free(k);
		json_decref(top->key);
		top->key = NULL;
	}
}

/* yaml_to_json: the first document of text as JSON, nesting at most
 * max_depth deep (reading stops at the first level too deep); NULL with
 * why */
static json_t *yaml_to_json(const char *text, size_t len, int max_depth, struct buf *why)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct yframe *stack = NULL;
	json_t *root = NULL;
	size_t depth = 0, cap = 0;
	int done = 0;

	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			buf_printf(why, "YAML error at line %zu: %s", parser.problem_mark.line + 1,
				   parser.problem ? parser.problem : "syntax error");
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_END_EVENT:
			done = root != NULL;
			break;
		case YAML_SCALAR_EVENT:
			if (memchr(ev.data.scalar.value, '\0', ev.data.scalar.length)) {
				buf_printf(why, "YAML at line %zu holds a NUL character (U+0000), which "
					   "flowrun does not carry", ev.start_mark.line + 1);
				done = 1;
				break;
			}
			yaml_add(stack, depth, &root, yaml_scalar(&ev));
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (depth + 1 > (size_t)max_depth) {
				buf_printf(why, "YAML at line %zu nests deeper than %d levels (--max-depth)",
					   ev.start_mark.line + 1, max_depth);
				done = 1;
				break;
			}
			util_grow(&stack, &cap, depth + 1, sizeof(*stack));
			stack[depth].v = ev.type == YAML_SEQUENCE_START_EVENT ? json_array() : json_object();
			stack[depth++].key = NULL;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			json_decref(stack[depth].key);
			yaml_add(stack, depth, &root, stack[depth].v);
			break;
		case YAML_ALIAS_EVENT:
			buf_puts(why, "YAML aliases are not supported");
			done = 1;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	while (depth) {
		depth--;
		json_decref(stack[depth].v);
		json_decref(stack[depth].key);
	}
	free(stack);
	if (why->len) {
		json_decref(root);
		return NULL;
	}
	return root ? root : json_null();
}

/* ---- YAML output: JSON values through libyaml's emitter ---- */

/* not JSON text: YAML 1.1, which libyaml reads, is no superset of JSON
 * (control characters such as U+007F or U+0085 in a JSON string, or a key
 * longer than 1024 characters, are not YAML 1.1), and the emitter escapes
 * and lays out whatever it writes so that libyaml reads it back. Strings
 * are double-quoted, so that "3" or "true" stay strings; floats always
 * carry a '.' or an exponent, so that 1.0 stays a float. */

static int by_text(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int emit(yaml_emitter_t *em, yaml_event_t *ev)
{
	return yaml_emitter_emit(em, ev) ? 0 : -1;
}

static int emit_scalar(yaml_emitter_t *em, const char *text, size_t len, int quoted)
{
	yaml_event_t ev;

	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text, (int)len, !quoted, quoted,
				     quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_PLAIN_SCALAR_STYLE);
	return emit(em, &ev);
}

static int emit_value(yaml_emitter_t *em, const json_t *v)
{
	yaml_event_t ev;
	char num[64];

	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *key;
		const json_t *item;
		size_t klen;
		void *it;
		/* sorted keys, as the json serializer writes them */
		const char **keys = xcalloc(json_object_size(v) + 1, sizeof(*keys));
		size_t n = 0, i;
		int rc = 0;

		for (it = json_object_iter((json_t *)v); it; it = json_object_iter_next((json_t *)v, it))
			keys[n++] = json_object_iter_key(it);
		qsort(keys, n, sizeof(*keys), by_text);
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
		rc = emit(em, &ev);
		for (i = 0; i < n && rc == 0; i++) {
			key = keys[i];
			it = json_object_key_to_iter(key);
			klen = json_object_iter_key_len(it);
			item = json_object_iter_value(it);
			rc = emit_scalar(em, key, klen, 1);
			if (rc == 0)
				rc = emit_value(em, item);
		}
		free(keys);
		if (rc != 0)
			return rc;
		yaml_mapping_end_event_initialize(&ev);
		return emit(em, &ev);
	}
	case JSON_ARRAY: {
		const json_t *item;
		size_t i;

		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
		if (emit(em, &ev) != 0)
			return -1;
		json_array_foreach(v, i, item)
			if (emit_value(em, item) != 0)
				return -1;
		yaml_sequence_end_event_initialize(&ev);
		return emit(em, &ev);
	}
	case JSON_STRING:
		return emit_scalar(em, json_string_value(v), json_string_length(v), 1);
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return emit_scalar(em, num, strlen(num), 0);
	case JSON_REAL:
		snprintf(num, sizeof(num), "%.17g", json_real_value(v));
		if (!strpbrk(num, ".eE"))
			strcat(num, ".0");
		return emit_scalar(em, num, strlen(num), 0);
	case JSON_TRUE:
		return emit_scalar(em, "true", 4, 0);
	case JSON_FALSE:
		return emit_scalar(em, "false", 5, 0);
	default:
		return emit_scalar(em, "null", 4, 0);
	}
}

static int yaml_out(void *data, unsigned char *text, size_t len)
{
	buf_add(data, (const char *)text, len);
	return 1;
}

/* json_to_yaml: v as one YAML document appended to out; 0, or -1 */
static int json_to_yaml(const json_t *v, struct buf *out)
{
	yaml_emitter_t em;
	yaml_event_t ev;
	int rc;

	yaml_emitter_initialize(&em);
	yaml_emitter_set_output(&em, yaml_out, out);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_width(&em, -1);
	yaml_emitter_set_indent(&em, 2);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	rc = emit(&em, &ev);
	if (rc == 0) {
		yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
		rc = emit(&em, &ev);
	}
	if (rc == 0)
		rc = emit_value(&em, v);
	if (rc == 0) {
		yaml_document_end_event_initialize(&ev, 1);
		rc = emit(&em, &ev);
	}
	if (rc == 0) {
		yaml_stream_end_event_initialize(&ev);
		rc = emit(&em, &ev);
	}
	yaml_emitter_delete(&em);
	return rc;
}

/* ---- the built-ins ---- */

static json_t *save_file(const struct builtin_ctx *c, const json_t *with, struct buf *why)
{
	const json_t *obj = json_object_get(with, "obj");
	const char *type = file_type_of(json_string_value(json_object_get(with, "file_type")));
	const char *filename = json_string_value(json_object_get(with, "filename"));
	const char *fsname = json_string_value(json_object_get(with, "filesystem_identifier"));
	int create = !json_is_false(json_object_get(with, "create_dir"));
	struct buf data = {0};
	char *text = NULL;
	json_t *rep = NULL;

	if (!obj || !type || !filename || !fsname) {
		buf_puts(why, "save_file needs obj, file_type (text, json, yaml or bytes), filename "
			      "and filesystem_identifier");
		return NULL;
	}
	if ((!strcmp(type, "text") || !strcmp(type, "bytes")) && !json_is_string(obj)) {
		buf_printf(why, "save_file with file_type %s needs a string obj", type);
		return NULL;
	}
	if (!strcmp(type, "text")) {
		buf_add(&data, json_string_value(obj), json_string_length(obj));
	} else if (!strcmp(type, "bytes")) {
		if (base64_decode(&data, json_string_value(obj)) < 0)
			buf_puts(why, "save_file with file_type bytes needs obj in base64");
	} else if (!strcmp(type, "json")) {
		text = json_text(obj, JSON_INDENT(2) | JSON_ENCODE_ANY | JSON_SORT_KEYS);
		buf_puts(&data, text);
		buf_putc(&data, '\n');
	} else if (json_to_yaml(obj, &data) != 0) {
		buf_puts(why, "save_file cannot write this value as YAML");
	}
	if (!why->len &&
	    files_write(c->files, fsname, filename, create, data.data ? data.data : "", data.len,
			why) == 0)
		rep = json_pack("{s:s,s:s,s:s}", "filename", filename, "file_type_string", type,
				"filesystem_identifier", fsname);
	free(text);
	buf_free(&data);
	return rep;
}

static json_t *load_file(const struct builtin_ctx *c, const json_t *with, struct buf *why)
{
	const json_t *rep = json_object_get(with, "file");
	const char *type = file_type_of(json_string_value(json_object_get(rep, "file_type_string")));
	const char *filename = json_string_value(json_object_get(rep, "filename"));
	const char *fsname = json_string_value(json_object_get(rep, "filesystem_identifier"));
	struct buf data = {0};
	json_t *v = NULL;
	size_t max = c->limits->result;
	int fd;

	if (!type || !filename || !fsname) {
		buf_puts(why, "load_file needs a file representation {filename, file_type_string, "
			      "filesystem_identifier}");
		return NULL;
	}
	fd = files_open(c->files, fsname, filename, why);
	if (fd < 0)
		return NULL;
	/* bytes: the result is the base64 text, 4 bytes for every 3 */
	if (read_limited(fd, !strcmp(type, "bytes") ? max / 4 * 3 : max, c->limits, filename, &data,
			 why) < 0) {
		close(fd);
		buf_free(&data);
		return NULL;
	}
	close(fd);
	if (!strcmp(type, "text")) {
		if (data.len && memchr(data.data, '\0', data.len))
			buf_printf(why, "%s holds a NUL character (U+0000), which flowrun does not "
				   "carry in text (load it as bytes)", filename);
		else if ((v = json_stringn(data.data ? data.data : "", data.len)) == NULL)
			buf_printf(why, "%s is not UTF-8 text", filename);
	} else if (!strcmp(type, "bytes")) {
		struct buf enc = {0};

		base64_encode(&enc, (const unsigned char *)(data.data ? data.data : ""), data.len);
		v = json_string(enc.data ? enc.data : "");
		buf_free(&enc);
	} else if (!strcmp(type, "json")) {
		json_error_t err;

		v = json_loadb(data.data ? data.data : "", data.len, JSON_DECODE_ANY, &err);
		if (!v)
			limits_not_json(c->limits, filename, &err, why);
	} else {
		v = yaml_to_json(data.data ? data.data : "", data.len, c->limits->depth, why);
	}
	buf_free(&data);
	return v;
}

static json_t *save_db(const struct builtin_ctx *c, const json_t *with, struct buf *why)
{
	const json_t *result = json_object_get(with, "result");
	const char *type = json_string_value(json_object_get(with, "result_type"));

	if (!json_is_object(result)) {
		buf_puts(why, "save_db_result needs a result object such as {inputs, outputs}");
		return NULL;
	}
	return store_save(c->store, result, type ? type : "generic", c->flow_name, c->project_name,
			  c->run_id, why);
}

static json_t *load_db(const struct builtin_ctx *c, const json_t *with, struct buf *why)
{
	const json_t *index = json_object_get(with, "attribute_index");
	json_t *doc = store_load(c->store, json_object_get(with, "result_rep"), why), *v;

	if (!doc)
		return NULL;
	if (!index)
		return doc;
	v = tmpl_walk(doc, index, why);
	if (v)
		json_incref(v);
	json_decref(doc);
	return v;
}

json_t *builtin_run(const struct builtin_ctx *c, const char *name, const json_t *with,
		    struct buf *why)
{
	if (!strcmp(name, "save_file"))
		return save_file(c, with, why);
	if (!strcmp(name, "load_file"))
		return load_file(c, with, why);
	if (!strcmp(name, "save_db_result"))
		return save_db(c, with, why);
	if (!strcmp(name, "load_db_result"))
		return load_db(c, with, why);
	buf_printf(why, "unknown built-in '%s'", name);
	return NULL;
}

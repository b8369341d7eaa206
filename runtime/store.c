/* store.c: the results database: documents built and hashed as docs/run.md
 * says, saved and loaded through one of two implementations (SQLite by
 * default, PostgreSQL for a URL). It knows nothing of tasks or flows
 * beyond the document's fields. */
#include "store.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "json_text.h"
#include "sha256.h"
#include "store_impl.h"

struct store {
	const struct store_ops *ops; /* the implementation */
	void *impl;                  /* its state */
};

static int is_pg_url(const char *url)
{
	return strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0;
}

/* conninfo_key: the length of the keyword of a libpq "keyword = value"
 * that starts at s (spaces before it skipped), 0 when there is none;
 * *value is set past the '=' and the spaces after it */
static size_t conninfo_key(const char *s, const char **value)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz_");
	const char *p = s + n + strspn(s + n, " \t");

	if (!n || *p != '=')
		return 0;
	*value = p + 1 + strspn(p + 1, " \t");
	return n;
}

/* conninfo_value_end: past a value (quoted with '...' and \ escapes, or up
 * to the next space) */
static const char *conninfo_value_end(const char *v)
{
	if (*v != '\'')
		return v + strcspn(v, " \t");
	for (v++; *v && *v != '\''; v++)
		if (*v == '\\' && v[1])
			v++;
	return *v ? v + 1 : v;
}

/* is_conninfo: url is a libpq key=value string: its first keyword is one
 * libpq takes (a file name with '=' in it stays a file name otherwise) */
static int is_conninfo(const char *url)
{
	static const char *const keywords[] = {
		"host", "hostaddr", "port", "dbname", "user", "password", "passfile", "service",
		"connect_timeout", "sslmode", "application_name", "options", "client_encoding",
	};
	const char *s = url + strspn(url, " \t"), *value;
	size_t n = conninfo_key(s, &value), i;

	for (i = 0; n && i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (strlen(keywords[i]) == n && strncmp(s, keywords[i], n) == 0)
			return 1;
	return 0;
}

static int is_pg(const char *url)
{
	return is_pg_url(url) || is_conninfo(url);
}

char *store_url_public(const char *url)
{
	struct buf b = {0};
	const char *s, *value, *end;

	if (is_pg_url(url)) {
		const char *auth = strstr(url, "://") + 3, *at = NULL, *colon, *q;
		size_t alen = strcspn(auth, "/?");

		for (q = auth; q < auth + alen; q++)
			if (*q == '@')
				at = q;
		colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
		if (colon)
			buf_add(&b, url, (size_t)(colon - url));
		buf_add(&b, colon ? at : url, strcspn(colon ? at : url, "?"));
		q = strchr(url, '?');
		while (q) {
			const char *next = strchr(q + 1, '&');
			size_t len = next ? (size_t)(next - q) : strlen(q);

			if (strncmp(q + 1, "password=", 9) != 0) {
				buf_putc(&b, strchr(b.data, '?') ? '&' : '?');
				buf_add(&b, q + 1, len - 1);
			}
			q = next;
		}
		return buf_steal(&b);
	}
	if (!is_conninfo(url))
		return xstrdup(url);
	for (s = url + strspn(url, " \t"); *s; s = end + strspn(end, " \t")) {
		size_t n = conninfo_key(s, &value);

		if (!n) {
			/* not libpq's either, which refuses it before it is kept */
			buf_free(&b);
			return xstrdup(url);
		}
		end = conninfo_value_end(value);
		if (n == 8 && strncmp(s, "password", 8) == 0)
			continue;
		if (b.len)
			buf_putc(&b, ' ');
		buf_add(&b, s, (size_t)(end - s));
	}
	return b.data ? buf_steal(&b) : xstrdup("");
}

int store_exists(const char *url)
{
	return is_pg(url) || access(strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url, F_OK) == 0;
}

struct store *store_open(const char *url, struct buf *why)
{
	struct store *s = xcalloc(1, sizeof(*s));

	if (is_pg(url)) {
		s->ops = &store_pg_ops;
		s->impl = store_pg_open(url, why);
	} else {
		s->ops = &store_sqlite_ops;
		s->impl = store_sqlite_open(strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url, why);
	}
	if (!s->impl) {
		free(s);
		return NULL;
	}
	return s;
}

/* hash_of: "sha256:" and the SHA-256 of {inputs, outputs, flow_name,
 * project_name} as canonical JSON (sorted keys, no spaces) */
static char *hash_of(json_t *inputs, json_t *outputs, const char *flow, const char *project)
{
	json_t *key = json_pack("{s:O,s:O,s:s,s:s}", "inputs", inputs, "outputs", outputs,
				"flow_name", flow, "project_name", project);
	char *text = json_text(key, JSON_COMPACT | JSON_SORT_KEYS);
	char *hash = xmalloc(72);

	memcpy(hash, "sha256:", 7);
	sha256_hex(text, strlen(text), hash + 7);
	free(text);
	json_decref(key);
	return hash;
}

json_t *store_save(struct store *s, const json_t *result, const char *result_type,
		   const char *flow_name, const char *project_name, const char *run_id,
		   struct buf *why)
{
	json_t *inputs = json_object_get(result, "inputs"), *outputs = json_object_get(result, "outputs");
	struct store_row row;
	json_t *doc, *rep = NULL;
	char *hash, *text, date[32];
	time_t now = time(NULL);
	struct tm tm;

	inputs = inputs ? json_incref(inputs) : json_null();
	outputs = outputs ? json_incref(outputs) : json_null();
	hash = hash_of(inputs, outputs, flow_name, project_name);
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	doc = json_pack("{s:o,s:o,s:s,s:s,s:s,s:s,s:s,s:s}", "inputs", inputs, "outputs", outputs,
			"flow_name", flow_name, "project_name", project_name, "run_id", run_id,
			"result_type_string", result_type, "date_modified", date, "unique_hash", hash);
	text = json_text(doc, JSON_COMPACT | JSON_SORT_KEYS);
	row.unique_hash = hash;
	row.project_name = project_name;
	row.flow_name = flow_name;
	row.result_type = result_type;
	row.date_modified = date;
	row.document = text;
	if (s->ops->insert(s->impl, &row, why) == 0)
		rep = json_pack("{s:s,s:s,s:{s:s}}", "project_name", project_name, "result_type_string",
				result_type, "query", "unique_hash", hash);
	free(text);
	free(hash);
	json_decref(doc);
	return rep;
}

json_t *store_load(struct store *s, const json_t *rep, struct buf *why)
{
	const char *hash = json_string_value(json_object_get(json_object_get(rep, "query"), "unique_hash"));
	json_t *doc;
	char *text;

	if (!hash) {
		buf_puts(why, "the representation has no query.unique_hash");
		return NULL;
	}
	text = s->ops->load(s->impl, hash, why);
	if (!text) {
		if (!why->len)
			buf_printf(why, "no document with unique_hash %s in the results store", hash);
		return NULL;
	}
	doc = json_loads(text, 0, NULL);
	if (!doc)
		buf_printf(why, "the stored document of %s is not JSON", hash);
	free(text);
	return doc;
}

json_t *store_list(struct store *s, const char *project, const char *flow, struct buf *why)
{
	json_t *out = json_array();

	if (s->ops->list(s->impl, project, flow, out, why) < 0) {
		json_decref(out);
		return NULL;
	}
	return out;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	s->ops->close(s->impl);
	free(s);
}

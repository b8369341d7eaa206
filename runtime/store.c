/* store.c: the results database on SQLite: documents saved under their
 * unique hash (a unique key, so a second save stores nothing) and loaded
 * back. It knows nothing of tasks or flows beyond the document's fields. */
#include "store.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "sha256.h"

struct store {
	sqlite3 *db;       /* the open database */
	char *path;        /* its file, for messages */
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS results ("
	" unique_hash TEXT PRIMARY KEY,"
	" project_name TEXT NOT NULL,"
	" flow_name TEXT NOT NULL,"
	" result_type_string TEXT NOT NULL,"
	" date_modified TEXT NOT NULL,"
	" document TEXT NOT NULL)";

/* make_parents: the directories leading to path */
static void make_parents(const char *path)
{
	char *copy = xstrdup(path), *p;

	for (p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(copy, 0755);
		*p = '/';
	}
	free(copy);
}

struct store *store_open(const char *url, struct buf *why)
{
	struct store *s;
	const char *path = url;

	if (strncmp(url, "sqlite:", 7) == 0)
		path = url + 7;
	if (strncmp(url, "postgresql:", 11) == 0 || strncmp(url, "postgres:", 9) == 0) {
		buf_puts(why, "PostgreSQL stores are not supported yet; use a path for SQLite");
		return NULL;
	}
	make_parents(path);
	s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(path);
	if (sqlite3_open(path, &s->db) != SQLITE_OK ||
	    sqlite3_busy_timeout(s->db, 30000) != SQLITE_OK ||
	    sqlite3_exec(s->db, schema, NULL, NULL, NULL) != SQLITE_OK) {
		buf_printf(why, "results store %s: %s", path, sqlite3_errmsg(s->db));
		store_close(s);
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
	char *text = json_dumps(key, JSON_COMPACT | JSON_SORT_KEYS);
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
	json_t *doc, *rep;
	char *hash, *text, date[32];
	sqlite3_stmt *st = NULL;
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	if (!inputs)
		inputs = json_null();
	else
		json_incref(inputs);
	if (!outputs)
		outputs = json_null();
	else
		json_incref(outputs);
	hash = hash_of(inputs, outputs, flow_name, project_name);
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	doc = json_pack("{s:o,s:o,s:s,s:s,s:s,s:s,s:s,s:s}", "inputs", inputs, "outputs", outputs,
			"flow_name", flow_name, "project_name", project_name, "run_id", run_id,
			"result_type_string", result_type, "date_modified", date, "unique_hash", hash);
	text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	rc = sqlite3_prepare_v2(s->db,
				"INSERT INTO results (unique_hash, project_name, flow_name, "
				"result_type_string, date_modified, document) VALUES (?, ?, ?, ?, ?, ?) "
				"ON CONFLICT (unique_hash) DO NOTHING", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, project_name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, flow_name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, result_type, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, date, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, text, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	rep = NULL;
	if (rc != SQLITE_DONE)
		buf_printf(why, "results store %s: %s", s->path, sqlite3_errmsg(s->db));
	else
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
	sqlite3_stmt *st = NULL;
	json_t *doc = NULL;
	int rc;

	if (!hash) {
		buf_puts(why, "the representation has no query.unique_hash");
		return NULL;
	}
	rc = sqlite3_prepare_v2(s->db, "SELECT document FROM results WHERE unique_hash = ?", -1, &st,
				NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	if (rc == SQLITE_ROW)
		doc = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
	else if (rc == SQLITE_DONE)
		buf_printf(why, "no document with unique_hash %s in the results store %s", hash, s->path);
	else
		buf_printf(why, "results store %s: %s", s->path, sqlite3_errmsg(s->db));
	if (rc == SQLITE_ROW && !doc)
		buf_printf(why, "results store %s: the document of %s is not JSON", s->path, hash);
	sqlite3_finalize(st);
	return doc;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

/* store_sqlite.c: the results store in an SQLite file, the default:
 * unique_hash is the primary key, so a second save of a document stores
 * nothing. Nothing but SQL here; documents are built by store.c. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

struct sqlite_store {
	sqlite3 *db;    /* the open database */
	char *path;     /* its file, for messages */
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS results ("
	" unique_hash TEXT PRIMARY KEY,"
	" project_name TEXT NOT NULL,"
	" flow_name TEXT NOT NULL,"
	" result_type_string TEXT NOT NULL,"
	" date_modified TEXT NOT NULL,"
	" document TEXT NOT NULL)";

/* make_parents: the directories leading to the file path */
static void make_parents(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;

	if (!slash || slash == path)
		return;
	dir = xstrndup(path, (size_t)(slash - path));
	/* a failure shows when SQLite opens the file */
	util_mkdirs(dir);
	free(dir);
}

static void sqlite_close(void *impl)
{
	struct sqlite_store *s = impl;

	if (!s)
		return;
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

void *store_sqlite_open(const char *path, struct buf *why)
{
	struct sqlite_store *s = xcalloc(1, sizeof(*s));

	make_parents(path);
	s->path = xstrdup(path);
	if (sqlite3_open(path, &s->db) != SQLITE_OK ||
	    sqlite3_busy_timeout(s->db, 30000) != SQLITE_OK ||
	    sqlite3_exec(s->db, schema, NULL, NULL, NULL) != SQLITE_OK) {
		buf_printf(why, "results store %s: %s", path, sqlite3_errmsg(s->db));
		sqlite_close(s);
		return NULL;
	}
	return s;
}

static int sqlite_insert(void *impl, const struct store_row *row, struct buf *why)
{
	struct sqlite_store *s = impl;
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db,
				    "INSERT INTO results (unique_hash, project_name, flow_name, "
				    "result_type_string, date_modified, document) VALUES (?, ?, ?, ?, ?, ?) "
				    "ON CONFLICT (unique_hash) DO NOTHING", -1, &st, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, row->unique_hash, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, row->project_name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, row->flow_name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, row->result_type, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, row->date_modified, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, row->document, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		buf_printf(why, "results store %s: %s", s->path, sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

static char *sqlite_load(void *impl, const char *hash, struct buf *why)
{
	struct sqlite_store *s = impl;
	sqlite3_stmt *st = NULL;
	char *doc = NULL;
	int rc = sqlite3_prepare_v2(s->db, "SELECT document FROM results WHERE unique_hash = ?", -1,
				    &st, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	if (rc == SQLITE_ROW)
		doc = xstrdup((const char *)sqlite3_column_text(st, 0));
	else if (rc != SQLITE_DONE)
		buf_printf(why, "results store %s: %s", s->path, sqlite3_errmsg(s->db));
	sqlite3_finalize(st);
	return doc;
}

static int sqlite_list(void *impl, const char *project, const char *flow, json_t *out,
		       struct buf *why)
{
	struct sqlite_store *s = impl;
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db,
				    "SELECT document FROM results WHERE (?1 IS NULL OR project_name = ?1) "
				    "AND (?2 IS NULL OR flow_name = ?2) ORDER BY date_modified, unique_hash",
				    -1, &st, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, flow, -1, SQLITE_STATIC);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			json_t *doc = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);

			if (doc)
				json_array_append_new(out, doc);
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		buf_printf(why, "results store %s: %s", s->path, sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

const struct store_ops store_sqlite_ops = {sqlite_insert, sqlite_load, sqlite_list, sqlite_close};

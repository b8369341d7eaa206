/* store_pg.c: the results store on a PostgreSQL server, for results that
 * cluster nodes share: documents as jsonb, unique_hash the primary key,
 * INSERT ... ON CONFLICT so concurrent saves store one row. Nothing but SQL
 * and connections here; documents are built by store.c. */
#include <dlfcn.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

/* libpq is loaded when a PostgreSQL store is first opened, not linked:
 * every other use of flowrun (a run on SQLite, each Slurm job body, status)
 * then starts without loading it and the twenty libraries it needs */
#define LIBPQ "libpq.so.5"

static struct {
	void *lib;
	void (*clear)(PGresult *);
	PGconn *(*connectdb)(const char *);
	void (*conninfo_free)(PQconninfoOption *);
	PQconninfoOption *(*conninfo_parse)(const char *, char **);
	char *(*error_message)(const PGconn *);
	PGresult *(*exec_params)(PGconn *, const char *, int, const Oid *, const char *const *,
				 const int *, const int *, int);
	void (*finish)(PGconn *);
	void (*freemem)(void *);
	char *(*getvalue)(const PGresult *, int, int);
	int (*ntuples)(const PGresult *);
	void (*reset)(PGconn *);
	char *(*result_error_message)(const PGresult *);
	ExecStatusType (*result_status)(const PGresult *);
	PQnoticeProcessor (*set_notice_processor)(PGconn *, PQnoticeProcessor, void *);
	ConnStatusType (*status)(const PGconn *);
} pq;

#define PQclear pq.clear
#define PQconnectdb pq.connectdb
#define PQconninfoFree pq.conninfo_free
#define PQconninfoParse pq.conninfo_parse
#define PQerrorMessage pq.error_message
#define PQexecParams pq.exec_params
#define PQfinish pq.finish
#define PQfreemem pq.freemem
#define PQgetvalue pq.getvalue
#define PQntuples pq.ntuples
#define PQreset pq.reset
#define PQresultErrorMessage pq.result_error_message
#define PQresultStatus pq.result_status
#define PQsetNoticeProcessor pq.set_notice_processor
#define PQstatus pq.status

/* load_libpq: 0, or -1 with why */
static int load_libpq(struct buf *why)
{
	static const struct {
		const char *name;
		void **slot;
	} syms[] = {
		{"PQclear", (void **)&pq.clear},
		{"PQconnectdb", (void **)&pq.connectdb},
		{"PQconninfoFree", (void **)&pq.conninfo_free},
		{"PQconninfoParse", (void **)&pq.conninfo_parse},
		{"PQerrorMessage", (void **)&pq.error_message},
		{"PQexecParams", (void **)&pq.exec_params},
		{"PQfinish", (void **)&pq.finish},
		{"PQfreemem", (void **)&pq.freemem},
		{"PQgetvalue", (void **)&pq.getvalue},
		{"PQntuples", (void **)&pq.ntuples},
		{"PQreset", (void **)&pq.reset},
		{"PQresultErrorMessage", (void **)&pq.result_error_message},
		{"PQresultStatus", (void **)&pq.result_status},
		{"PQsetNoticeProcessor", (void **)&pq.set_notice_processor},
		{"PQstatus", (void **)&pq.status},
	};
	size_t i;

	if (pq.lib)
		return 0;
	pq.lib = dlopen(LIBPQ, RTLD_NOW | RTLD_LOCAL);
	if (!pq.lib) {
		buf_printf(why, "results store: a PostgreSQL store needs %s (Debian's libpq5): %s",
			   LIBPQ, dlerror());
		return -1;
	}
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		*syms[i].slot = dlsym(pq.lib, syms[i].name);
		if (!*syms[i].slot) {
			buf_printf(why, "results store: %s has no %s", LIBPQ, syms[i].name);
			dlclose(pq.lib);
			pq.lib = NULL;
			return -1;
		}
	}
	return 0;
}

struct pg_store {
	PGconn *conn;   /* the connection */
	char *url;      /* as given, used to connect again */
	char *where;    /* postgresql://user@host:port/db, without any password */
};

/* describe: the URL's user, host, port and database, never its password */
static char *describe(const char *url)
{
	PQconninfoOption *opts = PQconninfoParse(url, NULL), *o;
	const char *user = NULL, *host = NULL, *port = NULL, *db = NULL;
	struct buf b = {0};

	for (o = opts; o && o->keyword; o++) {
		if (!o->val)
			continue;
		if (!strcmp(o->keyword, "user"))
			user = o->val;
		else if (!strcmp(o->keyword, "host"))
			host = o->val;
		else if (!strcmp(o->keyword, "port"))
			port = o->val;
		else if (!strcmp(o->keyword, "dbname"))
			db = o->val;
	}
	buf_printf(&b, "postgresql://%s%s%s%s%s/%s", user ? user : "", user ? "@" : "",
		   host ? host : "localhost", port ? ":" : "", port ? port : "", db ? db : "");
	PQconninfoFree(opts);
	return buf_steal(&b);
}

/* first_line: libpq's message without its trailing newline and detail lines */
static void error_of(struct buf *why, const struct pg_store *s, const char *msg)
{
	size_t n = strcspn(msg, "\n");

	buf_printf(why, "results store %s: %.*s", s->where, (int)n, msg);
}

/* alive: the connection, made again once when the server went away */
static int alive(struct pg_store *s, struct buf *why)
{
	if (PQstatus(s->conn) == CONNECTION_OK)
		return 1;
	PQreset(s->conn);
	if (PQstatus(s->conn) == CONNECTION_OK)
		return 1;
	error_of(why, s, PQerrorMessage(s->conn));
	return 0;
}

/* exec: runs a statement with text parameters; the result, or NULL with why */
static PGresult *exec(struct pg_store *s, const char *sql, int n, const char *const *params,
		      struct buf *why)
{
	PGresult *res;
	int attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		ExecStatusType st;

		if (!alive(s, why))
			return NULL;
		res = PQexecParams(s->conn, sql, n, NULL, params, NULL, NULL, 0);
		st = PQresultStatus(res);
		if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
			return res;
		/* a server that went away between statements: one more try */
		if (PQstatus(s->conn) != CONNECTION_OK && attempt == 0) {
			PQclear(res);
			continue;
		}
		error_of(why, s, PQresultErrorMessage(res));
		PQclear(res);
		return NULL;
	}
	return NULL;
}

/* quiet: the server's notices ("already exists, skipping") are not news */
static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static void pg_close(void *impl)
{
	struct pg_store *s = impl;

	if (!s)
		return;
	PQfinish(s->conn);
	free(s->url);
	free(s->where);
	free(s);
}

void *store_pg_open(const char *url, struct buf *why)
{
	static const char *const schema[] = {
		"BEGIN",
		/* two processes creating the table at once would collide: one at a time */
		"SELECT pg_advisory_xact_lock(7263541)",
		"CREATE TABLE IF NOT EXISTS flowrun_results ("
		" unique_hash text PRIMARY KEY,"
		" project_name text NOT NULL,"
		" flow_name text NOT NULL,"
		" result_type_string text NOT NULL,"
		" date_modified text NOT NULL,"
		" document jsonb NOT NULL)",
		"CREATE INDEX IF NOT EXISTS flowrun_results_by_flow "
		"ON flowrun_results (project_name, flow_name)",
		"COMMIT",
	};
	struct pg_store *s;
	char *err = NULL;
	PQconninfoOption *opts;
	size_t i;

	if (load_libpq(why) != 0)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	opts = PQconninfoParse(url, &err);
	if (!opts) {
		buf_printf(why, "results store: not a PostgreSQL URL: %s", err ? err : "");
		PQfreemem(err);
		free(s);
		return NULL;
	}
	PQconninfoFree(opts);
	s->url = xstrdup(url);
	s->where = describe(url);
	s->conn = PQconnectdb(url);
	PQsetNoticeProcessor(s->conn, quiet, NULL);
	if (PQstatus(s->conn) != CONNECTION_OK) {
		error_of(why, s, PQerrorMessage(s->conn));
		pg_close(s);
		return NULL;
	}
	for (i = 0; i < sizeof(schema) / sizeof(*schema); i++) {
		PGresult *res = exec(s, schema[i], 0, NULL, why);

		if (!res) {
			pg_close(s);
			return NULL;
		}
		PQclear(res);
	}
	return s;
}

static int pg_insert(void *impl, const struct store_row *row, struct buf *why)
{
	const char *params[] = {row->unique_hash, row->project_name, row->flow_name, row->result_type,
				row->date_modified, row->document};
	PGresult *res = exec(impl,
			     "INSERT INTO flowrun_results (unique_hash, project_name, flow_name, "
			     "result_type_string, date_modified, document) "
			     "VALUES ($1, $2, $3, $4, $5, $6::jsonb) ON CONFLICT (unique_hash) DO NOTHING",
			     6, params, why);

	if (!res)
		return -1;
	PQclear(res);
	return 0;
}

static char *pg_load(void *impl, const char *hash, struct buf *why)
{
	const char *params[] = {hash};
	PGresult *res = exec(impl, "SELECT document::text FROM flowrun_results WHERE unique_hash = $1",
			     1, params, why);
	char *doc = NULL;

	if (!res)
		return NULL;
	if (PQntuples(res) == 1)
		doc = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return doc;
}

static int pg_list(void *impl, const char *project, const char *flow, json_t *out, struct buf *why)
{
	const char *params[] = {project, flow};
	PGresult *res = exec(impl,
			     "SELECT document::text FROM flowrun_results "
			     "WHERE ($1::text IS NULL OR project_name = $1) "
			     "AND ($2::text IS NULL OR flow_name = $2) ORDER BY date_modified, unique_hash",
			     2, params, why);
	int i;

	if (!res)
		return -1;
	for (i = 0; i < PQntuples(res); i++) {
		json_t *doc = json_loads(PQgetvalue(res, i, 0), 0, NULL);

		if (doc)
			json_array_append_new(out, doc);
	}
	PQclear(res);
	return 0;
}

const struct store_ops store_pg_ops = {pg_insert, pg_load, pg_list, pg_close};

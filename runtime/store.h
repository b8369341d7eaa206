/* store.h: the results database (docs/run.md, "Results store"): documents
 * saved under their unique hash and loaded back. One interface, two
 * implementations: SQLite (a path) and PostgreSQL (a postgresql:// URL). It
 * knows nothing of tasks or flows beyond the document's fields. */
#ifndef FLOWRUN_STORE_H
#define FLOWRUN_STORE_H

#include <jansson.h>

#include "util.h"

struct store;

/* store_open: the store at url (PATH or sqlite:PATH, or
 * postgresql://user@host:port/db, or a libpq key=value string such as
 * "host=H dbname=D"), its table made on first use; NULL with why (which
 * names host and database, never a password) */
struct store *store_open(const char *url, struct buf *why);
/* store_exists: a PostgreSQL URL, or an SQLite file that is there (that
 * store_open would not have to make) */
int store_exists(const char *url);
/* store_url_public: url without any password in it, to record (to free) */
char *store_url_public(const char *url);
/* store_save: saves {inputs, outputs} of result as the document of a flow
 * and returns its representation {project_name, result_type_string,
 * query: {unique_hash}}; saving the same again stores nothing new */
json_t *store_save(struct store *s, const json_t *result, const char *result_type,
		   const char *flow_name, const char *project_name, const char *run_id,
		   struct buf *why);
/* store_load: the document a representation names; NULL with why */
json_t *store_load(struct store *s, const json_t *rep, struct buf *why);
/* store_list: the documents of a project and flow (NULL: any), oldest
 * first; NULL with why */
json_t *store_list(struct store *s, const char *project, const char *flow, struct buf *why);
void store_close(struct store *s);

#endif

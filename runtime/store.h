/* store.h: the results database (DESIGN 2.6): documents saved under their
 * unique hash and loaded back. One interface; SQLite is the store here. It
 * knows nothing of tasks or flows beyond the document's fields. */
#ifndef FLOWRUN_STORE_H
#define FLOWRUN_STORE_H

#include <jansson.h>

#include "util.h"

struct store;

/* store_open: the store at url (a path, or sqlite:PATH), created on first
 * use; NULL with why */
struct store *store_open(const char *url, struct buf *why);
/* store_save: saves {inputs, outputs} of result as the document of a flow
 * and returns its representation {project_name, result_type_string,
 * query: {unique_hash}}; saving the same again stores nothing new */
json_t *store_save(struct store *s, const json_t *result, const char *result_type,
		   const char *flow_name, const char *project_name, const char *run_id,
		   struct buf *why);
/* store_load: the document a representation names; NULL with why */
json_t *store_load(struct store *s, const json_t *rep, struct buf *why);
void store_close(struct store *s);

#endif

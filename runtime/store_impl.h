/* store_impl.h: what the results store's two implementations (SQLite,
 * PostgreSQL) offer store.c. Only store*.c include it. */
#ifndef FLOWRUN_STORE_IMPL_H
#define FLOWRUN_STORE_IMPL_H

#include "store.h"

/* One stored document with the columns it is indexed by. */
struct store_row {
	const char *unique_hash;     /* primary key */
	const char *project_name;    /* for listing */
	const char *flow_name;       /* for listing */
	const char *result_type;     /* result_type_string */
	const char *date_modified;   /* ISO 8601, UTC */
	const char *document;        /* the whole document, JSON text */
};

struct store_ops {
	/* insert: stores row unless its unique_hash is stored already; 0 or -1 with why */
	int (*insert)(void *impl, const struct store_row *row, struct buf *why);
	/* load: the document text of hash (to free), NULL when absent (why empty) or on error */
	char *(*load)(void *impl, const char *hash, struct buf *why);
	/* list: appends the documents of project and flow (NULL: any) to out */
	int (*list)(void *impl, const char *project, const char *flow, json_t *out, struct buf *why);
	void (*close)(void *impl);
};

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_pg_ops;
/* the openers: the implementation's state, or NULL with why */
void *store_sqlite_open(const char *path, struct buf *why);
void *store_pg_open(const char *url, struct buf *why);

#endif

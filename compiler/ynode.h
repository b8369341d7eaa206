/* ynode.h: YAML documents as trees of nodes that remember their source
 * position, loaded with libyaml. It knows YAML, not flows. */
#ifndef FLOWC_YNODE_H
#define FLOWC_YNODE_H

#include <stddef.h>

#include "diag.h"
#include "util.h"

/* deepest nesting of mappings and sequences a file may have */
#define YN_MAX_DEPTH 512

enum yn_kind { YN_SCALAR, YN_SEQ, YN_MAP };

enum yn_style { YN_PLAIN, YN_SINGLE_QUOTED, YN_DOUBLE_QUOTED, YN_LITERAL, YN_FOLDED, YN_FLOW, YN_BLOCK };

struct ynode {
	enum yn_kind kind;     /* scalar, sequence or mapping */
	enum yn_style style;   /* how it was written: quoting for scalars, flow/block for collections */
	struct diag_loc loc;   /* where the node starts (for a quoted scalar: its opening quote) */
	int end_line;          /* 1-based line where the node ends */
	int end_col;           /* 1-based column just after the node's last character */
	const char *str;       /* scalars: the text, NUL-terminated; NULL otherwise */
	size_t len;            /* scalars: bytes of str (no NUL among them once loaded: E0006) */
	int cols_exact;        /* scalars: 1 when each character of str is one column of
				  the source (one line, plain or quoted, no escapes) */
	int repeated;          /* mapping keys: 1 when an earlier key of the same
				  mapping is equal (reported as E0002) */
	struct ynode **items;  /* sequences: n items; mappings: n pairs as key, value, key, value... */
	size_t n;              /* sequences: items; mappings: pairs */
};

/* One loaded file: its documents, all allocated in one arena. */
struct yfile {
	char *path;            /* the path as given, owned; diagnostics point at it */
	struct arena arena;    /* owns every node and string of the documents */
	struct ynode **docs;   /* roots of the non-empty documents, in file order */
	size_t ndocs;          /* number of docs */
	int failed;            /* 1 when the file had an error that voids its documents */
	int had_documents;     /* 1 when the stream held at least one document, even empty */
};

/* yn_load_file: reads and parses path. Returns 0, or -1 with errno set when
 * the file cannot be read (nothing is reported then). YAML errors are
 * reported into ds and leave f->failed set and no documents. */
int yn_load_file(struct yfile *f, const char *path, struct diags *ds);
/* yn_load_string: parses data as if it were the file name. */
void yn_load_string(struct yfile *f, const char *name, const char *data, size_t len, struct diags *ds);
void yn_free(struct yfile *f);

/* yn_key, yn_value: the i-th pair of a mapping */
static inline const struct ynode *yn_key(const struct ynode *map, size_t i)
{
	return map->items[2 * i];
}
static inline const struct ynode *yn_value(const struct ynode *map, size_t i)
{
	return map->items[2 * i + 1];
}
/* yn_get: the value of the first pair whose key is the scalar key, or NULL */
const struct ynode *yn_get(const struct ynode *map, const char *key);

/* yn_is_null: a plain scalar '', '~', 'null' (any case variant YAML allows) */
int yn_is_null(const struct ynode *n);
/* yn_bool: 1 or 0 for a plain true/false scalar, -1 otherwise */
int yn_bool(const struct ynode *n);
/* what a scalar means under YAML 1.2's core schema */
enum yn_scalar { YS_NULL, YS_BOOL, YS_INT, YS_FLOAT, YS_STRING };
/* yn_scalar: the meaning of a scalar; quoted and block scalars are strings */
enum yn_scalar yn_scalar(const struct ynode *n);
/* yn_kind_name: "a mapping", "a list", "null", "a boolean", "a number", "a string" */
const char *yn_kind_name(const struct ynode *n);
/* yn_loc_at: the position of byte offset off inside a scalar when it can be
 * known exactly (cols_exact), else the scalar's. Costs off. */
struct diag_loc yn_loc_at(const struct ynode *n, size_t off);
/* yn_loc_after: the same, counting from an earlier offset from whose
 * position at yn_loc_at or yn_loc_after gave; costs off - from, so the
 * positions of many offsets taken in increasing order cost the scalar's
 * length in all */
struct diag_loc yn_loc_after(const struct ynode *n, size_t from, struct diag_loc at, size_t off);

#endif

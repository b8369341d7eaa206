/* ynode.h: YAML documents as trees of nodes that remember their source
 * position, loaded with libyaml. It knows YAML, not flows. */
#ifndef FLOWC_YNODE_H
#define FLOWC_YNODE_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "util.h"

/* deepest nesting of mappings and sequences a file may have */
#define YN_MAX_DEPTH 512

enum yn_kind { YN_SCALAR, YN_SEQ, YN_MAP };

enum yn_style { YN_PLAIN, YN_SINGLE_QUOTED, YN_DOUBLE_QUOTED, YN_LITERAL, YN_FOLDED, YN_FLOW, YN_BLOCK };

/* A node: 24 bytes, since a large spec holds millions of them. Its file is
 * known from its address (yn_loc). */
struct ynode {
	union {
		const char *str;             /* scalars: the text, NUL-terminated */
		const struct ynode *items;   /* sequences: n items; mappings: n pairs
						as key, value, key, value... */
	};
	union {
		uint32_t len;                /* scalars: bytes of str (no NUL among
						them once loaded: E0006) */
		uint32_t n;                  /* sequences: items; mappings: pairs */
	};
	uint32_t line;                       /* 1-based line where the node starts */
	uint32_t col;                        /* 1-based column where it starts (for a
						quoted scalar: its opening quote) */
	uint16_t width;                      /* columns it spans when it ends on the line
						it starts on, else 0; at most 65,535
						(a diagnostic's underline ends there) */
	uint16_t kind : 2;                   /* enum yn_kind */
	uint16_t style : 3;                  /* enum yn_style: quoting for scalars,
						flow/block for collections */
	uint16_t cols_exact : 1;             /* scalars: 1 when each character of str is
						one column of the source (one line,
						plain or quoted, no escapes) */
	uint16_t repeated : 1;               /* mapping keys: 1 when an earlier key of
						the same mapping is equal (E0002) */
};

/* The size of a document: its nodes and the bytes of its scalars' text. */
struct yn_size {
	size_t nodes;
	size_t text;
};

/* One loaded file: its documents, their nodes and strings. */
struct yfile {
	char *path;            /* the path as given, owned; diagnostics point at it */
	struct arena arena;    /* owns every string of the documents */
	struct yblock *blocks; /* own every node, newest first */
	struct ynode **docs;   /* roots of the non-empty documents, in file order */
	struct yn_size *sizes; /* sizes[i]: docs[i]'s */
	size_t ndocs;          /* number of docs */
	size_t split;          /* docs[split] on were parsed by a second thread
				  (ndocs when none was), whose CPU's caches
				  hold them for a while */
	int failed;            /* 1 when the file had an error that voids its documents */
	int had_documents;     /* 1 when the stream held at least one document, even empty */
};

/* the largest file flowc reads: positions and lengths fit in 31 bits */
#define YN_MAX_FILE 0x7fffffffu

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
	return &map->items[2 * i];
}
static inline const struct ynode *yn_value(const struct ynode *map, size_t i)
{
	return &map->items[2 * i + 1];
}
/* yn_item: the i-th item of a sequence */
static inline const struct ynode *yn_item(const struct ynode *seq, size_t i)
{
	return &seq->items[i];
}
/* yn_loc: where the node is, for diagnostics */
struct diag_loc yn_loc(const struct ynode *n);
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

/* jw.h: a streaming writer of compact JSON into a buffer, written as
 * json_text_append writes a tree with PLAN_DUMP_FLAGS: no spaces, strings
 * escaped alike, reals in their shortest form, and the members of every
 * object sorted by key (strcmp order) whatever order they come in. It
 * knows nothing of flows. With keep_order set, members stay as written. */
#ifndef FLOWC_JW_H
#define FLOWC_JW_H

#include <stddef.h>

#include "util.h"

/* a member of an open object: its key and where its text is in the buffer */
struct jw_member {
	const char *key; /* NUL-terminated, the caller's until the object ends */
	size_t start;    /* offset of its key's opening quote */
	size_t end;      /* offset just past its value, once known */
};

/* an open object or array */
struct jw_frame {
	size_t open;    /* offset of its '{' or '[' */
	size_t first;   /* objects: index of its first member in members */
	size_t count;   /* members or items so far */
	int object;     /* 1 for an object */
	int in_order;   /* objects: 1 when the caller writes the members in key order */
};

struct jw {
	struct buf *b;              /* where the text goes */
	struct jw_frame *frames;    /* the open containers, innermost last */
	size_t nframes, frames_cap;
	struct jw_member *members;  /* the members of the open objects */
	size_t nmembers, members_cap;
	struct buf scratch;         /* an object's members in their sorted order */
	int after_key;              /* 1 when a key waits for its value */
	int keep_order;             /* 1: members stay in the order written */
};

/* jw_init: a writer appending to b, with nothing open */
void jw_init(struct jw *w, struct buf *b);
/* jw_free: frees what w holds (not its buffer) */
void jw_free(struct jw *w);
/* jw_object, jw_object_end: an object's braces; its members are sorted by
 * key when it ends */
void jw_object(struct jw *w);
void jw_object_end(struct jw *w);
/* jw_object_in_order: an object whose members the caller writes in key
 * order: they are neither remembered nor sorted (nor seen by jw_has_key) */
void jw_object_in_order(struct jw *w);
/* jw_array, jw_array_end: an array's brackets */
void jw_array(struct jw *w);
void jw_array_end(struct jw *w);
/* jw_key: the next member's key (NUL-terminated, kept by the caller until
 * the object ends); its value comes next */
void jw_key(struct jw *w, const char *key);
/* A key known when flowc is built, of printable ASCII without '"' or
 * '\\' (the plan format's): its text, quotes and colon included, made by
 * the compiler. JW_LIT("name") as a value, JW_LIT_INIT in a table. */
struct jw_lit {
	const char *key;  /* the key */
	const char *text; /* "\"key\":" */
	size_t len;       /* bytes of text */
};
#define JW_LIT_INIT(lit) {lit, "\"" lit "\":", sizeof(lit) + 2}
#define JW_LIT(lit) ((struct jw_lit)JW_LIT_INIT(lit))
/* jw_key_lit: jw_key for a key known when flowc is built, copied as is */
void jw_key_lit(struct jw *w, struct jw_lit k);
/* jw_has_key: whether the innermost open object has a member key */
int jw_has_key(const struct jw *w, const char *key);
/* jw_string: a string of len bytes */
void jw_string(struct jw *w, const char *s, size_t len);
/* jw_str: a NUL-terminated string */
void jw_str(struct jw *w, const char *s);
/* jw_int, jw_real, jw_bool, jw_null: the other scalars */
void jw_int(struct jw *w, long long v);
void jw_real(struct jw *w, double d);
void jw_bool(struct jw *w, int v);
void jw_null(struct jw *w);
/* jw_raw: a value given as its JSON text, as is */
void jw_raw(struct jw *w, const char *text);

#endif

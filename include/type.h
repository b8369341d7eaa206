/* type.h: the type language of flow specs (docs/spec.md, "Types"): representation,
 * parsing (a lemon grammar), canonical printing and assignability. It knows
 * nothing of YAML or flows. */
#ifndef FLOW_TYPE_H
#define FLOW_TYPE_H

#include <jansson.h>
#include <stddef.h>

#include "util.h"

enum type_kind {
	TYPE_NEVER,    /* no value (an empty list's elements); assignable to every type */
	TYPE_ANY,      /* any value */
	TYPE_NULL,     /* null */
	TYPE_BOOL,     /* true or false */
	TYPE_INT,      /* an integer */
	TYPE_FLOAT,    /* a number; ints are floats */
	TYPE_NUMBER,   /* a number */
	TYPE_STRING,   /* a string */
	TYPE_LIST,     /* list[elem] */
	TYPE_DICT,     /* dict[elem], string keys */
	TYPE_RECORD,   /* {a: T, b?: U}, extra fields allowed */
	TYPE_OPTIONAL, /* elem?, elem or null */
	TYPE_FILE,     /* file[format], a file representation */
	TYPE_DB,       /* db[elem], a results-database representation */
	TYPE_NAME      /* parser only: a bare name that is not a type (a file format) */
};

/* the serializer of a file representation */
enum type_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_YAML, FORMAT_BYTES, FORMAT_ANY };

struct type_field {
	const char *name;        /* field name */
	int optional;            /* 1 for 'name?:' */
	const struct type *type; /* its type */
};

struct type {
	enum type_kind kind;            /* what sort of type */
	const struct type *elem;        /* list, dict, optional, db: the inner type */
	enum type_format format;        /* file: its serializer */
	const struct type_field *fields; /* record: fields sorted by name */
	size_t nfields;                 /* record: number of fields */
	const char *name;               /* TYPE_NAME: the name */
};

/* primitive types, shared and never freed */
extern const struct type type_never, type_any, type_null, type_bool, type_int, type_float,
	type_number, type_string;

/* constructors; every type is allocated in the arena a */
const struct type *type_list(struct arena *a, const struct type *elem);
const struct type *type_dict(struct arena *a, const struct type *elem);
/* type_optional: T?, folding T?? to T?, null? to null and any? to any */
const struct type *type_optional(struct arena *a, const struct type *elem);
const struct type *type_file(struct arena *a, enum type_format format);
const struct type *type_db(struct arena *a, const struct type *elem);
/* type_record: fields are copied and sorted; names must be distinct */
const struct type *type_record(struct arena *a, const struct type_field *fields, size_t n);

/* type_parse: parses text; returns the type, or NULL with *err filled. */
const struct type *type_parse(struct arena *a, const char *text, struct parse_error *err);

/* type_print: the canonical text of t (the same type always prints the
 * same; type_parse of it gives an equal type), appended to b */
void type_print(struct buf *b, const struct type *t);
/* type_str: the canonical text in a rotating set of static buffers, valid
 * until eight more calls; long types are cut with "..." */
const char *type_str(const struct type *t);
int type_equal(const struct type *a, const struct type *b);

enum type_fit {
	FIT_NO,      /* S is not assignable to T */
	FIT_YES,     /* S <: T */
	FIT_VIA_ANY  /* S <: T only because some part of S is 'any' */
};
/* type_assignable: whether a value of type s may be used where t is expected */
enum type_fit type_assignable(const struct type *s, const struct type *t);

/* type_field_find: the field of a record called name, or NULL */
const struct type_field *type_field_find(const struct type *record, const char *name);
/* type_join: the smallest type both a and b are assignable to, as far as
 * this language can say (any when nothing closer exists) */
const struct type *type_join(struct arena *a, const struct type *x, const struct type *y);

/* type_check_value: whether the JSON value v has type t; when not, writes
 * into why the JSON path of the first offending value (from base) and what
 * was expected there */
int type_check_value(const struct type *t, const json_t *v, const char *base, struct buf *why);

const char *type_format_name(enum type_format f);
/* type_format_parse: FORMAT_* for "text", "json", "yaml", "bytes", "any"; -1 otherwise */
int type_format_parse(const char *name);

#endif

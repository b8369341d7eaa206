/* value.c: YAML values as JSON text, with YAML 1.2 core-schema scalars. It
 * knows nothing of flows. */
#include "value.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

/* a scalar's JSON form */
struct scalar {
	enum { SC_NONE, SC_NULL, SC_BOOL, SC_INT, SC_REAL, SC_STRING } kind;
	long long i; /* SC_BOOL, SC_INT */
	double d;    /* SC_REAL */
};

/* classify: the JSON form of scalar n; SC_NONE for a real that JSON cannot
 * carry, which is left out */
static struct scalar classify(const struct ynode *n)
{
	struct scalar s = {SC_STRING, 0, 0};
	char *end;

	switch (yn_scalar(n)) {
	case YS_NULL:
		s.kind = SC_NULL;
		break;
	case YS_BOOL:
		s.kind = SC_BOOL;
		s.i = yn_bool(n);
		break;
	case YS_INT:
		errno = 0;
		s.i = strtoll(n->str, &end, 10);
		s.kind = SC_INT;
		if (errno != ERANGE)
			break;
		/* beyond 64 bits: keep the magnitude as a float */
		/* fall through */
	case YS_FLOAT:
		s.d = strtod(n->str, NULL);
		s.kind = isfinite(s.d) ? SC_REAL : SC_NONE;
		break;
	case YS_STRING:
		break;
	}
	return s;
}

int value_has_json(const struct ynode *n)
{
	return n->kind != YN_SCALAR || classify(n).kind != SC_NONE;
}

const char *value_number_problem(const struct ynode *n)
{
	char c = n->kind == YN_SCALAR && n->len ? n->str[0] : '\0';
	double d;

	if (!(c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9')))
		return NULL;
	switch (yn_scalar(n)) {
	case YS_INT:
		errno = 0;
		if (n->len < 19 || (strtoll(n->str, NULL, 10), errno != ERANGE))
			return NULL;
		return "an integer beyond 64 bits (a plan holds -9223372036854775808 to "
		       "9223372036854775807)";
	case YS_FLOAT:
		errno = 0;
		d = strtod(n->str, NULL);
		if (!isfinite(d))
			return "beyond the largest number a plan holds (about 1.8e308)";
		if (d == 0 && errno == ERANGE)
			return "so near 0 that a plan would hold it as 0";
		return NULL;
	default:
		return NULL;
	}
}

int value_is_string(const struct ynode *n)
{
	return n->kind == YN_SCALAR && classify(n).kind == SC_STRING;
}

void value_write_members(struct jw *w, const struct ynode *map)
{
	size_t i;

	for (i = 0; i < map->n; i++) {
		const struct ynode *k = yn_key(map, i), *v = yn_value(map, i);

		/* the first of duplicate keys wins, as everywhere in flowc */
		if (k->kind != YN_SCALAR || k->repeated || !value_has_json(v))
			continue;
		jw_key(w, k->str);
		value_write(w, v);
	}
}

void value_write(struct jw *w, const struct ynode *n)
{
	struct scalar s;
	size_t i;

	switch (n->kind) {
	case YN_SEQ:
		jw_array(w);
		for (i = 0; i < n->n; i++)
			if (value_has_json(yn_item(n, i)))
				value_write(w, yn_item(n, i));
		jw_array_end(w);
		return;
	case YN_MAP:
		jw_object(w);
		value_write_members(w, n);
		jw_object_end(w);
		return;
	case YN_SCALAR:
		break;
	}
	s = classify(n);
	switch (s.kind) {
	case SC_NONE:
		break;
	case SC_NULL:
		jw_null(w);
		break;
	case SC_BOOL:
		jw_bool(w, (int)s.i);
		break;
	case SC_INT:
		jw_int(w, s.i);
		break;
	case SC_REAL:
		jw_real(w, s.d);
		break;
	case SC_STRING:
		jw_string(w, n->str, n->len);
		break;
	}
}

char *value_text(const struct ynode *n)
{
	struct buf b = {0};
	struct jw w;

	jw_init(&w, &b);
	w.keep_order = 1;
	value_write(&w, n);
	jw_free(&w);
	return buf_steal(&b);
}

/* value.c: YAML values as JSON values (jansson), with YAML 1.2 core-schema
 * scalars. It knows nothing of flows. */
#include "value.h"

#include <errno.h>
#include <stdlib.h>

static json_t *scalar_json(const struct ynode *n)
{
	long long i;
	char *end;

	switch (yn_scalar(n)) {
	case YS_NULL:
		return json_null();
	case YS_BOOL:
		return json_boolean(yn_bool(n));
	case YS_INT:
		errno = 0;
		i = strtoll(n->str, &end, 10);
		if (errno != ERANGE)
			return json_integer((json_int_t)i);
		/* beyond 64 bits: keep the magnitude as a float */
		return json_real(strtod(n->str, NULL));
	case YS_FLOAT:
		return json_real(strtod(n->str, NULL));
	case YS_STRING:
		break;
	}
	return json_stringn(n->str, n->len);
}

json_t *value_json(const struct ynode *n)
{
	json_t *v;
	size_t i;

	switch (n->kind) {
	case YN_SEQ:
		v = json_array();
		for (i = 0; i < n->n; i++)
			json_array_append_new(v, value_json(yn_item(n, i)));
		return v;
	case YN_MAP:
		v = json_object();
		for (i = 0; i < n->n; i++) {
			const struct ynode *k = yn_key(n, i);

			/* the first of duplicate keys wins, as everywhere in flowc */
			if (k->kind == YN_SCALAR && !json_object_getn(v, k->str, k->len))
				json_object_setn_new(v, k->str, k->len, value_json(yn_value(n, i)));
		}
		return v;
	case YN_SCALAR:
		break;
	}
	return scalar_json(n);
}

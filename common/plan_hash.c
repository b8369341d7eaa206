/* plan_hash.c: the content hash of a plan, computed the same way by the
 * compiler that writes it and the runtime that verifies it. */
#include "plan_format.h"

#include <stdlib.h>
#include <string.h>

#include "sha256.h"

int plan_hash(const json_t *plan, char out[72])
{
	json_t *copy = json_copy((json_t *)plan);
	char *text;

	if (!copy)
		return -1;
	json_object_del(copy, "hash");
	text = json_dumps(copy, PLAN_DUMP_FLAGS);
	json_decref(copy);
	if (!text)
		return -1;
	memcpy(out, "sha256:", 7);
	sha256_hex(text, strlen(text), out + 7);
	free(text);
	return 0;
}

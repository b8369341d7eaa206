/* plan_hash.c: the content hash of a plan, computed the same way by the
 * compiler that writes it and the runtime that verifies it. */
#include "plan_format.h"

#include <stdlib.h>
#include <string.h>

#include "json_text.h"
#include "sha256.h"

int plan_hash(json_t *plan, int legacy, char out[72])
{
	json_t *hash = json_incref(json_object_get(plan, "hash"));
	char *text;

	/* the member is taken out and put back: no copy of a large plan */
	if (hash)
		json_object_del(plan, "hash");
	text = legacy ? json_dumps(plan, PLAN_DUMP_FLAGS) : json_text(plan, PLAN_DUMP_FLAGS);
	if (hash)
		json_object_set_new(plan, "hash", hash);
	if (!text)
		return -1;
	memcpy(out, "sha256:", 7);
	sha256_hex(text, strlen(text), out + 7);
	free(text);
	return 0;
}

/* fuzz_type.c: a libFuzzer target for the type grammar: any text either
 * fails with an error inside the text, or parses to a type whose canonical
 * printing parses back to an equal type and prints the same. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "type.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	struct arena arena = {0};
	struct parse_error err;
	const struct type *t = type_parse(&arena, text, &err);

	if (!t) {
		if (err.offset > strlen(text))
			abort();
	} else {
		struct buf printed = {0}, again_printed = {0};
		const struct type *again;

		type_print(&printed, t);
		again = type_parse(&arena, printed.data, &err);
		if (!again || !type_equal(t, again))
			abort();
		type_print(&again_printed, again);
		if (strcmp(printed.data, again_printed.data) != 0)
			abort();
		if (type_assignable(t, again) != FIT_YES && type_assignable(t, again) != FIT_VIA_ANY)
			abort();
		buf_free(&printed);
		buf_free(&again_printed);
	}
	arena_free(&arena);
	free(text);
	return 0;
}

/* fuzz_ref.c: a libFuzzer target for the reference grammar: any body of
 * ${{ }} either parses or fails with an error inside the body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena arena = {0};
	struct parse_error err;
	struct ref r;

	if (ref_parse(&arena, (const char *)data, size, &r, &err) < 0) {
		if (err.offset > size)
			abort();
	} else if (!r.name) {
		abort();
	}
	arena_free(&arena);
	return 0;
}

/* fuzz_front.c: a libFuzzer target for the whole front end: any bytes as a
 * spec file, loaded, modelled, resolved and checked. It must never crash. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct driver d = {0};
	char *text = xstrndup((const char *)data, size);

	/* the loader takes NUL-terminated text; bytes after a NUL are ignored */
	driver_add_string(&d, "fuzz.yaml", text);
	driver_check(&d);
	diag_sort(&d.ds);
	driver_free(&d);
	free(text);
	return 0;
}

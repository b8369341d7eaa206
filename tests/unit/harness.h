/* harness.h: helpers shared by the cmocka unit tests: run the front end on
 * YAML text and count what it reported. Tests only. */
#ifndef TEST_HARNESS_H
#define TEST_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "driver.h"

/* front_end: loads each text as a file named after its index (a.yaml,
 * b.yaml...) and runs every check; *d must be freed with driver_free */
static inline void front_end(struct driver *d, const char *const *texts, size_t n)
{
	size_t i;

	memset(d, 0, sizeof(*d));
	for (i = 0; i < n; i++) {
		char name[16];

		snprintf(name, sizeof(name), "%c.yaml", (char)('a' + i));
		driver_add_string(d, name, texts[i]);
	}
	driver_check(d);
	diag_sort(&d->ds);
}

/* count_code: how many diagnostics of one code were reported */
static inline size_t count_code(const struct diags *ds, enum diag_code code)
{
	size_t i, n = 0;

	for (i = 0; i < ds->n; i++)
		n += ds->items[i].code == code;
	return n;
}

/* find_code: the first diagnostic of a code, or NULL */
static inline const struct diag *find_code(const struct diags *ds, enum diag_code code)
{
	size_t i;

	for (i = 0; i < ds->n; i++)
		if (ds->items[i].code == code)
			return &ds->items[i];
	return NULL;
}

/* dump: prints every diagnostic, for a failing test's output */
static inline void dump(const struct diags *ds)
{
	diag_print(ds, DIAG_TEXT, 0, stderr);
}

#endif

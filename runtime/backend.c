/* backend.c: the backends flowrun has, by name. Adding one is a new file
 * and one line here. */
#include <string.h>

#include "backend.h"

const struct backend_ops *backend_find(const char *name)
{
	static const struct backend_ops *const all[] = {&backend_local, &backend_slurm};
	size_t i;

	for (i = 0; name && i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}

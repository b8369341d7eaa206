/* backend.c: the backends flowrun has, by name (adding one is a new file
 * and one line here), and the units earlier sessions left, asked of the
 * backend that started them. */
#include <stdlib.h>
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

int backend_units(const struct replay *r, char **ids, char **states, int *alive,
		  struct buf *why)
{
	size_t n = r->nflows, f;
	char **mine = xcalloc(n ? n : 1, sizeof(*mine)), **got = xcalloc(n ? n : 1, sizeof(*got));
	int *live = xcalloc(n ? n : 1, sizeof(*live)), rc = 0;
	unsigned s;

	for (f = 0; f < n; f++) {
		ids[f] = states[f] = NULL;
		alive[f] = 0;
	}
	for (s = 0; s < r->nsessions && rc == 0; s++) {
		const struct backend_ops *ops = backend_find(r->backends[s] ? r->backends[s] : "local");

		if (!ops || !replay_units(r, s, mine))
			continue;
		rc = ops->live(mine, n, got, live, why);
		/* a flow's latest unit is of one session: no flow is seen twice */
		for (f = 0; f < n && rc == 0; f++) {
			if (!mine[f])
				continue;
			ids[f] = mine[f];
			states[f] = got[f];
			alive[f] = live[f];
		}
	}
	free(mine);
	free(got);
	free(live);
	return rc;
}

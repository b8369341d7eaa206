/* store_bench.c: saves and loads N results through the results store at a
 * URL (a path for SQLite, a postgresql:// URL) and prints how many per
 * second. A benchmark tool, not part of flowrun. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "store.h"

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct buf why = {0};
	struct store *s;
	json_t **reps;
	double t0, t1, t2;
	char run[32];
	int n, i;

	if (argc != 3)
		return 2;
	n = atoi(argv[2]);
	s = store_open(argv[1], &why);
	if (!s) {
		fprintf(stderr, "%s\n", why.data);
		return 1;
	}
	reps = calloc((size_t)n, sizeof(*reps));
	snprintf(run, sizeof(run), "bench-%d", (int)getpid());
	t0 = seconds();
	for (i = 0; i < n; i++) {
		json_t *r = json_pack("{s:{s:i,s:s},s:{s:f}}", "inputs", "i", i, "run", run, "outputs",
				      "v", i * 0.5);

		reps[i] = store_save(s, r, "generic", "bench", "bench", run, &why);
		json_decref(r);
		if (!reps[i])
			return 1;
	}
	t1 = seconds();
	for (i = 0; i < n; i++) {
		json_t *doc = store_load(s, reps[i], &why);

		if (!doc)
			return 1;
		json_decref(doc);
		json_decref(reps[i]);
	}
	t2 = seconds();
	printf("%.0f saves/s, %.0f loads/s\n", n / (t1 - t0), n / (t2 - t1));
	store_close(s);
	free(reps);
	return 0;
}

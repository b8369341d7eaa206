/* reuse_bench PLAN RUN_DIR: how long flowrun takes to decide what a run of
 * PLAN reuses from the earlier run RUN_DIR (with RUN_DIR's parameter
 * values, filesystems and results store), apart from reading: prints
 * "read_ms decide_ms reused tasks" (best of 3 decisions; the earlier
 * run's plan, run.json and journal are read once per decision). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "reuse.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static struct store *open_store(void *ctx, struct buf *why)
{
	struct reuse *r = ctx;
	static struct store *st;

	if (!st)
		st = store_open(r->meta.results_db, why);
	return st;
}

int main(int argc, char **argv)
{
	double best_read = -1, best_decide = -1;
	size_t reused = 0, ntasks = 0;
	struct plan p;
	struct buf why = {0};
	int round;

	if (argc != 3) {
		fprintf(stderr, "usage: reuse_bench PLAN RUN_DIR\n");
		return 2;
	}
	if (plan_load(&p, argv[1], &why) < 0) {
		fprintf(stderr, "reuse_bench: %s: %s\n", argv[1], why.data);
		return 1;
	}
	for (round = 0; round < 3; round++) {
		struct reuse r;
		struct reuse_env env = {0};
		struct files files = {0};
		double t0 = now_ms(), t1, t2;

		if (reuse_open(&r, argv[2], &why) != 0) {
			fprintf(stderr, "reuse_bench: %s: %s\n", argv[2], why.data);
			return 1;
		}
		t1 = now_ms();
		if (rundir_files(&r.meta, &files, &why) != 0) {
			fprintf(stderr, "reuse_bench: %s\n", why.data);
			return 1;
		}
		env.plan = &p;
		env.inputs = r.meta.params;
		env.files = &files;
		env.store = open_store;
		env.ctx = &r;
		reuse_decide(&r, &env);
		t2 = now_ms();
		if (best_read < 0 || t1 - t0 < best_read)
			best_read = t1 - t0;
		if (best_decide < 0 || t2 - t1 < best_decide)
			best_decide = t2 - t1;
		reused = r.reused;
		ntasks = r.ntasks;
		files_free(&files);
		reuse_free(&r);
	}
	printf("%.1f %.1f %zu %zu\n", best_read, best_decide, reused, ntasks);
	plan_free(&p);
	buf_free(&why);
	return 0;
}

/* status.c: flowrun status and flowrun result: the journal read back
 * (replay), the lock asked whether the run lives, the backend asked about
 * units that may still run. It writes nothing in the run directory. */
#include "status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend.h"
#include "replay.h"
#include "rundir.h"

/* open_run: plan, run.json and journal of dir; 0, or -1 (reported) */
static int open_run(const char *dir, struct plan *p, struct run_meta *m, struct replay *r,
		    int with_results)
{
	struct buf why = {0};
	int rc = -1;

	if (rundir_load(dir, p, m, &why) != 0) {
		fprintf(stderr, "flowrun: %s\n", why.data);
	} else if (replay_load(r, dir, p, with_results, NULL, &why) != 0) {
		fprintf(stderr, "flowrun: %s\n", why.data);
		rundir_free_meta(m);
		plan_free(p);
	} else {
		rc = 0;
	}
	buf_free(&why);
	return rc;
}

static void close_run(struct plan *p, struct run_meta *m, struct replay *r)
{
	replay_free(r);
	rundir_free_meta(m);
	plan_free(p);
}

/* units: flows whose latest unit has no outcome since, asked of the
 * backend that started them; prints each; returns how many ended without
 * their flow finishing, and sets *live when some may still run */
static int units(const struct plan *p, const struct replay *r, int *live)
{
	size_t n = p->nflows, f;
	char **ids = xcalloc(n, sizeof(*ids)), **states = xcalloc(n, sizeof(*states));
	int *alive = xcalloc(n, sizeof(*alive)), dead = 0;
	struct buf why = {0};

	if (backend_units(r, ids, states, alive, &why) != 0)
		printf("  (%s)\n", why.data);
	for (f = 0; f < n; f++) {
		if (!ids[f])
			continue;
		if (alive[f]) {
			printf("  %s: job %s is %s\n", p->flows[f].name, ids[f], states[f]);
			*live = 1;
		} else {
			printf("  %s: Failed: its job %s %s without the flow finishing\n",
			       p->flows[f].name, ids[f], states[f] ? "ended" : "is unknown to Slurm");
			dead++;
		}
		free(states[f]);
	}
	buf_free(&why);
	free(ids);
	free(states);
	free(alive);
	return dead;
}

/* images: the image each flow that has one ran in, with the ids its
 * tasks recorded (more than one when it was rebuilt between sessions) */
static void images(const struct plan *p, const struct replay *r)
{
	size_t f, t, k;
	int head = 0;

	for (f = 0; f < p->nflows; f++) {
		const struct replay_task *rt = r->flows[f].tasks;

		if (!p->flows[f].image)
			continue;
		if (!head++)
			printf("  %-40s %s\n", "flow", "image");
		printf("  %-40s %s", p->flows[f].name, p->flows[f].image);
		for (t = 0; t < p->flows[f].ntasks; t++) {
			for (k = 0; k < t && !(rt[k].image && rt[t].image &&
					      strcmp(rt[k].image, rt[t].image) == 0); k++)
				;
			if (rt[t].image && k == t)
				printf(" %s", rt[t].image);
		}
		printf("\n");
	}
}

int status_print(const char *dir)
{
	struct run_meta m;
	struct replay r;
	struct plan p;
	struct buf who = {0}, head = {0};
	size_t f, t, outcomes = 0, ok = 0;
	int live = 0, dead, status;

	if (open_run(dir, &p, &m, &r, 0) != 0)
		return 2;
	for (f = 0; f < p.nflows; f++) {
		ok += r.flows[f].done == p.flows[f].ntasks;
		outcomes += journal_state_final(r.flows[f].st) || r.flows[f].done == p.flows[f].ntasks;
	}
	dead = units(&p, &r, &live);
	if (rundir_holder(dir, &who)) {
		buf_printf(&head, "Running (%s)", who.data);
	} else if (r.ended) {
		buf_puts(&head, journal_state_names[r.end]);
		if (r.end_reason)
			buf_printf(&head, ": %s", r.end_reason);
	} else if (live) {
		buf_puts(&head, "Running (its jobs are queued or running)");
	} else if (ok == p.nflows) {
		/* a detached Slurm run has no end event: every flow settled is its end */
		buf_puts(&head, "Success");
	} else if (dead) {
		buf_puts(&head, "Failed (jobs ended without finishing)");
	} else if (outcomes == p.nflows) {
		buf_puts(&head, "Failed");
	} else {
		buf_printf(&head, "Stopped before it finished; resume with: flowrun resume %s", dir);
	}
	status = strcmp(head.data, "Success") == 0 ? 0 : 1;
	printf("run %s: %s\n", m.run_id, head.data);
	printf("  %-40s %-10s %10s  %s\n", "flow/task", "state", "seconds", "exit / reason");
	for (f = 0; f < p.nflows; f++) {
		for (t = 0; t < p.flows[f].ntasks; t++) {
			const struct replay_task *rt = &r.flows[f].tasks[t];
			char name[256];

			snprintf(name, sizeof(name), "%s/%s", p.flows[f].name, p.flows[f].tasks[t].name);
			printf("  %-40s %-10s ", name, journal_state_names[rt->st]);
			if (rt->ms >= 0)
				printf("%10.2f", rt->ms / 1000.0);
			else
				printf("%10s", "-");
			if (rt->reason)
				printf("  %s", rt->reason);
			else if (rt->st == ST_SUCCESS)
				printf("  0");
			printf("\n");
		}
	}
	images(&p, &r);
	buf_free(&who);
	buf_free(&head);
	close_run(&p, &m, &r);
	return status;
}

/* short_state: a run's state in one word, from what it holds alone (no
 * backend is asked): Running while a flowrun holds its lock, how its last
 * session ended, Success once every flow succeeded, else Stopped */
static const char *short_state(const char *dir, const struct plan *p, const struct replay *r)
{
	struct buf who = {0};
	size_t f, ok = 0;
	int held = rundir_holder(dir, &who);

	buf_free(&who);
	if (held)
		return "Running";
	if (r->ended)
		return journal_state_names[r->end];
	for (f = 0; f < p->nflows; f++)
		ok += r->flows[f].done == p->flows[f].ntasks;
	return ok == p->nflows ? "Success" : "Stopped";
}

int status_runs(void)
{
	size_t n, i;
	char **ids = rundir_list(&n);

	if (!n) {
		printf("no runs in %s\n", RUNDIR_RUNS);
		return 0;
	}
	printf("%-24s %-24s %-10s %-19s %10s\n", "run", "plan", "state", "started", "seconds");
	for (i = 0; i < n; i++) {
		struct buf dir = {0}, why = {0};
		struct run_meta m;
		struct replay r;
		struct plan p;

		buf_printf(&dir, "%s/%s", RUNDIR_RUNS, ids[i]);
		if (rundir_load(dir.data, &p, &m, &why) != 0) {
			printf("%-24s (%s)\n", ids[i], why.data);
		} else if (replay_load(&r, dir.data, &p, 0, NULL, &why) != 0) {
			printf("%-24s %-24s (%s)\n", ids[i], p.name, why.data);
			rundir_free_meta(&m);
			plan_free(&p);
		} else {
			char start[32] = "-";
			time_t t = (time_t)(r.t_first / 1000);
			struct tm tm;

			if (r.t_first && localtime_r(&t, &tm))
				strftime(start, sizeof(start), "%Y-%m-%d %H:%M:%S", &tm);
			printf("%-24s %-24s %-10s %-19s %10.1f\n", ids[i], p.name,
			       short_state(dir.data, &p, &r), start,
			       r.t_last > r.t_first ? (double)(r.t_last - r.t_first) / 1000 : 0.0);
			close_run(&p, &m, &r);
		}
		buf_free(&dir);
		buf_free(&why);
		free(ids[i]);
	}
	free(ids);
	return 0;
}

int status_result(const char *dir, const char *what)
{
	struct run_meta m;
	struct replay r;
	struct plan p;
	const char *slash = strchr(what, '/');
	size_t flen = slash ? (size_t)(slash - what) : strlen(what), f, t;
	json_t *out = NULL;
	int status = 0;

	if (open_run(dir, &p, &m, &r, 1) != 0)
		return 2;
	for (f = 0; f < p.nflows; f++)
		if (strlen(p.flows[f].name) == flen && !strncmp(p.flows[f].name, what, flen))
			break;
	if (f == p.nflows) {
		fprintf(stderr, "flowrun: the run has no flow '%.*s'\n", (int)flen, what);
		status = 2;
		goto out;
	}
	for (t = 0; t < p.flows[f].ntasks; t++) {
		json_t *v = r.flows[f].tasks[t].result;

		if (slash && strcmp(p.flows[f].tasks[t].name, slash + 1) != 0)
			continue;
		if (slash) {
			if (!v) {
				fprintf(stderr, "flowrun: %s has no result (it has not succeeded)\n", what);
				status = 2;
				goto out;
			}
			out = json_incref(v);
			break;
		}
		if (!out)
			out = json_object();
		json_object_set(out, p.flows[f].tasks[t].name, v ? v : json_null());
	}
	if (!out) {
		fprintf(stderr, "flowrun: flow '%.*s' has no task '%s'\n", (int)flen, what, slash + 1);
		status = 2;
		goto out;
	}
	{
		char *text = json_dumps(out, JSON_INDENT(2) | JSON_ENCODE_ANY);

		printf("%s\n", text);
		free(text);
	}
out:
	json_decref(out);
	close_run(&p, &m, &r);
	return status;
}

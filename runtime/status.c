/* status.c: flowrun status and flowrun result: the journal read back
 * (replay), the lock asked whether the run lives, the backend asked about
 * units that may still run. It writes nothing in the run directory. */
#include "status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "json_text.h"
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

/* What status says of a run, for people and for scripts alike. */
struct verdict {
	const char *state;          /* Running, Success, Failed, Cancelled, Stopped */
	struct buf reason;          /* why, or empty */
	struct buf holder;          /* "pid PID on HOST" while a flowrun holds the lock */
	int live;                   /* a flowrun holds the lock, or jobs may still run */
	char **ids;                 /* per flow: the unit (job) with no outcome since, or NULL */
	char **states;              /* its state as its backend says, or NULL */
	int *alive;                 /* it may still run */
	struct buf units_error;     /* the backend could not be asked: why */
};

/* judge: the verdict on the run in dir */
static void judge(const char *dir, const struct plan *p, const struct replay *r, struct verdict *v)
{
	size_t f, outcomes = 0, ok = 0, n = p->nflows;
	int dead = 0, jobs_live = 0;

	memset(v, 0, sizeof(*v));
	v->ids = xcalloc(n ? n : 1, sizeof(*v->ids));
	v->states = xcalloc(n ? n : 1, sizeof(*v->states));
	v->alive = xcalloc(n ? n : 1, sizeof(*v->alive));
	/* a backend that cannot be asked says why in units_error */
	backend_units(r, v->ids, v->states, v->alive, &v->units_error);
	for (f = 0; f < n; f++) {
		ok += r->flows[f].done == p->flows[f].ntasks;
		outcomes += journal_state_final(r->flows[f].st) || r->flows[f].done == p->flows[f].ntasks;
		if (v->ids[f] && v->alive[f])
			jobs_live = 1;
		else if (v->ids[f])
			dead++;
	}
	if (rundir_holder(dir, &v->holder)) {
		v->state = "Running";
		v->live = 1;
	} else if (r->ended) {
		v->state = journal_state_names[r->end];
		if (r->end_reason)
			buf_puts(&v->reason, r->end_reason);
	} else if (jobs_live) {
		v->state = "Running";
		v->live = 1;
		buf_puts(&v->reason, "its jobs are queued or running");
	} else if (ok == n) {
		/* a detached Slurm run has no end event: every flow settled is its end */
		v->state = "Success";
	} else if (dead) {
		v->state = "Failed";
		buf_puts(&v->reason, "jobs ended without finishing");
	} else if (outcomes == n) {
		v->state = "Failed";
	} else {
		v->state = "Stopped";
	}
}

static void verdict_free(struct verdict *v, size_t n)
{
	size_t f;

	for (f = 0; f < n; f++)
		free(v->states[f]);
	free(v->ids);
	free(v->states);
	free(v->alive);
	buf_free(&v->reason);
	buf_free(&v->holder);
	buf_free(&v->units_error);
}

/* units: the jobs of flows with no outcome since, as status prints them */
static void units(const struct plan *p, const struct verdict *v)
{
	size_t f;

	if (v->units_error.len)
		printf("  (%s)\n", v->units_error.data);
	for (f = 0; f < p->nflows; f++) {
		if (!v->ids[f])
			continue;
		if (v->alive[f])
			printf("  %s: job %s is %s\n", p->flows[f].name, v->ids[f], v->states[f]);
		else
			printf("  %s: Failed: its job %s %s without the flow finishing\n",
			       p->flows[f].name, v->ids[f],
			       v->states[f] ? "ended" : "is unknown to Slurm");
	}
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
	struct verdict v;
	size_t f, t;
	int status, width = 40;

	if (open_run(dir, &p, &m, &r, 0) != 0)
		return 2;
	judge(dir, &p, &r, &v);
	units(&p, &v);
	status = strcmp(v.state, "Success") == 0 ? 0 : 1;
	printf("run %s: ", m.run_id);
	if (v.holder.len)
		printf("Running (%s)\n", v.holder.data);
	else if (v.live)
		printf("Running (%s)\n", v.reason.data);
	else if (strcmp(v.state, "Stopped") == 0)
		printf("Stopped before it finished; resume with: flowrun resume %s\n", dir);
	else if (strcmp(v.state, "Failed") == 0 && !r.ended && v.reason.len)
		printf("Failed (%s)\n", v.reason.data);
	else if (v.reason.len)
		printf("%s: %s\n", v.state, v.reason.data);
	else
		printf("%s\n", v.state);
	for (f = 0; f < p.nflows; f++) {
		printf("  flow %s: %s, %zu of %zu tasks succeeded", p.flows[f].name,
		       journal_state_names[r.flows[f].st], r.flows[f].done, p.flows[f].ntasks);
		if (r.flows[f].reason)
			printf(": %s", r.flows[f].reason);
		printf("\n");
	}
	/* the first column fits the longest FLOW/TASK (flows nested in a
	 * composition have long names), at least 40 characters */
	for (f = 0; f < p.nflows; f++)
		for (t = 0; t < p.flows[f].ntasks; t++) {
			size_t len = strlen(p.flows[f].name) + 1 + strlen(p.flows[f].tasks[t].name);

			if (len > (size_t)width)
				width = len > 200 ? 200 : (int)len;
		}
	printf("  %-*s %-10s %10s %8s  %s\n", width, "flow/task", "state", "seconds", "attempts",
	       "exit / reason");
	for (f = 0; f < p.nflows; f++) {
		for (t = 0; t < p.flows[f].ntasks; t++) {
			const struct replay_task *rt = &r.flows[f].tasks[t];
			char name[256];

			snprintf(name, sizeof(name), "%s/%s", p.flows[f].name, p.flows[f].tasks[t].name);
			printf("  %-*s %-10s ", width, name, journal_state_names[rt->st]);
			if (rt->ms >= 0)
				printf("%10.2f", rt->ms / 1000.0);
			else
				printf("%10s", "-");
			if (rt->attempts > 0)
				printf(" %8d", rt->attempts);
			else
				printf(" %8s", "-");
			if (rt->reason)
				printf("  %s", rt->reason);
			else if (rt->st == ST_SUCCESS)
				printf("  0");
			printf("\n");
		}
	}
	images(&p, &r);
	verdict_free(&v, p.nflows);
	close_run(&p, &m, &r);
	return status;
}

/* set_str: key: s, when s is not NULL */
static void set_str(json_t *o, const char *key, const char *s)
{
	if (s)
		json_object_set_new(o, key, json_string(s));
}

int status_json(const char *dir)
{
	struct run_meta m;
	struct replay r;
	struct plan p;
	struct verdict v;
	json_t *doc, *flows;
	size_t f, t;
	char *text;
	int status;

	if (open_run(dir, &p, &m, &r, 0) != 0)
		return 2;
	judge(dir, &p, &r, &v);
	status = strcmp(v.state, "Success") == 0 ? 0 : 1;
	doc = json_object();
	json_object_set_new(doc, "status_format", json_integer(1));
	set_str(doc, "run_id", m.run_id);
	set_str(doc, "plan", p.name);
	set_str(doc, "plan_hash", m.plan_hash);
	set_str(doc, "backend", m.backend);
	set_str(doc, "state", v.state);
	json_object_set_new(doc, "reason", v.reason.len ? json_string(v.reason.data) : json_null());
	json_object_set_new(doc, "live", json_boolean(v.live));
	json_object_set_new(doc, "holder", v.holder.len ? json_string(v.holder.data) : json_null());
	json_object_set_new(doc, "started_ms", r.t_first ? json_integer(r.t_first) : json_null());
	json_object_set_new(doc, "last_event_ms", r.t_last ? json_integer(r.t_last) : json_null());
	flows = json_array();
	for (f = 0; f < p.nflows; f++) {
		const struct replay_flow *rf = &r.flows[f];
		json_t *fo = json_object(), *tasks = json_array();

		set_str(fo, "name", p.flows[f].name);
		set_str(fo, "state", journal_state_names[rf->st]);
		json_object_set_new(fo, "reason", rf->reason ? json_string(rf->reason) : json_null());
		json_object_set_new(fo, "image", p.flows[f].image ? json_string(p.flows[f].image)
								  : json_null());
		if (v.ids[f]) {
			json_t *job = json_object();

			set_str(job, "id", v.ids[f]);
			json_object_set_new(job, "state", v.states[f] ? json_string(v.states[f])
								     : json_null());
			json_object_set_new(job, "alive", json_boolean(v.alive[f]));
			json_object_set_new(fo, "job", job);
		} else {
			json_object_set_new(fo, "job", json_null());
		}
		for (t = 0; t < p.flows[f].ntasks; t++) {
			const struct replay_task *rt = &rf->tasks[t];
			json_t *to = json_object();

			set_str(to, "name", p.flows[f].tasks[t].name);
			set_str(to, "state", journal_state_names[rt->st]);
			json_object_set_new(to, "attempt", json_integer(rt->attempt));
			json_object_set_new(to, "attempts", json_integer(rt->attempts));
			json_object_set_new(to, "seconds", rt->ms >= 0 ? json_real(rt->ms / 1000.0)
								       : json_null());
			json_object_set_new(to, "reason", rt->reason ? json_string(rt->reason)
								     : json_null());
			json_object_set_new(to, "image_id", rt->image ? json_string(rt->image)
								      : json_null());
			json_array_append_new(tasks, to);
		}
		json_object_set_new(fo, "tasks", tasks);
		json_array_append_new(flows, fo);
	}
	json_object_set_new(doc, "flows", flows);
	text = json_text(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	printf("%s\n", text);
	free(text);
	json_decref(doc);
	verdict_free(&v, p.nflows);
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

/* an attempt whose output is kept */
struct attempt {
	unsigned session;
	int attempt;
};

static int cmp_attempt(const void *pa, const void *pb)
{
	const struct attempt *a = pa, *b = pb;

	if (a->session != b->session)
		return a->session < b->session ? -1 : 1;
	return (a->attempt > b->attempt) - (a->attempt < b->attempt);
}

/* find_task: the flow and task FLOW/TASK names, or with whole the flow
 * FLOW alone names (*t is then its number of tasks); -1 when none (said) */
static int find_task(const struct plan *p, const char *what, int whole, size_t *f, size_t *t)
{
	const char *slash = strchr(what, '/');
	size_t flen = slash ? (size_t)(slash - what) : strlen(what);

	if (!slash && !whole) {
		fprintf(stderr, "flowrun: logs takes FLOW/TASK, not '%s'\n", what);
		return -1;
	}
	for (*f = 0; *f < p->nflows; (*f)++)
		if (strlen(p->flows[*f].name) == flen && !strncmp(p->flows[*f].name, what, flen))
			break;
	if (*f == p->nflows) {
		fprintf(stderr, "flowrun: the run has no flow '%.*s'\n", (int)flen, what);
		return -1;
	}
	*t = p->flows[*f].ntasks;
	if (!slash)
		return 0;
	for (*t = 0; *t < p->flows[*f].ntasks; (*t)++)
		if (strcmp(p->flows[*f].tasks[*t].name, slash + 1) == 0)
			return 0;
	fprintf(stderr, "flowrun: flow '%.*s' has no task '%s'\n", (int)flen, what, slash + 1);
	return -1;
}

/* copy_from: what fd holds from its offset on, to standard output; the
 * bytes copied */
static size_t copy_from(int fd)
{
	char chunk[65536];
	size_t total = 0;
	ssize_t got;

	while ((got = read(fd, chunk, sizeof(chunk))) > 0) {
		fwrite(chunk, 1, (size_t)got, stdout);
		total += (size_t)got;
	}
	fflush(stdout);
	return total;
}

int status_logs(const char *dir, const char *what, int n, int stdout_, int follow)
{
	const char *stream = stdout_ ? "stdout" : "stderr";
	struct attempt *list = NULL;
	struct buf prefix = {0}, path = {0}, who = {0};
	size_t nlist = 0, cap = 0, f, t, i;
	struct run_meta m;
	struct replay r;
	struct plan p;
	struct dirent *e;
	int status = 2, fd, latest;
	DIR *d;

again:
	if (open_run(dir, &p, &m, &r, 0) != 0)
		return 2;
	if (find_task(&p, what, 0, &f, &t) != 0)
		goto out;
	/* kept attempts: FLOW.TASK.S.A.stdout|stderr */
	buf_printf(&prefix, "%s.%s.", p.flows[f].name, p.flows[f].tasks[t].name);
	buf_printf(&path, "%s/tasks", dir);
	if ((d = opendir(path.data)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			struct attempt a;
			char tail[16];

			if (strncmp(e->d_name, prefix.data, prefix.len) != 0 ||
			    sscanf(e->d_name + prefix.len, "%u.%d.%15s", &a.session, &a.attempt, tail) != 3 ||
			    (strcmp(tail, "stdout") && strcmp(tail, "stderr")))
				continue;
			for (i = 0; i < nlist && cmp_attempt(&list[i], &a); i++)
				;
			if (i == nlist)
				VEC_PUSH(list, nlist, cap, a);
		}
		closedir(d);
	}
	/* the last attempt started, in FLOW.TASK.stdout|stderr */
	if (r.flows[f].tasks[t].ran_attempt > 0) {
		struct attempt a = {r.flows[f].tasks[t].ran_session, r.flows[f].tasks[t].ran_attempt};

		for (i = 0; i < nlist && cmp_attempt(&list[i], &a); i++)
			;
		if (i == nlist)
			VEC_PUSH(list, nlist, cap, a);
	}
	if (nlist)
		qsort(list, nlist, sizeof(*list), cmp_attempt);
	if (!nlist && follow && rundir_holder(dir, &who)) {
		/* --follow waits for a task that has not started yet */
		buf_free(&prefix);
		buf_free(&path);
		buf_free(&who);
		close_run(&p, &m, &r);
		usleep(100000);
		goto again;
	}
	if (!nlist) {
		fprintf(stderr, "flowrun: %s has not run%s\n", what,
			p.flows[f].tasks[t].kind == TASK_BUILTIN ? " (built-in tasks run in flowrun "
								   "and have no output of their own)" : "");
		goto out;
	}
	if (n > (int)nlist) {
		fprintf(stderr, "flowrun: %s has %zu attempt%s, not %d\n", what, nlist,
			nlist == 1 ? "" : "s", n);
		goto out;
	}
	i = n > 0 ? (size_t)n - 1 : nlist - 1;
	/* the journal's last attempt writes the files without a number */
	latest = list[i].session == r.flows[f].tasks[t].ran_session &&
		 list[i].attempt == r.flows[f].tasks[t].ran_attempt;
	path.len = 0;
	if (latest)
		buf_printf(&path, "%s/tasks/%s%s", dir, prefix.data, stream);
	else
		buf_printf(&path, "%s/tasks/%s%u.%d.%s", dir, prefix.data, list[i].session,
			   list[i].attempt, stream);
	status = 0;
	fd = open(path.data, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd >= 0)
		copy_from(fd);
	/* follow the last attempt while a flowrun runs the run */
	while (follow && latest && rundir_holder(dir, &who)) {
		buf_free(&who);
		if (fd < 0)
			fd = open(path.data, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0 || !copy_from(fd))
			usleep(100000);
	}
	if (fd >= 0) {
		copy_from(fd);
		close(fd);
	}
out:
	free(list);
	buf_free(&prefix);
	buf_free(&path);
	buf_free(&who);
	close_run(&p, &m, &r);
	return status;
}

int status_result(const char *dir, const char *what)
{
	struct run_meta m;
	struct replay r;
	struct plan p;
	size_t f, t;
	json_t *out = NULL;
	int status = 2;

	if (open_run(dir, &p, &m, &r, 1) != 0)
		return 2;
	if (find_task(&p, what, 1, &f, &t) != 0)
		goto out;
	if (t < p.flows[f].ntasks) {
		json_t *v = r.flows[f].tasks[t].result;

		if (!v) {
			fprintf(stderr, "flowrun: %s has no result (it has not succeeded)\n", what);
			goto out;
		}
		out = json_incref(v);
	} else {
		out = json_object();
		for (t = 0; t < p.flows[f].ntasks; t++)
			json_object_set(out, p.flows[f].tasks[t].name,
					r.flows[f].tasks[t].result ? r.flows[f].tasks[t].result
								    : json_null());
	}
	{
		char *text = json_text(out, JSON_INDENT(2) | JSON_ENCODE_ANY);

		printf("%s\n", text);
		free(text);
	}
	status = 0;
out:
	json_decref(out);
	close_run(&p, &m, &r);
	return status;
}

/* driver.c: one flowc run's inputs carried through the front end: load the
 * files, build the spec model, resolve flows, run the checks. No output. */
#include "driver.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "resolve.h"
#include "tc.h"

static struct driver_file *new_file(struct driver *d, int given)
{
	struct driver_file *f = xcalloc(1, sizeof(*f));

	f->given = given;
	VEC_PUSH(d->files, d->nfiles, d->filecap, f);
	return f;
}

int driver_add_file(struct driver *d, const char *path, int given)
{
	struct driver_file *f;
	struct stat st;
	size_t i;

	if (stat(path, &st) < 0)
		return -1;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return -1;
	}
	for (i = 0; i < d->nfiles; i++) {
		if (d->files[i]->dev == st.st_dev && d->files[i]->ino == st.st_ino) {
			d->files[i]->given |= given;
			return 0;
		}
	}
	f = new_file(d, given);
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	if (yn_load_file(&f->yaml, path, &d->ds) < 0) {
		int err = errno;

		d->nfiles--;
		free(f);
		errno = err;
		return -1;
	}
	return 0;
}

static int is_spec_name(const char *name)
{
	size_t len = strlen(name);

	if (name[0] == '.')
		return 0;
	return (len > 5 && strcmp(name + len - 5, ".yaml") == 0) ||
	       (len > 4 && strcmp(name + len - 4, ".yml") == 0);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int driver_add_dir(struct driver *d, const char *dir, char **bad)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int rc = 0;

	*bad = NULL;
	if (!dp) {
		*bad = xstrdup(dir);
		return -1;
	}
	VEC_PUSH(d->dirs, d->ndirs, d->dircap, dir);
	errno = 0;
	while ((de = readdir(dp)) != NULL) {
		struct buf path = {0};
		struct stat st;

		if (!is_spec_name(de->d_name))
			continue;
		buf_printf(&path, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", de->d_name);
		if (stat(path.data, &st) == 0 && S_ISREG(st.st_mode))
			VEC_PUSH(names, n, cap, buf_steal(&path));
		else
			buf_free(&path);
		errno = 0;
	}
	if (errno) {
		*bad = xstrdup(dir);
		rc = -1;
	}
	closedir(dp);
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		if (rc == 0 && driver_add_file(d, names[i], 0) < 0) {
			*bad = xstrdup(names[i]);
			rc = -1;
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

void driver_add_string(struct driver *d, const char *name, const char *text)
{
	struct driver_file *f = new_file(d, 1);

	yn_load_string(&f->yaml, name, text, strlen(text), &d->ds);
}

/* Each flow is checked alone (its references bound, its structure, its
 * types). For a large set two threads take CHECK_RUN flows at a time from
 * a counter they share, each into its own arena, type cache and
 * diagnostics: a CPU slower than the other at the moment (two virtual
 * CPUs of a host can differ twofold) takes fewer, where halves would wait
 * for it. */
struct flows_check {
	struct spec_set *set;       /* the flows */
	_Atomic size_t *next;       /* the first flow no thread has taken */
	int strict;                 /* --strict */
	struct arena arena;         /* what the checks make */
	struct strmap types;        /* the types parsed, by their text */
	struct diags ds;            /* what they report */
};

/* a set of at least this many flows is checked by two threads where two
 * CPUs are there */
#define PARALLEL_FLOWS 2048

/* flows a thread takes at a time: few enough that the faster thread
 * takes more of them, enough that taking them costs nothing */
#define CHECK_RUN 64

static void *check_flows(void *arg)
{
	struct flows_check *k = arg;
	size_t n = k->set->nflows, from, to, i;

	while ((from = atomic_fetch_add(k->next, CHECK_RUN)) < n) {
		to = n - from > CHECK_RUN ? from + CHECK_RUN : n;
		for (i = from; i < to; i++)
			resolve_flow_refs(&k->arena, k->set->flows[i], &k->ds);
		for (i = from; i < to; i++)
			check_flow(k->set->flows[i], &k->ds);
		for (i = from; i < to; i++)
			tc_flow(&k->arena, &k->types, k->set->flows[i], k->strict, &k->ds);
	}
	return NULL;
}

/* A second thread's allocations come from a heap of its own, which grows
 * a 4 KiB page at a time (a fault each, the most of what fresh memory
 * costs); what it is about to make is reserved from this thread's, in
 * 2 MiB pages, beforehand (what is left untouched takes no memory). */
#define REF_BYTES_PER_TEXT 2.5 /* a flow's bound references and types, per byte of its text */
#define SPEC_BYTES_PER_NODE 17  /* the spec model of a document, per node */

/* in_parallel: fn(a) in this thread and fn(b) in a second one, both done
 * on return; b after a in this thread when no second one starts */
static void in_parallel(void *(*fn)(void *), void *a, void *b)
{
	pthread_t t;
	int helped = pthread_create(&t, NULL, fn, b) == 0;

	fn(a);
	if (!helped)
		fn(b);
	else if (pthread_join(t, NULL) != 0)
		fatal("internal error: a thread was lost");
}

/* check_all_flows: every flow checked, for a large set by two threads
 * taking runs of flows. Reports of one flow keep their order, and no two
 * flows share a place, so the sorted reports do not depend on who wrote
 * them. */
static void check_all_flows(struct driver *d)
{
	struct spec_set *set = &d->set;
	struct flows_check a, b;
	_Atomic size_t next = 0;

	memset(&a, 0, sizeof(a));
	a.set = set;
	a.next = &next;
	a.strict = d->strict;
	b = a;
	/* this thread's arena and types are the set's */
	a.arena = set->arena;
	a.types = set->types;
	a.ds = d->ds;
	if (set->nflows >= PARALLEL_FLOWS && util_two_cpus()) {
		size_t i, text = 0;

		/* for about half the flows (the second half's text) */
		for (i = set->nflows / 2; i < set->nflows; i++)
			text += set->flows[i]->size.text;
		arena_reserve(&b.arena, (size_t)(REF_BYTES_PER_TEXT * (double)text) + ((size_t)64 << 10));
		in_parallel(check_flows, &a, &b);
	} else {
		check_flows(&a);
	}
	set->arena = a.arena;
	set->types = a.types;
	d->ds = a.ds;
	arena_release_tail(&b.arena); /* what was reserved and not used */
	arena_adopt(&set->arena, &b.arena);
	strmap_free(&b.types);
	diag_move(&d->ds, &b.ds);
}

/* Documents read into a set alone: [from, to) of every file's, in file
 * order, into a set and diagnostics of their own. */
struct docs_add {
	const struct ynode **docs;  /* every document */
	const struct yn_size **sizes; /* and its size */
	size_t from, to;            /* those to read */
	struct spec_set set;        /* what they define */
	struct diags ds;            /* what they report */
};

static void *add_docs(void *arg)
{
	struct docs_add *k = arg;
	size_t i;

	for (i = k->from; i < k->to; i++)
		spec_add_document(&k->set, k->docs[i], k->sizes[i], &k->ds);
	return NULL;
}

/* add_all_docs: every document of every file into the set, in file
 * order; for many, the second half (by nodes) by a second thread, whose
 * flows and flows of flows come after the first half's, as they would */
static void add_all_docs(struct driver *d, const struct ynode **docs, const struct yn_size **sizes,
			 size_t n)
{
	struct docs_add a = {docs, sizes, 0, n, d->set, d->ds}, b = a;
	size_t i, nodes = 0, half = 0;

	memset(&b.set, 0, sizeof(b.set));
	memset(&b.ds, 0, sizeof(b.ds));
	b.from = n;
	if (n >= PARALLEL_FLOWS && util_two_cpus()) {
		for (i = 0; i < n; i++)
			nodes += sizes[i]->nodes;
		for (a.to = 0; a.to < n && half < nodes / 2; a.to++)
			half += sizes[a.to]->nodes;
		b.from = a.to;
		arena_reserve(&b.set.arena, SPEC_BYTES_PER_NODE * (nodes - half) + ((size_t)64 << 10));
		in_parallel(add_docs, &a, &b);
	} else {
		add_docs(&a);
	}
	d->set = a.set;
	d->ds = a.ds;
	for (i = 0; i < b.set.nflows; i++)
		VEC_PUSH(d->set.flows, d->set.nflows, d->set.flowcap, b.set.flows[i]);
	for (i = 0; i < b.set.nfofs; i++)
		VEC_PUSH(d->set.fofs, d->set.nfofs, d->set.fofcap, b.set.fofs[i]);
	arena_release_tail(&b.set.arena);
	arena_adopt(&d->set.arena, &b.set.arena);
	spec_free(&b.set);
	diag_move(&d->ds, &b.ds);
}

void driver_check(struct driver *d)
{
	const char **unread = NULL;
	const struct ynode **docs = NULL;
	const struct yn_size **sizes = NULL;
	size_t i, j, nunread = 0, cap = 0, ndocs = 0, doccap = 0, sizecap = 0;

	for (i = 0; i < d->nfiles; i++) {
		const struct yfile *y = &d->files[i]->yaml;

		if (y->failed)
			VEC_PUSH(unread, nunread, cap, y->path);
		if (d->files[i]->given && !y->failed && !y->ndocs)
			diag_report(&d->ds, DIAG_W0001, (struct diag_loc){y->path, 0, 0, 0},
				    "file holds no flow or flow of flows");
		for (j = 0; j < y->ndocs; j++) {
			util_grow(&docs, &doccap, ndocs + 1, sizeof(*docs));
			util_grow(&sizes, &sizecap, ndocs + 1, sizeof(*sizes));
			sizes[ndocs] = &y->sizes[j];
			docs[ndocs++] = y->docs[j];
		}
	}
	add_all_docs(d, docs, sizes, ndocs);
	free(docs);
	free(sizes);
	resolve_flows(&d->set, d->dirs, d->ndirs, unread, nunread, &d->ds);
	free(unread);
	check_all_flows(d);
	for (i = 0; i < d->set.nfofs; i++)
		check_fof(d->set.fofs[i], &d->ds);
	for (i = 0; i < d->set.nfofs; i++)
		tc_fof(&d->set, d->set.fofs[i], d->strict, &d->ds);
}

void driver_free(struct driver *d)
{
	size_t i;

	spec_free(&d->set);
	for (i = 0; i < d->nfiles; i++) {
		yn_free(&d->files[i]->yaml);
		free(d->files[i]);
	}
	free(d->files);
	free(d->dirs);
	diag_free(&d->ds);
	memset(d, 0, sizeof(*d));
}

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
 * types). For a large set two threads take CHECK_RUN flows at a time, one
 * from the front of those left, the other from the back, each into its
 * own arena, type cache and diagnostics: a CPU slower than the other at
 * the moment takes fewer, where halves would wait for it, and each thread
 * mostly checks the flows it read (add_all_docs), whose model is in its
 * CPU's caches. */
struct flows_check {
	struct spec_set *set;       /* the flows */
	_Atomic uint64_t *left;     /* the flows no thread has taken: the first
				       in the high 32 bits, just past the last
				       in the low */
	int back;                   /* 1: takes from the back */
	int strict;                 /* --strict */
	struct arena arena;         /* what the checks make */
	struct strmap types;        /* the types parsed, by their text */
	struct strmap refs;         /* the references parsed, by their text */
	struct diags ds;            /* what they report */
};

/* a set of at least this many flows is checked by two threads where two
 * CPUs are there */
#define PARALLEL_FLOWS 2048

/* flows a thread takes at a time: few enough that the faster thread
 * takes more of them, enough that taking them costs nothing */
#define CHECK_RUN 64

/* take_flows: CHECK_RUN flows or what is left, from k's end; 0 once none is */
static int take_flows(struct flows_check *k, size_t *from, size_t *to)
{
	uint64_t left = atomic_load(k->left), lo, hi;

	do {
		lo = left >> 32;
		hi = left & 0xffffffffu;
		if (lo >= hi)
			return 0;
		if (k->back) {
			*to = hi;
			*from = hi - lo > CHECK_RUN ? hi - CHECK_RUN : lo;
			hi = *from;
		} else {
			*from = lo;
			*to = hi - lo > CHECK_RUN ? lo + CHECK_RUN : hi;
			lo = *to;
		}
	} while (!atomic_compare_exchange_weak(k->left, &left, lo << 32 | hi));
	return 1;
}

static void *check_flows(void *arg)
{
	struct flows_check *k = arg;
	size_t from, to, i;

	while (take_flows(k, &from, &to)) {
		for (i = from; i < to; i++)
			resolve_flow_refs(&k->arena, &k->refs, k->set->flows[i], &k->ds);
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

/* Work given to a second thread: started by second_start, done once
 * second_end returns (in this thread then, when no second one started;
 * nothing for a second never started). */
struct second {
	void *(*fn)(void *);        /* the work */
	void *arg;                  /* fn's */
	pthread_t t;                /* the thread doing it */
	int started;                /* 1 when t was started */
};

static void second_start(struct second *s, void *(*fn)(void *), void *arg)
{
	s->fn = fn;
	s->arg = arg;
	s->started = pthread_create(&s->t, NULL, fn, arg) == 0;
}

static void second_end(struct second *s)
{
	if (s->started) {
		if (pthread_join(s->t, NULL) != 0)
			fatal("internal error: a thread was lost");
	} else if (s->fn) {
		s->fn(s->arg);
	}
}

/* in_parallel: fn(a) in this thread and fn(b) in a second one, both done
 * on return; b after a in this thread when no second one starts */
static void in_parallel(void *(*fn)(void *), void *a, void *b)
{
	struct second s;

	second_start(&s, fn, b);
	fn(a);
	second_end(&s);
}

/* resolve_and_check: the set resolved (resolve_flows) and every flow
 * checked; for a large set, by two threads taking runs of flows, the
 * second one starting while this one resolves. Resolving writes flows of
 * flows, their entries and compositions and a flow's weight; checking a
 * flow writes its references, its parameters' and tasks' types and its
 * tasks' order; both only read what flows hold besides. Reports of one
 * flow keep their order, and no two flows share a place, so the sorted
 * reports do not depend on who wrote them. */
static void resolve_and_check(struct driver *d, const char *const *unread, size_t nunread)
{
	struct spec_set *set = &d->set;
	struct flows_check a, b;
	_Atomic uint64_t left;
	struct second back = {0};

	if (set->nflows > UINT32_MAX) /* each takes far more than a byte */
		fatal("out of memory");
	atomic_init(&left, (uint64_t)set->nflows);
	memset(&a, 0, sizeof(a));
	a.set = set;
	a.left = &left;
	a.strict = d->strict;
	b = a;
	b.back = 1;
	if (set->nflows >= PARALLEL_FLOWS && util_two_cpus()) {
		size_t i, text = 0;

		/* for the back's two thirds of the flows: it checks alone
		 * while this thread resolves */
		for (i = set->nflows / 3; i < set->nflows; i++)
			text += set->flows[i]->size.text;
		arena_reserve(&b.arena, (size_t)(REF_BYTES_PER_TEXT * (double)text) + ((size_t)64 << 10));
		second_start(&back, check_flows, &b);
	}
	resolve_flows(set, d->dirs, d->ndirs, unread, nunread, &d->ds);
	/* this thread's arena, types and reports are the set's */
	a.arena = set->arena;
	a.types = set->types;
	a.ds = d->ds;
	check_flows(&a);
	second_end(&back);
	set->arena = a.arena;
	set->types = a.types;
	d->ds = a.ds;
	arena_release_tail(&b.arena); /* what was reserved and not used */
	arena_adopt(&set->arena, &b.arena);
	strmap_free(&b.types);
	strmap_free(&a.refs);
	strmap_free(&b.refs);
	diag_move(&d->ds, &b.ds);
}

enum { MADE_NOTHING, MADE_FLOW, MADE_FOF };

/* a document's side when the thread that parsed it does not say */
#define SIDE_FREE 2

/* one document of a file, to read into the set */
struct doc {
	const struct ynode *root;   /* the document */
	const struct yn_size *size; /* its size */
	unsigned char side;         /* which of two threads reads it (or SIDE_FREE) */
	unsigned char made;         /* what it made (MADE_...), once read */
};

/* Documents read into a set alone: those of one side of every file's, in
 * file order, into a set and diagnostics of their own. */
struct docs_add {
	struct doc *docs;           /* every document */
	size_t n;                   /* number of docs */
	unsigned char me;           /* the side this one reads */
	struct spec_set set;        /* what they define */
	struct diags ds;            /* what they report */
};

static void *add_docs(void *arg)
{
	struct docs_add *k = arg;
	size_t i, flows, fofs;

	for (i = 0; i < k->n; i++) {
		struct doc *doc = &k->docs[i];

		if (doc->side != k->me)
			continue;
		flows = k->set.nflows;
		fofs = k->set.nfofs;
		spec_add_document(&k->set, doc->root, doc->size, &k->ds);
		doc->made = k->set.nflows > flows ? MADE_FLOW : k->set.nfofs > fofs ? MADE_FOF : MADE_NOTHING;
	}
	return NULL;
}

/* add_all_docs: every document of every file into the set, in file
 * order. For many, by two threads: each document by the thread that
 * parsed it where a file was parsed by two (its nodes are in that CPU's
 * caches for a while: read by the other, the documents of a 10,000-flow
 * spec took three times as long), others to the first thread until it
 * holds half the nodes of all; the flows and flows of flows of both then
 * in the order of the documents that made them. */
static void add_all_docs(struct driver *d, struct doc *docs, size_t n)
{
	struct docs_add a = {docs, n, 0, d->set, d->ds}, b = a;
	size_t i, ia, ib, k, nodes = 0, nodes0 = 0;
	struct spec_flow **flows;
	struct spec_fof **fofs;

	memset(&b.set, 0, sizeof(b.set));
	memset(&b.ds, 0, sizeof(b.ds));
	b.me = 1;
	if (n >= PARALLEL_FLOWS && util_two_cpus()) {
		/* free documents to side 0 until it holds half the nodes */
		for (i = 0; i < n; i++) {
			nodes += docs[i].size->nodes;
			if (docs[i].side == 0)
				nodes0 += docs[i].size->nodes;
		}
		for (i = 0; i < n; i++)
			if (docs[i].side == SIDE_FREE && !(docs[i].side = nodes0 >= nodes / 2))
				nodes0 += docs[i].size->nodes;
		arena_reserve(&b.set.arena, SPEC_BYTES_PER_NODE * (nodes - nodes0) + ((size_t)64 << 10));
		in_parallel(add_docs, &a, &b);
	} else {
		for (i = 0; i < n; i++)
			docs[i].side = 0;
		add_docs(&a);
	}
	/* the set held nothing before: its flows and flows of flows are the
	 * documents', in their order */
	flows = xmalloc((a.set.nflows + b.set.nflows + 1) * sizeof(*flows));
	fofs = xmalloc((a.set.nfofs + b.set.nfofs + 1) * sizeof(*fofs));
	for (i = ia = ib = k = 0; i < n; i++)
		if (docs[i].made == MADE_FLOW)
			flows[k++] = docs[i].side ? b.set.flows[ib++] : a.set.flows[ia++];
	for (i = ia = ib = k = 0; i < n; i++)
		if (docs[i].made == MADE_FOF)
			fofs[k++] = docs[i].side ? b.set.fofs[ib++] : a.set.fofs[ia++];
	d->set = a.set;
	d->ds = a.ds;
	free(d->set.flows);
	free(d->set.fofs);
	d->set.flows = flows;
	d->set.nflows = d->set.flowcap = a.set.nflows + b.set.nflows;
	d->set.fofs = fofs;
	d->set.nfofs = d->set.fofcap = a.set.nfofs + b.set.nfofs;
	arena_release_tail(&b.set.arena);
	arena_adopt(&d->set.arena, &b.set.arena);
	spec_free(&b.set);
	diag_move(&d->ds, &b.ds);
}

void driver_check(struct driver *d)
{
	const char **unread = NULL;
	struct doc *docs = NULL;
	size_t i, j, nunread = 0, cap = 0, ndocs = 0, doccap = 0;

	for (i = 0; i < d->nfiles; i++) {
		const struct yfile *y = &d->files[i]->yaml;

		if (y->failed)
			VEC_PUSH(unread, nunread, cap, y->path);
		if (d->files[i]->given && !y->failed && !y->ndocs)
			diag_report(&d->ds, DIAG_W0001, (struct diag_loc){y->path, 0, 0, 0},
				    "file holds no flow or flow of flows");
		for (j = 0; j < y->ndocs; j++) {
			/* a file parsed by two threads: the side of the one that did */
			struct doc doc = {y->docs[j], &y->sizes[j],
					  y->split == y->ndocs ? SIDE_FREE : j >= y->split, MADE_NOTHING};

			VEC_PUSH(docs, ndocs, doccap, doc);
		}
	}
	add_all_docs(d, docs, ndocs);
	free(docs);
	resolve_and_check(d, unread, nunread);
	free(unread);
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

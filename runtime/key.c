/* key.c: a task's key: its definition without its templates, the
 * templates resolved (a bundled file as "@bundle/PATH", wherever this run
 * put it), its image's id, the SHA-256 of every bundled file when it names
 * one, and of each file its referenced values hold (by their types), all
 * in one JSON document with sorted keys, hashed. */
#include "key.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json_text.h"
#include "sha256.h"

/* where a key's templates see a bundled file */
#define KEY_BUNDLE_DIR "@bundle"

/* the hashes of the files read so far in this process, by what identifies
 * a file's content without reading it (device, inode, size, modification
 * and change times to the nanosecond): tasks given the same large file
 * read it once */
static struct strmap memo;

int key_file_sha(const struct files *files, const char *fs, const char *name, char hex[65],
		 struct buf *why)
{
	struct stat st;
	struct buf id = {0};
	const char *known;
	int fd = files_open(files, fs, name, why);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0) {
		buf_printf(&id, "%llu:%llu:%lld:%lld.%ld:%lld.%ld", (unsigned long long)st.st_dev,
			   (unsigned long long)st.st_ino, (long long)st.st_size,
			   (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
			   (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
		if ((known = strmap_get(&memo, id.data, id.len)) != NULL) {
			memcpy(hex, known, 65);
			close(fd);
			buf_free(&id);
			return 0;
		}
	}
	if (sha256_fd_hex(fd, hex) != 0) {
		buf_printf(why, "cannot read %s: %s", name, strerror(errno));
		close(fd);
		buf_free(&id);
		return -1;
	}
	close(fd);
	if (id.len) {
		/* the key and the hash in one allocation, kept for the process */
		char *kept = xmalloc(id.len + 1 + 65);

		memcpy(kept, id.data, id.len + 1);
		memcpy(kept + id.len + 1, hex, 65);
		strmap_put(&memo, kept, id.len, kept + id.len + 1);
	}
	buf_free(&id);
	return 0;
}

void key_type_walk(const struct type *t, const json_t *v, const struct key_walk *w)
{
	const char *k;
	const json_t *e;
	size_t i;

	switch (t->kind) {
	case TYPE_FILE: {
		const char *fs = json_string_value(json_object_get(v, "filesystem_identifier"));
		const char *name = json_string_value(json_object_get(v, "filename"));

		if (fs && name && w->file)
			w->file(w->ctx, fs, name);
		break;
	}
	case TYPE_DB:
		if (w->db)
			w->db(w->ctx, v);
		break;
	case TYPE_OPTIONAL:
		if (!json_is_null(v))
			key_type_walk(t->elem, v, w);
		break;
	case TYPE_LIST:
		json_array_foreach(v, i, e)
			key_type_walk(t->elem, e, w);
		break;
	case TYPE_DICT:
		json_object_foreach((json_t *)v, k, e)
			key_type_walk(t->elem, e, w);
		break;
	case TYPE_RECORD:
		for (i = 0; i < t->nfields; i++)
			if ((e = json_object_get(v, t->fields[i].name)) != NULL)
				key_type_walk(t->fields[i].type, e, w);
		break;
	default:
		break;
	}
}

/* what a task's templates name, gathered */
struct named {
	const struct plan_flow *pf;
	struct key_refs *refs;      /* or NULL */
	int bundled;                /* a bundled file is named */
};

static void on_ref(void *ctx, const json_t *ref)
{
	struct named *n = ctx;
	struct key_refs *r = n->refs;
	const json_t *p = json_object_get(ref, "param"), *t = json_object_get(ref, "task");

	if (!r)
		return;
	if (json_is_integer(p) && (size_t)json_integer_value(p) < n->pf->nparams)
		VEC_PUSH(r->params, r->nparams, r->pcap, (size_t)json_integer_value(p));
	else if (json_is_integer(t) && (size_t)json_integer_value(t) < n->pf->ntasks)
		VEC_PUSH(r->tasks, r->ntasks, r->tcap, (size_t)json_integer_value(t));
}

static void on_bundled(void *ctx, const char *path)
{
	(void)path;
	((struct named *)ctx)->bundled = 1;
}

/* visit_task: what pt's run, with and env name, into n */
static void visit_task(const struct plan_task *pt, struct named *n)
{
	struct tmpl_visitor v = {on_ref, on_bundled, n};
	const char *k;
	const json_t *e;
	size_t i;

	json_array_foreach(pt->argv, i, e)
		tmpl_visit(e, &v);
	if (pt->with)
		tmpl_visit(pt->with, &v);
	json_object_foreach((json_t *)pt->env, k, e)
		tmpl_visit(e, &v);
}

struct reader {
	const struct files *files;
	json_t *read;               /* what was read so far */
};

static void read_file(void *ctx, const char *fs, const char *name)
{
	struct reader *rd = ctx;
	struct buf id = {0}, why = {0};
	char hex[65];

	buf_printf(&id, "%s:%s", fs, name);
	if (!json_object_get(rd->read, id.data))
		json_object_set_new(rd->read, id.data,
				    key_file_sha(rd->files, fs, name, hex, &why) == 0 ? json_string(hex)
										  : json_null());
	buf_free(&id);
	buf_free(&why);
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* sort_unique: v sorted, each index once; the new count */
static size_t sort_unique(size_t *v, size_t n)
{
	size_t i, k = 0;

	if (n < 2)
		return n;
	qsort(v, n, sizeof(*v), cmp_size);
	for (i = 0; i < n; i++)
		if (k == 0 || v[i] != v[k - 1])
			v[k++] = v[i];
	return k;
}

void key_refs(const struct plan_flow *pf, const struct plan_task *pt, struct key_refs *r)
{
	struct named n = {pf, r, 0};

	memset(r, 0, sizeof(*r));
	visit_task(pt, &n);
	r->nparams = sort_unique(r->params, r->nparams);
	r->ntasks = sort_unique(r->tasks, r->ntasks);
}

void key_refs_free(struct key_refs *r)
{
	free(r->params);
	free(r->tasks);
	memset(r, 0, sizeof(*r));
}

/* files_read: the files the values in's task references hold, by content */
static json_t *files_read(const struct key_in *in)
{
	const struct plan_flow *pf = in->flow;
	struct key_refs r;
	struct reader rd = {in->files, NULL};
	struct key_walk w = {read_file, NULL, &rd};
	size_t i;

	key_refs(pf, in->task, &r);
	rd.read = json_object();
	for (i = 0; i < r.nparams; i++)
		if (in->scope->params[r.params[i]])
			key_type_walk(pf->params[r.params[i]].type, in->scope->params[r.params[i]], &w);
	for (i = 0; i < r.ntasks; i++)
		if (in->scope->results[r.tasks[i]])
			key_type_walk(pf->tasks[r.tasks[i]].result, in->scope->results[r.tasks[i]], &w);
	key_refs_free(&r);
	if (json_object_size(rd.read) == 0) {
		json_decref(rd.read);
		return NULL;
	}
	return rd.read;
}

/* add_bundled: a task that names a bundled file depends on every file of
 * the bundle (a script reads its helpers, listed under `bundle`): their
 * SHA-256 into files (path -> hash) */
static void add_bundled(const struct plan *p, const struct plan_task *pt, json_t *files)
{
	struct named n = {NULL, NULL, 0};
	size_t i;

	if (!p->nfiles)
		return;
	visit_task(pt, &n);
	for (i = 0; n.bundled && i < p->nfiles; i++)
		json_object_set_new(files, p->files[i].path, json_string(p->files[i].sha256));
}

json_t *key_bundled(const struct plan *p, const struct plan_task *pt)
{
	json_t *files = json_object();

	add_bundled(p, pt, files);
	return files;
}

int key_task(const struct key_in *in, struct task_key *k, struct buf *why)
{
	const struct plan_task *pt = in->task;
	struct tmpl_scope ks = *in->scope;
	json_t *doc = json_object(), *def = json_copy((json_t *)pt->json), *argv = json_array();
	json_t *env = json_object(), *bundled = json_object(), *with = NULL;
	const char *name;
	const json_t *a;
	char *text;
	size_t i;
	int rc = -1;

	k->hex[0] = '\0';
	k->read = NULL;
	ks.bundle_dir = KEY_BUNDLE_DIR;
	/* the templates are in the key as their values */
	json_object_del(def, "needs");
	json_object_del(def, "argv");
	json_object_del(def, "with");
	json_object_del(def, "env");
	json_array_foreach(pt->argv, i, a) {
		if (!(text = tmpl_text(a, &ks, why)))
			goto out;
		json_array_append_new(argv, json_string(text));
		free(text);
	}
	json_object_foreach((json_t *)pt->env, name, a) {
		if (!(text = tmpl_text(a, &ks, why)))
			goto out;
		json_object_set_new(env, name, json_string(text));
		free(text);
	}
	if (pt->with && !(with = tmpl_value(pt->with, &ks, why)))
		goto out;
	add_bundled(in->plan, pt, bundled);
	k->read = files_read(in);
	json_object_set_new(doc, "task", def);
	json_object_set_new(doc, "argv", argv);
	json_object_set_new(doc, "env", env);
	json_object_set_new(doc, "bundled", bundled);
	json_object_set_new(doc, "with", with ? with : json_null());
	json_object_set_new(doc, "image", in->image_id ? json_string(in->image_id) : json_null());
	json_object_set(doc, "read", k->read ? k->read : json_null());
	def = argv = env = bundled = NULL;
	text = json_text(doc, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	sha256_hex(text, strlen(text), k->hex);
	free(text);
	rc = 0;
out:
	json_decref(def);
	json_decref(argv);
	json_decref(env);
	json_decref(bundled);
	json_decref(doc);
	return rc;
}

void key_clear(struct task_key *k)
{
	json_decref(k->read);
	k->read = NULL;
	k->hex[0] = '\0';
}

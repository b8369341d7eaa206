/* bundle.c: the local files a plan's tasks run, for `flowc compile
 * --bundle`: every literal `run` argument naming a file next to its spec,
 * and what a flow's `bundle` lists, read and hashed; their layout is kept
 * below the deepest directory holding them all. */
#include "bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base64.h"
#include "sha256.h"

/* spec_dir: the directory of the spec file n was read from */
static char *spec_dir(const struct ynode *n)
{
	const char *file = yn_loc(n).file, *slash = strrchr(file, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == file)
		return xstrdup("/");
	return xstrndup(file, (size_t)(slash - file));
}

/* read_file: a regular file of at most BUNDLE_MAX_FILE bytes into f;
 * 0, or -1 with why */
static int read_file(struct bundle_file *f, struct buf *why)
{
	int fd = open(f->abs, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	char chunk[65536];
	ssize_t got;

	if (fd < 0 || fstat(fd, &st) != 0) {
		buf_printf(why, "%s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size > BUNDLE_MAX_FILE) {
		buf_printf(why, S_ISREG(st.st_mode) ? "larger than %zu MiB" : "not a regular file",
			   BUNDLE_MAX_FILE >> 20);
		close(fd);
		return -1;
	}
	f->exec = (st.st_mode & 0111) != 0;
	while ((got = read(fd, chunk, sizeof(chunk))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 || f->data.len + (size_t)got > BUNDLE_MAX_FILE) {
			buf_printf(why, "%s", got < 0 ? strerror(errno) : "it grew while it was read");
			close(fd);
			return -1;
		}
		buf_add(&f->data, chunk, (size_t)got);
	}
	close(fd);
	sha256_hex(f->data.data ? f->data.data : "", f->data.len, f->sha256);
	return 0;
}

/* add: the file at path (relative to the spec of node n) to the bundle;
 * argv: n is a `run` argument (not a file here: not bundled, silently),
 * else a `bundle` entry (not a file here: E0117) */
static void add(struct bundle *b, const struct ynode *n, int argv, struct diags *ds)
{
	char *dir = spec_dir(n), *abs;
	struct buf path = {0}, why = {0};
	struct bundle_file f;
	struct stat st;
	void *idx;

	buf_printf(&path, "%s/%s", dir, n->str);
	free(dir);
	if (argv && (stat(path.data, &st) != 0 || !S_ISREG(st.st_mode))) {
		buf_free(&path);
		return;
	}
	abs = realpath(path.data, NULL);
	if (!abs) {
		diag_report(ds, DIAG_E0117, yn_loc(n), "cannot bundle '%s': %s: %s", diag_quote(n->str),
			    path.data, strerror(errno));
		buf_free(&path);
		return;
	}
	idx = strmap_get(&b->abs, abs, strlen(abs));
	if (!idx) {
		memset(&f, 0, sizeof(f));
		f.abs = abs;
		if (read_file(&f, &why) != 0) {
			diag_report(ds, DIAG_E0117, yn_loc(n), "cannot bundle '%s': %s: %s",
				    diag_quote(n->str), path.data, why.data);
			buf_free(&f.data);
			free(abs);
			buf_free(&why);
			buf_free(&path);
			return;
		}
		VEC_PUSH(b->files, b->n, b->cap, f);
		idx = (void *)(uintptr_t)b->n;
		strmap_put(&b->abs, abs, strlen(abs), idx);
	} else {
		free(abs);
	}
	if (argv) {
		const struct ynode **key = arena_alloc(&b->keys, sizeof(*key));

		*key = n;
		strmap_put(&b->nodes, (const char *)key, sizeof(*key), idx);
	}
	buf_free(&path);
}

/* common_dir: the length of the deepest directory holding every file */
static size_t common_dir(const struct bundle *b)
{
	size_t len = strrchr(b->files[0].abs, '/') - b->files[0].abs, i, k;

	for (i = 1; i < b->n; i++) {
		const char *a = b->files[0].abs, *p = b->files[i].abs;

		for (k = 0; k < len && a[k] == p[k]; k++)
			;
		if (k < len || p[len] != '/') {
			/* back to the last '/' both share */
			if (k == len)
				k--;
			while (k > 0 && a[k] != '/')
				k--;
			len = k;
		}
	}
	return len;
}

void bundle_collect(struct bundle *b, const struct comp *c, struct diags *ds)
{
	struct strmap seen = {0};
	size_t i, j, k, prefix;

	for (i = 0; i < c->nflows; i++) {
		const struct spec_flow *f = c->flows[i].flow;

		/* the key lives in c, as long as seen */
		if (strmap_put(&seen, (const char *)&c->flows[i].flow, sizeof(f), (void *)f) != f)
			continue; /* composed twice: its files once */
		for (j = 0; j < f->ntasks; j++) {
			const struct spec_task *t = &f->tasks[j];
			size_t first;

			for (k = 0; t->action == SPEC_RUN && k < t->run->n; k++) {
				const struct ynode *n = yn_item(t->run, k);

				if (n->len && n->str[0] != '/' && !spec_refs_in(t, n, &first))
					add(b, n, 1, ds);
			}
		}
		for (k = 0; f->bundle && k < f->bundle->n; k++)
			add(b, yn_item(f->bundle, k), 0, ds);
	}
	strmap_free(&seen);
	if (!b->n)
		return;
	prefix = common_dir(b);
	for (i = 0; i < b->n; i++)
		b->files[i].path = b->files[i].abs + prefix + 1;
}

const char *bundle_path(const struct bundle *b, const struct ynode *n)
{
	void *idx = strmap_get(&b->nodes, (const char *)&n, sizeof(n));

	return idx ? b->files[(size_t)(uintptr_t)idx - 1].path : NULL;
}

static int cmp_path(const void *pa, const void *pb)
{
	return strcmp((*(const struct bundle_file *const *)pa)->path,
		      (*(const struct bundle_file *const *)pb)->path);
}

json_t *bundle_json(const struct bundle *b)
{
	const struct bundle_file **v = xmalloc((b->n ? b->n : 1) * sizeof(*v));
	json_t *files = json_array();
	size_t i;

	for (i = 0; i < b->n; i++)
		v[i] = &b->files[i];
	qsort(v, b->n, sizeof(*v), cmp_path);
	for (i = 0; i < b->n; i++) {
		struct buf text = {0};

		base64_encode(&text, (const unsigned char *)(v[i]->data.data ? v[i]->data.data : ""),
			      v[i]->data.len);
		json_array_append_new(files, json_pack("{s:s,s:s,s:b,s:s%}", "path", v[i]->path,
						       "sha256", v[i]->sha256, "executable",
						       v[i]->exec, "base64",
						       text.data ? text.data : "", text.len));
		buf_free(&text);
	}
	free(v);
	return files;
}

void bundle_free(struct bundle *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		free(b->files[i].abs);
		buf_free(&b->files[i].data);
	}
	free(b->files);
	strmap_free(&b->nodes);
	strmap_free(&b->abs);
	arena_free(&b->keys);
	memset(b, 0, sizeof(*b));
}

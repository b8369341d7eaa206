/* files.c: named filesystems: roots configured at run time, and filenames
 * resolved inside them, refusing any that escapes its root. It reads and
 * writes no file content. */
#include "files.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int files_add(struct files *fs, const char *spec, struct buf *why)
{
	const char *eq = strchr(spec, '=');
	char *root;
	size_t i;

	if (!eq || eq == spec || !eq[1]) {
		buf_printf(why, "--filesystem takes NAME=DIR, not '%s'", spec);
		return -1;
	}
	root = realpath(eq + 1, NULL);
	if (!root) {
		buf_printf(why, "filesystem %.*s: %s: %s", (int)(eq - spec), spec, eq + 1, strerror(errno));
		return -1;
	}
	for (i = 0; i < fs->n; i++) {
		if (strlen(fs->names[i]) == (size_t)(eq - spec) &&
		    strncmp(fs->names[i], spec, (size_t)(eq - spec)) == 0) {
			free(fs->roots[i]);
			fs->roots[i] = root;
			return 0;
		}
	}
	util_grow(&fs->names, &fs->cap, fs->n + 1, sizeof(*fs->names));
	fs->roots = xreallocarray(fs->roots, fs->cap, sizeof(*fs->roots));
	fs->names[fs->n] = xstrndup(spec, (size_t)(eq - spec));
	fs->roots[fs->n++] = root;
	return 0;
}

static int inside(const char *root, const char *path)
{
	size_t n = strlen(root);

	if (strcmp(root, "/") == 0)
		return 1;
	return strncmp(path, root, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

char *files_path(const struct files *fs, const char *name, const char *filename, int create_dirs,
		 struct buf *why)
{
	const char *root = NULL, *p;
	struct buf path = {0};
	size_t i, keep;
	char *real;

	for (i = 0; i < fs->n; i++)
		if (strcmp(fs->names[i], name) == 0)
			root = fs->roots[i];
	if (!root) {
		buf_printf(why, "unknown filesystem '%s' (give it with --filesystem %s=DIR)", name, name);
		return NULL;
	}
	/* lexical normalisation: absolute names must already lie in the root */
	buf_puts(&path, filename[0] == '/' ? "" : root);
	keep = filename[0] == '/' ? 0 : path.len;
	for (p = filename; *p;) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == 0 || (len == 1 && p[0] == '.')) {
			/* nothing */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			char *slash = path.len > keep ? strrchr(path.data, '/') : NULL;

			if (!slash || (size_t)(slash - path.data) < keep) {
				buf_printf(why, "'%s' leaves filesystem '%s' (%s)", filename, name, root);
				buf_free(&path);
				return NULL;
			}
			path.len = (size_t)(slash - path.data);
			path.data[path.len] = '\0';
		} else {
			buf_putc(&path, '/');
			buf_add(&path, p, len);
		}
		p += len + (end ? 1 : 0);
	}
	if (!path.len || !inside(root, path.data)) {
		buf_printf(why, "'%s' is outside filesystem '%s' (%s)", filename, name, root);
		buf_free(&path);
		return NULL;
	}
	/* symlinks: every existing directory on the way must resolve inside */
	for (i = strlen(root) + 1; i <= path.len; i++) {
		char saved;

		if (path.data[i] != '/' && path.data[i] != '\0')
			continue;
		saved = path.data[i];
		path.data[i] = '\0';
		real = realpath(path.data, NULL);
		if (!real && errno == ENOENT && saved == '/' && create_dirs) {
			if (mkdir(path.data, 0755) != 0 && errno != EEXIST) {
				buf_printf(why, "cannot make directory %s: %s", path.data, strerror(errno));
				buf_free(&path);
				return NULL;
			}
			real = realpath(path.data, NULL);
		}
		if (real && !inside(root, real)) {
			buf_printf(why, "'%s' leads outside filesystem '%s' through a symbolic link",
				   filename, name);
			free(real);
			buf_free(&path);
			return NULL;
		}
		path.data[i] = saved;
		if (!real && saved == '/')
			break; /* the rest does not exist yet */
		free(real);
	}
	return buf_steal(&path);
}

void files_free(struct files *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++) {
		free(fs->names[i]);
		free(fs->roots[i]);
	}
	free(fs->names);
	free(fs->roots);
	memset(fs, 0, sizeof(*fs));
}

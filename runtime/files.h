/* files.h: named filesystems (docs/run.md, "Built-in tasks"): roots
 * configured at run time, and files read and written beneath them. A name
 * is resolved and opened in one step from the root's open directory, so
 * that no symbolic link, whenever it appears, leads a read or a write
 * outside the root. */
#ifndef FLOWRUN_FILES_H
#define FLOWRUN_FILES_H

#include "util.h"

struct files {
	char **names;   /* filesystem names */
	char **roots;   /* their roots, absolute and without symlinks */
	int *fds;       /* their roots, open (O_PATH) */
	size_t n;       /* number of filesystems */
	size_t cap;     /* allocated */
};

/* files_root: the root of filesystem name, or NULL when there is none */
const char *files_root(const struct files *fs, const char *name);
/* files_add: NAME=DIR; 0, or -1 with why (DIR must exist) */
int files_add(struct files *fs, const char *spec, struct buf *why);
/* files_write: data as filename in filesystem name, atomically (a
 * temporary file renamed over it), mode 0666 less the umask; its parent
 * directories made when create_dirs. 0, or -1 with why: the filesystem is
 * unknown, the name escapes the root (.., an absolute path elsewhere, a
 * symbolic link out), or the write failed. */
int files_write(const struct files *fs, const char *name, const char *filename, int create_dirs,
		const char *data, size_t len, struct buf *why);
/* files_open: filename in filesystem name opened for reading, without
 * blocking; only a regular file is opened. A descriptor, or -1 with why. */
int files_open(const struct files *fs, const char *name, const char *filename, struct buf *why);
void files_free(struct files *fs);

/* files_walk_only: 1 resolves by a walk of O_NOFOLLOW opens, component by
 * component, as on kernels without openat2 (where every symbolic link is
 * refused), 0 uses openat2 where the kernel has it; for tests */
void files_walk_only(int on);

#endif

/* files.h: named filesystems (docs/run.md, "Built-in tasks"): roots
 * configured at run time, and filenames resolved inside them, refusing any
 * that escapes its root. It reads and writes no file content. */
#ifndef FLOWRUN_FILES_H
#define FLOWRUN_FILES_H

#include "util.h"

struct files {
	char **names;   /* filesystem names */
	char **roots;   /* their roots, absolute and without symlinks */
	size_t n;       /* number of filesystems */
	size_t cap;     /* allocated */
};

/* files_add: NAME=DIR; 0, or -1 with why (DIR must exist) */
int files_add(struct files *fs, const char *spec, struct buf *why);
/* files_path: the absolute path of filename inside filesystem name, its
 * parent directories made when create_dirs; NULL with why when the
 * filesystem is unknown or the name escapes the root (.., an absolute path
 * elsewhere, a symlink out) */
char *files_path(const struct files *fs, const char *name, const char *filename, int create_dirs,
		 struct buf *why);
void files_free(struct files *fs);

#endif

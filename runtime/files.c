/* files.c: named filesystems (docs/run.md, "Built-in tasks"). A filename
 * is first normalised lexically (.. may not climb above the root), then
 * opened beneath the root's descriptor: with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_MAGICLINKS) where the kernel has it, which follows a symbolic
 * link only while it stays beneath the root, else by a walk that opens each
 * component with O_NOFOLLOW and so refuses every link. Writes go to a
 * temporary file in the directory opened that way and are renamed within
 * it, so a directory swapped for a link meanwhile changes nothing. */
#define _GNU_SOURCE /* O_PATH, renameat */
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int walk_only;
static int no_openat2; /* the kernel said ENOSYS */

void files_walk_only(int on)
{
	walk_only = on;
}

int files_add(struct files *fs, const char *spec, struct buf *why)
{
	const char *eq = strchr(spec, '=');
	char *root;
	size_t i;
	int fd;

	if (!eq || eq == spec || !eq[1]) {
		buf_printf(why, "--filesystem takes NAME=DIR, not '%s'", spec);
		return -1;
	}
	root = realpath(eq + 1, NULL);
	fd = root ? open(root, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
	if (fd < 0) {
		buf_printf(why, "filesystem %.*s: %s: %s", (int)(eq - spec), spec, eq + 1, strerror(errno));
		free(root);
		return -1;
	}
	for (i = 0; i < fs->n; i++) {
		if (strlen(fs->names[i]) == (size_t)(eq - spec) &&
		    strncmp(fs->names[i], spec, (size_t)(eq - spec)) == 0) {
			free(fs->roots[i]);
			close(fs->fds[i]);
			fs->roots[i] = root;
			fs->fds[i] = fd;
			return 0;
		}
	}
	util_grow(&fs->names, &fs->cap, fs->n + 1, sizeof(*fs->names));
	fs->roots = xreallocarray(fs->roots, fs->cap, sizeof(*fs->roots));
	fs->fds = xreallocarray(fs->fds, fs->cap, sizeof(*fs->fds));
	fs->names[fs->n] = xstrndup(spec, (size_t)(eq - spec));
	fs->roots[fs->n] = root;
	fs->fds[fs->n++] = fd;
	return 0;
}

static int inside(const char *root, const char *path)
{
	size_t n = strlen(root);

	if (strcmp(root, "/") == 0)
		return 1;
	return strncmp(path, root, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* find: the index of filesystem name, or -1 */
static long find(const struct files *fs, const char *name)
{
	size_t i;

	for (i = 0; i < fs->n; i++)
		if (strcmp(fs->names[i], name) == 0)
			return (long)i;
	return -1;
}

const char *files_root(const struct files *fs, const char *name)
{
	long i = find(fs, name);

	return i < 0 ? NULL : fs->roots[i];
}

/* relative: filename as a path relative to filesystem name's root, ".."
 * and "." gone; *root_fd set. NULL with why when it leaves the root. */
static char *relative(const struct files *fs, const char *name, const char *filename, int *root_fd,
		      struct buf *why)
{
	long i = find(fs, name);
	const char *root = i < 0 ? NULL : fs->roots[i], *p;
	struct buf path = {0};
	size_t keep, skip;

	if (i >= 0)
		*root_fd = fs->fds[i];
	if (!root) {
		buf_printf(why, "unknown filesystem '%s' (give it with --filesystem %s=DIR)", name, name);
		return NULL;
	}
	/* absolute names must already lie in the root */
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
	skip = strcmp(root, "/") == 0 ? 1 : strlen(root) + 1;
	if (!path.len || !inside(root, path.data) || path.len <= skip) {
		buf_printf(why, "'%s' is outside filesystem '%s' (%s)", filename, name, root);
		buf_free(&path);
		return NULL;
	}
	memmove(path.data, path.data + skip, path.len - skip + 1);
	return buf_steal(&path);
}

/* open_comp: one component, never through a link: ELOOP when it is one
 * (O_PATH | O_NOFOLLOW would open the link itself, and O_DIRECTORY then
 * says ENOTDIR) */
static int open_comp(int dir_fd, const char *comp, int flags, mode_t mode)
{
	int fd = openat(dir_fd, comp, flags | O_NOFOLLOW | O_CLOEXEC, mode);
	struct stat st;

	if (fd < 0 && errno == ENOTDIR && fstatat(dir_fd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode))
		errno = ELOOP;
	return fd;
}

/* open_beneath: rel (normalised, relative) opened from dir_fd, never
 * leaving it: EXDEV or ELOOP when a symbolic link would */
static int open_beneath(int dir_fd, const char *rel, int flags, mode_t mode)
{
	char *copy, *comp, *slash;
	int fd, cur, err;

	if (!walk_only && !no_openat2) {
		struct open_how how;

		memset(&how, 0, sizeof(how));
		how.flags = (uint64_t)(flags | O_CLOEXEC);
		how.mode = flags & O_CREAT ? mode : 0;
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
		fd = (int)syscall(SYS_openat2, dir_fd, rel, &how, sizeof(how));
		if (fd >= 0 || errno != ENOSYS)
			return fd;
		no_openat2 = 1;
	}
	copy = xstrdup(rel);
	cur = dir_fd;
	for (comp = copy;; comp = slash + 1) {
		slash = strchr(comp, '/');
		if (slash)
			*slash = '\0';
		fd = open_comp(cur, comp, slash ? O_PATH | O_DIRECTORY : flags, mode);
		err = errno;
		if (cur != dir_fd)
			close(cur);
		if (fd < 0 || !slash)
			break;
		cur = fd;
	}
	free(copy);
	errno = err;
	return fd;
}

/* refused: why for an open of rel in filesystem name that failed with errno */
static void refused(const char *name, const char *filename, const char *rel, const char *doing,
		    struct buf *why)
{
	if (errno == EXDEV || errno == ELOOP) {
		buf_printf(why, "'%s' leads outside filesystem '%s' through a symbolic link", filename,
			   name);
		return;
	}
	buf_printf(why, "cannot %s '%s' in filesystem '%s': %s", doing, rel, name, strerror(errno));
}

/* open_dir: the directory part of rel (up to its last '/'), made when
 * create; a descriptor (O_PATH) or -1 */
static int open_dir(int root_fd, char *rel, int create)
{
	char *slash = strrchr(rel, '/'), *p;
	int fd, parent;

	if (!slash)
		return fcntl(root_fd, F_DUPFD_CLOEXEC, 0);
	*slash = '\0';
	fd = open_beneath(root_fd, rel, O_PATH | O_DIRECTORY, 0);
	if (fd >= 0 || errno != ENOENT || !create) {
		*slash = '/';
		return fd;
	}
	/* each missing directory made inside its parent, opened beneath */
	parent = fcntl(root_fd, F_DUPFD_CLOEXEC, 0);
	for (p = rel; parent >= 0; p++) {
		char saved = *p;

		if (saved != '/' && saved != '\0')
			continue;
		*p = '\0';
		fd = open_beneath(root_fd, rel, O_PATH | O_DIRECTORY, 0);
		if (fd < 0 && errno == ENOENT) {
			const char *base = strrchr(rel, '/');

			if (mkdirat(parent, base ? base + 1 : rel, 0777) == 0 || errno == EEXIST)
				fd = open_beneath(root_fd, rel, O_PATH | O_DIRECTORY, 0);
		}
		*p = saved;
		close(parent);
		parent = fd;
		if (saved == '\0')
			break;
	}
	*slash = '/';
	return parent;
}

int files_write(const struct files *fs, const char *name, const char *filename, int create_dirs,
		const char *data, size_t len, struct buf *why)
{
	static unsigned counter;
	char *rel, *base, tmp[64];
	int root_fd = -1, dir_fd, fd = -1, err = 0, tries;
	size_t done = 0;

	rel = relative(fs, name, filename, &root_fd, why);
	if (!rel)
		return -1;
	dir_fd = open_dir(root_fd, rel, create_dirs);
	if (dir_fd < 0) {
		refused(name, filename, rel, "open the directory of", why);
		free(rel);
		return -1;
	}
	base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
	for (tries = 0; fd < 0 && tries < 100; tries++) {
		snprintf(tmp, sizeof(tmp), ".flowrun.%ld.%u.tmp", (long)getpid(), counter++);
		fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		refused(name, filename, rel, "write", why);
		close(dir_fd);
		free(rel);
		return -1;
	}
	err = util_write_all(fd, data, len, &done);
	if (!err && fsync(fd) != 0)
		err = errno;
	if (close(fd) != 0 && !err)
		err = errno;
	if (!err && renameat(dir_fd, tmp, dir_fd, base) != 0)
		err = errno;
	if (err) {
		unlinkat(dir_fd, tmp, 0);
		buf_printf(why, "cannot write '%s' in filesystem '%s': %s", rel, name, strerror(err));
	}
	close(dir_fd);
	free(rel);
	return err ? -1 : 0;
}

int files_open(const struct files *fs, const char *name, const char *filename, struct buf *why)
{
	int root_fd = -1, fd;
	char *rel = relative(fs, name, filename, &root_fd, why);
	struct stat st;

	if (!rel)
		return -1;
	/* O_NONBLOCK: a FIFO opens at once (and is then refused) */
	fd = open_beneath(root_fd, rel, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
	if (fd < 0) {
		refused(name, filename, rel, "read", why);
	} else if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		buf_printf(why, "'%s' in filesystem '%s' is not a regular file", rel, name);
		close(fd);
		fd = -1;
	}
	free(rel);
	return fd;
}

void files_free(struct files *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++) {
		free(fs->names[i]);
		free(fs->roots[i]);
		close(fs->fds[i]);
	}
	free(fs->names);
	free(fs->roots);
	free(fs->fds);
	memset(fs, 0, sizeof(*fs));
}

/* capture.c: a task's output stream, memory then file (docs/run.md,
 * "Limits"). */
#include "capture.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "limits.h"

void capture_init(struct capture *c, char *path, size_t mem_max, size_t cap)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->path = path;
	c->cap = cap;
	c->mem_max = mem_max < cap ? mem_max : cap;
}

/* put: data to the file, opened (truncated) first if need be */
static void put(struct capture *c, const char *data, size_t len)
{
	size_t done = 0;
	int err;

	if (c->broken)
		return;
	if (c->fd < 0) {
		c->fd = open(c->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (c->fd < 0) {
			warn("cannot write %s: %s", c->path, strerror(errno));
			c->broken = 1;
			return;
		}
	}
	err = util_write_all(c->fd, data, len, &done);
	if (err) {
		warn("cannot write %s: %s", c->path, strerror(err));
		c->broken = 1;
	}
}

void capture_add(struct capture *c, const char *data, size_t len)
{
	size_t room = c->kept < c->cap ? c->cap - c->kept : 0;

	c->total += len;
	if (len > room)
		len = room;
	if (!len)
		return;
	if (c->fd < 0 && !c->broken && c->mem.len + len <= c->mem_max) {
		buf_add(&c->mem, data, len);
	} else {
		if (c->mem.len) {
			put(c, c->mem.data, c->mem.len);
			buf_free(&c->mem);
		}
		put(c, data, len);
	}
	c->kept += len;
}

int capture_text(struct capture *c, size_t max, struct buf *out)
{
	char chunk[65536];
	off_t at = 0;

	if (c->total > max || c->kept != c->total || c->broken)
		return -1;
	if (c->fd < 0) {
		buf_add(out, c->mem.data ? c->mem.data : "", c->mem.len);
		return 0;
	}
	while ((size_t)at < c->kept) {
		ssize_t got = pread(c->fd, chunk, sizeof(chunk), at);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			buf_free(out);
			return -1;
		}
		buf_add(out, chunk, (size_t)got);
		at += got;
	}
	return 0;
}

void capture_end(struct capture *c, int keep)
{
	if (keep && c->mem.len)
		put(c, c->mem.data, c->mem.len);
	if (keep && c->total > c->kept && c->fd >= 0) {
		struct buf note = {0};

		buf_printf(&note, "\n[flowrun: %zu more bytes not kept: the limit is ", c->total - c->kept);
		limits_size_text(&note, c->cap);
		buf_puts(&note, " (--max-log)]\n");
		put(c, note.data, note.len);
		buf_free(&note);
	}
	if (c->fd >= 0) {
		close(c->fd);
		if (!keep)
			unlink(c->path);
	}
	buf_free(&c->mem);
	free(c->path);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* capture.h: a task's standard output or error as it comes (docs/run.md,
 * "Limits"): held in memory while it is small, then streamed to its file
 * in the run directory, which keeps at most a given number of bytes; what
 * comes beyond is read and dropped, so memory stays bounded whatever a task
 * writes. */
#ifndef FLOWRUN_CAPTURE_H
#define FLOWRUN_CAPTURE_H

#include <stddef.h>

#include "util.h"

struct capture {
	struct buf mem;     /* what came, while no file is open */
	int fd;             /* the file, once open; -1 before */
	char *path;         /* the file's path, owned */
	size_t total;       /* bytes that came */
	size_t kept;        /* bytes in mem or the file */
	size_t mem_max;     /* bytes held in memory before the file is opened */
	size_t cap;         /* bytes kept at most */
	int broken;         /* the file could not be written (said once) */
};

/* capture_init: an empty capture for the file path (taken) */
void capture_init(struct capture *c, char *path, size_t mem_max, size_t cap);
/* capture_add: len more bytes */
void capture_add(struct capture *c, const char *data, size_t len);
/* capture_text: everything that came, in out, when it is at most max
 * bytes; -1 (nothing in out) when more came or was not kept */
int capture_text(struct capture *c, size_t max, struct buf *out);
/* capture_end: the file completed (keep: what memory holds is written
 * too, and a line saying where the output was cut when it was) or removed
 * (!keep); c is freed */
void capture_end(struct capture *c, int keep);

#endif

/* output.h: where flowc's output goes: standard output, a path that is
 * not a regular file (/dev/null, a FIFO: written to, never replaced), or a
 * regular file replaced only once the output is complete. A failure to
 * write ends flowc (exit 2), naming the path. */
#ifndef FLOWC_OUTPUT_H
#define FLOWC_OUTPUT_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

struct output {
	const char *path;           /* as given; NULL for standard output */
	FILE *fp;                   /* open for writing */
	char *tmp;                  /* the temporary file beside path until it is renamed, or NULL */
	mode_t mode;                /* the temporary file's, once complete */
};

/* output_open: out ready for writing to path, or to standard output when
 * path is NULL or "-" */
void output_open(struct output *out, const char *path);
/* output_write: len bytes of data to out (a struct output: an emit_put_fn) */
void output_write(void *out, const char *data, size_t len);
/* output_close: what was written made complete: flushed, and a temporary
 * file synced and renamed over its path */
void output_close(struct output *out);
/* output_text: text to path as output_open takes it, complete */
void output_text(const char *path, const char *text);

#endif

/* output.c: where flowc's output goes: standard output, a path that is
 * not a regular file, or a regular file replaced only once the output is
 * complete (a temporary file beside it, synced, renamed over it; removed
 * when flowc fails or is killed first). */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* the temporary file being written, removed when flowc exits or is killed
 * before it is complete */
static char *volatile pending_tmp;

static void remove_pending(void)
{
	char *tmp = pending_tmp;

	if (tmp)
		unlink(tmp);
}

/* on_fatal_signal: pending_tmp removed, then sig ends flowc as it would
 * have (its handler is reset on entry) */
static void on_fatal_signal(int sig)
{
	remove_pending();
	raise(sig);
}

/* remove_on_exit: pending_tmp is removed when flowc exits or is stopped by
 * a signal that ends it (and that it does not ignore) before it is renamed */
static void remove_on_exit(void)
{
	static const int sigs[] = {SIGHUP, SIGINT, SIGTERM, SIGXFSZ};
	static int done;
	struct sigaction sa, old;
	size_t i;

	if (done++)
		return;
	atexit(remove_pending);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(*sigs); i++)
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
}

/* output_fail: the temporary file removed, the end of flowc, saying that
 * out could not be written and why (err) */
static void output_fail(struct output *out, int err)
{
	if (out->tmp) {
		unlink(out->tmp);
		pending_tmp = NULL;
	}
	if (!err)
		err = EIO;
	if (!out->path)
		fatal("cannot write to standard output: %s", strerror(err));
	fatal("cannot write '%s': %s", out->path, strerror(err));
}

/* output_open: out ready for writing to path, or to standard output when
 * path is NULL or "-" */
void output_open(struct output *out, const char *path)
{
	struct buf tmp = {0};
	struct stat st;
	mode_t mask;
	int fd;

	memset(out, 0, sizeof(*out));
	if (!path || strcmp(path, "-") == 0) {
		out->fp = stdout;
		return;
	}
	out->path = path;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || !(out->fp = fdopen(fd, "wb")))
			output_fail(out, errno);
		return;
	}
	mask = umask(0);
	umask(mask);
	out->mode = 0666 & ~mask;
	remove_on_exit();
	buf_printf(&tmp, "%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp.data);
	if (fd < 0)
		output_fail(out, errno);
	out->tmp = pending_tmp = buf_steal(&tmp);
	out->fp = fdopen(fd, "wb");
	if (!out->fp)
		output_fail(out, errno);
}

/* output_write: len bytes of data to out (a struct output), or the end of
 * flowc */
void output_write(void *out, const char *data, size_t len)
{
	struct output *o = out;

	if (len && fwrite(data, 1, len, o->fp) != len)
		output_fail(o, errno);
}

/* output_close: what was written to out made complete: flushed, and a
 * temporary file synced and renamed over its path; or the end of flowc */
void output_close(struct output *out)
{
	FILE *fp = out->fp;

	out->fp = NULL;
	if (!out->path) {
		if (fflush(fp) != 0)
			output_fail(out, errno);
		return;
	}
	if (!out->tmp) {
		if (fclose(fp) != 0)
			output_fail(out, errno);
		return;
	}
	if (fflush(fp) != 0 || fsync(fileno(fp)) != 0 || fchmod(fileno(fp), out->mode) != 0) {
		int err = errno;

		fclose(fp);
		output_fail(out, err);
	}
	if (fclose(fp) != 0 || rename(out->tmp, out->path) != 0)
		output_fail(out, errno);
	pending_tmp = NULL;
	free(out->tmp);
	out->tmp = NULL;
}

/* write_output: text to path as output_open takes it */
void output_text(const char *path, const char *text)
{
	struct output out;

	output_open(&out, path);
	output_write(&out, text, strlen(text));
	output_close(&out);
}

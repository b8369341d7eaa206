/* rundir.c: run.json, the run directory's lock and run ids, a bundle's
 * files unpacked, trees removed. Nothing here starts or schedules
 * anything. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "rundir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "json_text.h"

char *rundir_path(const char *dir, const char *name)
{
	struct buf b = {0};

	buf_printf(&b, "%s/%s", dir, name);
	return buf_steal(&b);
}

int rundir_write_meta(const char *dir, const struct run_meta *m, struct buf *why)
{
	json_t *o = json_pack("{s:i,s:s,s:s,s:O,s:O,s:s,s:s,s:s}", "format", RUNDIR_FORMAT, "run_id",
			      m->run_id, "plan_hash", m->plan_hash, "params", m->params, "filesystems",
			      m->filesystems, "results_db", m->results_db, "cwd", m->cwd, "backend",
			      m->backend);
	char *path = rundir_path(dir, "run.json"), *text;
	int rc;

	if (m->partition)
		json_object_set_new(o, "partition", json_string(m->partition));
	if (m->nsbatch_args) {
		json_t *a = json_array();
		size_t i;

		for (i = 0; i < m->nsbatch_args; i++)
			json_array_append_new(a, json_string(m->sbatch_args[i]));
		json_object_set_new(o, "sbatch_args", a);
	}
	json_object_set_new(o, "limits", limits_json(&m->limits));
	json_object_set_new(o, "container_engine", json_string(container_engine_name(m->engine)));
	if (m->pull)
		json_object_set_new(o, "pull", json_true());
	text = json_text(o, JSON_INDENT(2) | JSON_SORT_KEYS);
	/* its parameter values may be secrets: the owner's alone */
	rc = util_write_atomic(path, text, strlen(text), 0600);
	if (rc != 0)
		buf_printf(why, "cannot write %s: %s", path, strerror(errno));
	free(text);
	free(path);
	json_decref(o);
	return rc;
}

static char *dup_member(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? xstrdup(s) : NULL;
}

int rundir_read_meta(const char *dir, struct run_meta *m, struct buf *why)
{
	char *path = rundir_path(dir, "run.json");
	const json_t *fmt, *args, *a;
	json_error_t err;
	json_t *o;
	size_t i;

	memset(m, 0, sizeof(*m));
	o = json_load_file(path, 0, &err);
	if (!o) {
		buf_printf(why, "%s is not a run directory: %s: %s", dir, path, err.text);
		free(path);
		return -1;
	}
	fmt = json_object_get(o, "format");
	if (!json_is_integer(fmt)) {
		buf_printf(why, "%s was written by an earlier flowrun (run directory format 1); this "
			   "flowrun reads format %d: its files stay as they are, but status, result and "
			   "resume need a new run", dir, RUNDIR_FORMAT);
	} else if (json_integer_value(fmt) != RUNDIR_FORMAT) {
		buf_printf(why, "%s has run directory format %lld; this flowrun reads format %d", dir,
			   (long long)json_integer_value(fmt), RUNDIR_FORMAT);
	} else {
		m->run_id = dup_member(o, "run_id");
		m->plan_hash = dup_member(o, "plan_hash");
		m->results_db = dup_member(o, "results_db");
		m->cwd = dup_member(o, "cwd");
		m->backend = dup_member(o, "backend");
		m->partition = dup_member(o, "partition");
		m->params = json_incref(json_object_get(o, "params"));
		limits_default(&m->limits);
		limits_from_json(&m->limits, json_object_get(o, "limits"), why);
		m->filesystems = json_incref(json_object_get(o, "filesystems"));
		m->engine = CONTAINER_DEFAULT_ENGINE;
		if (json_object_get(o, "container_engine") &&
		    container_engine_parse(json_string_value(json_object_get(o, "container_engine")),
					   &m->engine) != 0 && !why->len)
			buf_printf(why, "%s: container_engine is not one this flowrun knows", path);
		m->pull = json_is_true(json_object_get(o, "pull"));
		args = json_object_get(o, "sbatch_args");
		m->sbatch_args = xcalloc(json_array_size(args) + 1, sizeof(*m->sbatch_args));
		json_array_foreach(args, i, a)
			if (json_is_string(a))
				m->sbatch_args[m->nsbatch_args++] = xstrdup(json_string_value(a));
		if (why->len)
			; /* said */
		else if (!m->run_id || !m->plan_hash || !m->results_db || !m->cwd || !m->backend ||
		    !json_is_object(m->params) || !json_is_object(m->filesystems))
			buf_printf(why, "%s: a member is missing or not of its type", path);
		else {
			const char *key;
			const json_t *root;

			json_object_foreach(m->filesystems, key, root)
				if (!json_is_string(root) && !why->len)
					buf_printf(why, "%s: filesystem '%s' is not a path", path, key);
		}
	}
	json_decref(o);
	free(path);
	if (why->len) {
		rundir_free_meta(m);
		return -1;
	}
	return 0;
}

void rundir_free_meta(struct run_meta *m)
{
	size_t i;

	free(m->run_id);
	free(m->plan_hash);
	json_decref(m->params);
	json_decref(m->filesystems);
	free(m->results_db);
	free(m->cwd);
	free(m->backend);
	free(m->partition);
	for (i = 0; i < m->nsbatch_args; i++)
		free(m->sbatch_args[i]);
	free(m->sbatch_args);
	memset(m, 0, sizeof(*m));
}

int rundir_load(const char *dir, struct plan *p, struct run_meta *m, struct buf *why)
{
	char *path = rundir_path(dir, "plan.json");
	struct buf err = {0};
	int rc = 0;

	memset(p, 0, sizeof(*p));
	if (rundir_read_meta(dir, m, why) != 0) {
		rc = -1;
	} else if (plan_load(p, path, &err) != 0) {
		buf_printf(why, "%s: %s", path, err.data);
		rundir_free_meta(m);
		plan_free(p);
		memset(p, 0, sizeof(*p));
		rc = -1;
	}
	free(path);
	buf_free(&err);
	return rc;
}

int rundir_files(const struct run_meta *m, struct files *fs, struct buf *why)
{
	const char *key;
	json_t *root;

	json_object_foreach(m->filesystems, key, root) {
		struct buf spec = {0};
		int rc;

		buf_printf(&spec, "%s=%s", key, json_string_value(root));
		rc = files_add(fs, spec.data, why);
		buf_free(&spec);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* read_holder: what the holder wrote in the lock file, "pid PID on HOST" */
static void read_holder(int fd, struct buf *who)
{
	char text[300];
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
	long pid;
	char host[256];

	if (n > 0) {
		text[n] = '\0';
		if (sscanf(text, "%ld %255s", &pid, host) == 2) {
			buf_printf(who, "pid %ld on %s", pid, host);
			return;
		}
	}
	buf_puts(who, "another process");
}

int rundir_lock(const char *dir, struct buf *why)
{
	char *path = rundir_path(dir, "lock");
	struct flock fl = {0};
	char text[300], host[256] = "";
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644), len;

	if (fd < 0) {
		buf_printf(why, "cannot open %s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_SETLK, &fl) != 0) {
		struct buf who = {0};

		if (errno == EACCES || errno == EAGAIN) {
			read_holder(fd, &who);
			buf_printf(why, "%s is in use by another flowrun (%s)", dir, who.data);
		} else {
			buf_printf(why, "cannot lock %s: %s", path, strerror(errno));
		}
		buf_free(&who);
		close(fd);
		free(path);
		return -1;
	}
	gethostname(host, sizeof(host) - 1);
	len = snprintf(text, sizeof(text), "%ld %s\n", (long)getpid(), host[0] ? host : "?");
	if (ftruncate(fd, 0) != 0 || pwrite(fd, text, (size_t)len, 0) != len)
		warn("cannot write %s: %s", path, strerror(errno));
	free(path);
	return 0;
}

int rundir_holder(const char *dir, struct buf *who)
{
	char *path = rundir_path(dir, "lock");
	struct flock fl = {0};
	int fd = open(path, O_RDONLY | O_CLOEXEC), held = 0;

	free(path);
	if (fd < 0)
		return 0;
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	/* a read-only descriptor can ask (F_GETLK) without taking anything */
	if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK) {
		held = 1;
		read_holder(fd, who);
	}
	close(fd);
	return held;
}

/* a run found under RUNDIR_RUNS: its id and when it started (plan.json is
 * written once, before anything runs) */
struct found_run {
	char *id;
	struct timespec t;
};

static int cmp_newest(const void *pa, const void *pb)
{
	const struct found_run *a = pa, *b = pb;

	if (a->t.tv_sec != b->t.tv_sec)
		return a->t.tv_sec < b->t.tv_sec ? 1 : -1;
	if (a->t.tv_nsec != b->t.tv_nsec)
		return a->t.tv_nsec < b->t.tv_nsec ? 1 : -1;
	return strcmp(b->id, a->id);
}

char **rundir_list(size_t *n)
{
	DIR *d = opendir(RUNDIR_RUNS);
	struct found_run *runs = NULL;
	char **ids = NULL;
	size_t cap = 0, i;
	struct dirent *e;

	*n = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		struct buf path = {0};
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		buf_printf(&path, "%s/%s/run.json", RUNDIR_RUNS, e->d_name);
		if (stat(path.data, &st) == 0) {
			struct found_run r = {xstrdup(e->d_name), st.st_mtim};

			path.len = 0;
			buf_printf(&path, "%s/%s/plan.json", RUNDIR_RUNS, e->d_name);
			if (stat(path.data, &st) == 0)
				r.t = st.st_mtim;
			VEC_PUSH(runs, *n, cap, r);
		}
		buf_free(&path);
	}
	closedir(d);
	if (*n)
		qsort(runs, *n, sizeof(*runs), cmp_newest);
	ids = xcalloc(*n + 1, sizeof(*ids));
	for (i = 0; i < *n; i++)
		ids[i] = runs[i].id;
	free(runs);
	return ids;
}

char *rundir_find(const char *arg, struct buf *why)
{
	struct buf path = {0};
	struct stat st;
	char **ids;
	size_t n, i;

	if (strcmp(arg, "latest") == 0) {
		ids = rundir_list(&n);
		if (n)
			buf_printf(&path, "%s/%s", RUNDIR_RUNS, ids[0]);
		else
			buf_printf(why, "no run in %s to be the latest", RUNDIR_RUNS);
		for (i = 0; i < n; i++)
			free(ids[i]);
		free(ids);
		return n ? buf_steal(&path) : NULL;
	}
	/* a directory given by its path wins over a run id of the same name */
	buf_printf(&path, "%s/run.json", arg);
	if (stat(path.data, &st) == 0 || strchr(arg, '/')) {
		buf_free(&path);
		return xstrdup(arg);
	}
	path.len = 0;
	buf_printf(&path, "%s/%s/run.json", RUNDIR_RUNS, arg);
	if (stat(path.data, &st) == 0) {
		path.len = 0;
		buf_printf(&path, "%s/%s", RUNDIR_RUNS, arg);
		return buf_steal(&path);
	}
	buf_free(&path);
	return xstrdup(arg);
}

void rundir_new_id(char *out, size_t size)
{
	struct timespec ts;
	struct tm tm;
	unsigned rnd;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	clock_gettime(CLOCK_REALTIME, &ts);
	rnd = (unsigned)getpid() ^ (unsigned)ts.tv_nsec;
	if (fd >= 0) {
		if (read(fd, &rnd, sizeof(rnd)) != (ssize_t)sizeof(rnd))
			rnd ^= (unsigned)ts.tv_sec;
		close(fd);
	}
	localtime_r(&ts.tv_sec, &tm);
	snprintf(out, size, "%04d%02d%02d-%02d%02d%02d-%06x", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, rnd & 0xffffff);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) != 0 && errno != ENOENT) {
		fprintf(stderr, "flowrun: cannot remove %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

int rundir_remove_tree(const char *path)
{
	return nftw(path, remove_one, 16, FTW_PHYS | FTW_DEPTH) == 0 ? 0 : -1;
}

/* write_file: one bundled file at path, read-only (and executable when
 * it says so), made anew: O_EXCL, never through a link; 0, or -1 with why */
static int write_file(const char *path, const struct plan_file *f, struct buf *why)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		      f->executable ? 0500 : 0400);
	size_t done = 0;
	int err;

	if (fd < 0) {
		buf_printf(why, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	err = util_write_all(fd, f->data, f->len, &done);
	if (close(fd) != 0 && !err)
		err = errno;
	if (err) {
		buf_printf(why, "cannot write %s: %s", path, strerror(err));
		return -1;
	}
	return 0;
}

int rundir_unpack(const char *dir, const struct plan *p, struct buf *why)
{
	char *root = rundir_path(dir, "bundle");
	struct buf path = {0};
	size_t i;
	int rc = 0;

	/* what an earlier session wrote, or a task changed, goes first */
	if (access(root, F_OK) == 0 && rundir_remove_tree(root) != 0) {
		buf_printf(why, "cannot remove %s", root);
		rc = -1;
	}
	for (i = 0; rc == 0 && i < p->nfiles; i++) {
		char *slash;

		path.len = 0;
		buf_printf(&path, "%s/%s", root, p->files[i].path);
		slash = strrchr(path.data, '/');
		*slash = '\0';
		if (util_mkdirs(path.data) != 0) {
			buf_printf(why, "cannot make %s: %s", path.data, strerror(errno));
			rc = -1;
			break;
		}
		*slash = '/';
		rc = write_file(path.data, &p->files[i], why);
	}
	buf_free(&path);
	free(root);
	return rc;
}

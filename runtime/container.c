/* container.c: the engines' command lines (docs/run.md, "Containers").
 * podman and docker share one form: `run --rm --init`, named and labelled
 * so that what is left behind can be found and removed, by image id so
 * that what runs is what was recorded. apptainer runs its image as a
 * child of its own process: nothing outlives the task's process group,
 * and its image is a file whose SHA-256 is its id. */
#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc.h"
#include "sha256.h"

/* an image asked about: its id once known */
struct image {
	char *name;                 /* as the plan names it */
	char *id;                   /* "sha256:HEX", or the reference itself (apptainer URIs) */
};

struct containers {
	enum container_engine engine;
	int pull;                   /* pull what is missing */
	char *run_id;
	char host[256];             /* this host, in labels */
	long pid;                   /* this process, in names and labels */
	struct image *images;       /* asked so far */
	size_t nimages, cap;
};

static const char *const engine_names[] = {"podman", "docker", "apptainer"};

int container_engine_parse(const char *name, enum container_engine *e)
{
	size_t i;

	for (i = 0; i < sizeof(engine_names) / sizeof(engine_names[0]); i++)
		if (name && strcmp(name, engine_names[i]) == 0) {
			*e = (enum container_engine)i;
			return 0;
		}
	return -1;
}

const char *container_engine_name(enum container_engine e)
{
	return engine_names[e];
}

struct containers *containers_new(enum container_engine e, int pull, const char *run_id)
{
	struct containers *c = xcalloc(1, sizeof(*c));

	c->engine = e;
	c->pull = pull;
	c->run_id = xstrdup(run_id);
	c->pid = (long)getpid();
	if (gethostname(c->host, sizeof(c->host) - 1) != 0)
		strcpy(c->host, "localhost");
	return c;
}

void containers_free(struct containers *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nimages; i++) {
		free(c->images[i].name);
		free(c->images[i].id);
	}
	free(c->images);
	free(c->run_id);
	free(c);
}

/* last_line: the last non-empty line of b, trimmed, in place */
static const char *last_line(struct buf *b)
{
	char *p;

	if (!b->data)
		return "";
	while (b->len && (b->data[b->len - 1] == '\n' || b->data[b->len - 1] == '\r' ||
			  b->data[b->len - 1] == ' '))
		b->data[--b->len] = '\0';
	p = strrchr(b->data, '\n');
	return p ? p + 1 : b->data;
}

/* engine_command: the engine run with args, its output in out; as
 * proc_command, with why saying what went wrong when it is not 0 */
static int engine_command(const struct containers *c, const char *const *args, struct buf *out,
			  struct buf *why)
{
	char *argv[16];
	struct buf err = {0};
	size_t n = 0;
	int rc;

	argv[n++] = (char *)engine_names[c->engine];
	while (*args && n < sizeof(argv) / sizeof(argv[0]) - 1)
		argv[n++] = (char *)*args++;
	argv[n] = NULL;
	rc = proc_command(argv, out, &err);
	if (rc < 0)
		buf_printf(why, "the container engine %s cannot be run: %s", argv[0], strerror(errno));
	else if (rc != 0)
		buf_printf(why, "%s: %s", argv[0], err.len ? last_line(&err) : "(no message)");
	buf_free(&err);
	return rc;
}

/* inspect: the id of a podman or docker image, to free, or NULL (rc says
 * how the engine ended) */
static char *inspect(const struct containers *c, const char *image, int *rc, struct buf *why)
{
	const char *args[] = {"image", "inspect", "--format", "{{.Id}}", image, NULL};
	struct buf out = {0}, id = {0};
	const char *hex;

	*rc = engine_command(c, args, &out, why);
	if (*rc != 0) {
		buf_free(&out);
		return NULL;
	}
	hex = last_line(&out);
	if (strncmp(hex, "sha256:", 7) == 0)
		hex += 7;
	if (strlen(hex) != 64 || strspn(hex, "0123456789abcdef") != 64) {
		buf_printf(why, "%s image inspect %s: not an image id: '%.80s'", engine_names[c->engine],
			   image, hex);
		*rc = -1;
		buf_free(&out);
		return NULL;
	}
	buf_printf(&id, "sha256:%s", hex);
	buf_free(&out);
	return buf_steal(&id);
}

/* sif_id: "sha256:HEX" of an apptainer image file, to free, or NULL with why */
static char *sif_id(const char *path, struct buf *why)
{
	struct buf id = {0};
	char hex[65];
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0) {
		buf_printf(why, "image %s: %s", path, strerror(errno));
		return NULL;
	}
	rc = sha256_fd_hex(fd, hex);
	if (rc != 0)
		buf_printf(why, "image %s: %s", path, strerror(errno));
	close(fd);
	if (rc != 0)
		return NULL;
	buf_printf(&id, "sha256:%s", hex);
	return buf_steal(&id);
}

/* is_uri: an apptainer image named by a URI (docker://, library://, ...)
 * rather than a file */
static int is_uri(const char *image)
{
	return strstr(image, "://") != NULL;
}

/* missing: what the engine said of an image it does not have (podman:
 * "image not known", docker: "No such image") */
static int missing(const struct buf *said)
{
	return said->data && (strstr(said->data, "image not known") ||
			      strstr(said->data, "No such image"));
}

/* resolve: the id of image, to free, or NULL with why */
static char *resolve(struct containers *c, const char *image, struct buf *why)
{
	struct buf err = {0};
	char *id;
	int rc;

	if (c->engine == ENGINE_APPTAINER)
		return is_uri(image) ? xstrdup(image) : sif_id(image, why);
	id = inspect(c, image, &rc, &err);
	if (!id && rc > 0 && c->pull && missing(&err)) {
		const char *args[] = {"pull", "--quiet", image, NULL};
		struct buf out = {0};

		buf_free(&err);
		if (engine_command(c, args, &out, &err) == 0)
			id = inspect(c, image, &rc, &err);
		buf_free(&out);
	}
	if (!id && rc > 0 && !c->pull && missing(&err))
		buf_printf(why, "image %s is not present for %s, and flowrun pulls only with --pull (%s)",
			   image, engine_names[c->engine], err.data);
	else if (!id)
		buf_printf(why, "image %s: %s", image, err.data);
	buf_free(&err);
	return id;
}

const char *containers_image(struct containers *c, const char *image, struct buf *why)
{
	struct image *im;
	size_t i;
	char *id;

	for (i = 0; i < c->nimages; i++)
		if (strcmp(c->images[i].name, image) == 0)
			return c->images[i].id;
	id = resolve(c, image, why);
	if (!id)
		return NULL;
	util_grow(&c->images, &c->cap, c->nimages + 1, sizeof(*c->images));
	im = &c->images[c->nimages++];
	im->name = xstrdup(image);
	im->id = id;
	return id;
}

int containers_present(struct containers *c, const char *image, struct buf *why)
{
	struct buf err = {0};
	struct stat st;
	char *id;
	int rc;

	if (c->engine == ENGINE_APPTAINER) {
		if (is_uri(image)) {
			buf_puts(why, "apptainer fetches it when it runs");
			return -1;
		}
		return stat(image, &st) == 0 && S_ISREG(st.st_mode);
	}
	id = inspect(c, image, &rc, &err);
	if (id) {
		free(id);
		rc = 1;
	} else if (rc > 0 && missing(&err)) {
		rc = 0;
	} else {
		/* the engine could not say (not installed, its daemon down) */
		buf_puts(why, err.data ? err.data : "the engine did not say");
		rc = -1;
	}
	buf_free(&err);
	return rc;
}

static int path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* beneath: path is dir or lies beneath it */
static int beneath(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* binds: the directories t binds, sorted, without one that lies beneath
 * another (an engine refuses the same destination twice); NULL with why
 * for one it cannot bind at the same path */
static const char **binds(const struct container_task *t, size_t *n, struct buf *why)
{
	const char **v = xcalloc(t->nmounts + 1, sizeof(*v));
	size_t i, k = 0;

	v[k++] = t->cwd;
	for (i = 0; i < t->nmounts; i++)
		v[k++] = t->mounts[i];
	qsort(v, k, sizeof(*v), path_cmp);
	*n = 0;
	for (i = 0; i < k; i++) {
		if (v[i][0] != '/' || strcmp(v[i], "/") == 0 || strpbrk(v[i], ":,")) {
			buf_printf(why, "%s cannot be bound into a container at the same path (%s)", v[i],
				   v[i][0] != '/' ? "not absolute" : strcmp(v[i], "/") == 0 ?
				   "it is the root directory" : "it holds ':' or ','");
			free(v);
			return NULL;
		}
		if (*n && beneath(v[i], v[*n - 1]))
			continue;
		v[(*n)++] = v[i];
	}
	return v;
}

char **containers_argv(struct containers *c, const struct container_task *t, char **name,
		       struct buf *why)
{
	const char **mounts;
	char **v = NULL;
	size_t n = 0, cap = 0, nmounts, i;

	*name = NULL;
	if (!(mounts = binds(t, &nmounts, why)))
		return NULL;
	strv_addf(&v, &n, &cap, "%s", engine_names[c->engine]);
	if (c->engine == ENGINE_APPTAINER) {
		strv_addf(&v, &n, &cap, "exec");
		if (!t->network) {
			strv_addf(&v, &n, &cap, "--net");
			strv_addf(&v, &n, &cap, "--network=none");
		}
		for (i = 0; i < nmounts; i++)
			strv_addf(&v, &n, &cap, "--bind=%s", mounts[i]);
		strv_addf(&v, &n, &cap, "--pwd=%s", t->cwd);
		strv_addf(&v, &n, &cap, "%s", t->image);
	} else {
		struct buf b = {0};

		buf_printf(&b, "flowrun-%s-%ld-%zu-%zu-%d", c->run_id, c->pid, t->flow, t->task,
			   t->attempt);
		*name = buf_steal(&b);
		strv_addf(&v, &n, &cap, "run");
		strv_addf(&v, &n, &cap, "--rm");
		/* an init as PID 1: the task gets the signals it is sent */
		strv_addf(&v, &n, &cap, "--init");
		if (t->input)
			strv_addf(&v, &n, &cap, "--interactive");
		strv_addf(&v, &n, &cap, "--name=%s", *name);
		strv_addf(&v, &n, &cap, "--label=flowrun.run=%s", c->run_id);
		strv_addf(&v, &n, &cap, "--label=flowrun.flow=%zu", t->flow);
		strv_addf(&v, &n, &cap, "--label=flowrun.host=%s", c->host);
		strv_addf(&v, &n, &cap, "--label=flowrun.owner=%s-%ld", c->host, c->pid);
		strv_addf(&v, &n, &cap, "--pull=never");
		strv_addf(&v, &n, &cap, "--log-driver=none");
		/* the host's network when it may reach it: no engine's network
		 * set-up (bridges, DNS) stands between a task and a cluster */
		strv_addf(&v, &n, &cap, "--network=%s", t->network ? "host" : "none");
		/* files it writes are the invoking user's */
		if (c->engine == ENGINE_PODMAN && geteuid() != 0)
			strv_addf(&v, &n, &cap, "--userns=keep-id");
		else
			strv_addf(&v, &n, &cap, "--user=%ld:%ld", (long)geteuid(), (long)getegid());
		for (i = 0; i < nmounts; i++)
			strv_addf(&v, &n, &cap, "--volume=%s:%s", mounts[i], mounts[i]);
		strv_addf(&v, &n, &cap, "--workdir=%s", t->cwd);
		for (i = 0; i < t->nenv; i++)
			strv_addf(&v, &n, &cap, "--env=%.*s", (int)strcspn(t->env[i], "="), t->env[i]);
		strv_addf(&v, &n, &cap, "%s", t->image_id + (strncmp(t->image_id, "sha256:", 7) ? 0 : 7));
	}
	for (i = 0; t->argv[i]; i++)
		strv_addf(&v, &n, &cap, "%s", t->argv[i]);
	VEC_PUSH(v, n, cap, NULL);
	free(mounts);
	return v;
}

void containers_remove(struct containers *c, const char *name)
{
	const char *podman[] = {"rm", "--force", "--time=0", "--ignore", name, NULL};
	const char *docker[] = {"rm", "--force", name, NULL};
	struct buf out = {0}, why = {0};

	if (!name || c->engine == ENGINE_APPTAINER)
		return;
	engine_command(c, c->engine == ENGINE_PODMAN ? podman : docker, &out, &why);
	buf_free(&out);
	buf_free(&why);
}

/* remove_labelled: the command that removes every container with all of
 * labels (NULL-terminated "KEY=VALUE"), to free */
static char **remove_labelled(const struct containers *c, const char *const *labels)
{
	char **v = NULL;
	size_t n = 0, cap = 0, i;

	if (c->engine == ENGINE_PODMAN) {
		strv_addf(&v, &n, &cap, "podman");
		strv_addf(&v, &n, &cap, "rm");
		strv_addf(&v, &n, &cap, "--force");
		strv_addf(&v, &n, &cap, "--time=0");
		for (i = 0; labels[i]; i++)
			strv_addf(&v, &n, &cap, "--filter=label=%s", labels[i]);
	} else {
		/* docker rm has no filter: the list goes through a shell, the
		 * labels as its arguments */
		struct buf script = {0};

		buf_puts(&script, "docker ps --all --quiet");
		for (i = 0; labels[i]; i++)
			buf_printf(&script, " --filter \"label=$%zu\"", i + 1);
		buf_puts(&script, " | xargs -r docker rm --force");
		strv_addf(&v, &n, &cap, "/bin/sh");
		strv_addf(&v, &n, &cap, "-c");
		VEC_PUSH(v, n, cap, buf_steal(&script));
		strv_addf(&v, &n, &cap, "sh");
		for (i = 0; labels[i]; i++)
			strv_addf(&v, &n, &cap, "%s", labels[i]);
	}
	VEC_PUSH(v, n, cap, NULL);
	return v;
}

void containers_argv_free(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

char **containers_cleanup_argv(const struct containers *c)
{
	struct buf owner = {0};
	const char *labels[2];
	char **v;

	if (c->engine == ENGINE_APPTAINER)
		return NULL;
	buf_printf(&owner, "flowrun.owner=%s-%ld", c->host, c->pid);
	labels[0] = owner.data;
	labels[1] = NULL;
	v = remove_labelled(c, labels);
	buf_free(&owner);
	return v;
}

void containers_remove_stale(struct containers *c, long f)
{
	struct buf run = {0}, host = {0}, flow = {0}, out = {0};
	const char *labels[4] = {NULL};
	char **v;

	if (c->engine == ENGINE_APPTAINER)
		return;
	buf_printf(&run, "flowrun.run=%s", c->run_id);
	buf_printf(&host, "flowrun.host=%s", c->host);
	labels[0] = run.data;
	labels[1] = host.data;
	if (f >= 0) {
		buf_printf(&flow, "flowrun.flow=%ld", f);
		labels[2] = flow.data;
	}
	v = remove_labelled(c, labels);
	proc_command(v, &out, NULL);
	containers_argv_free(v);
	buf_free(&run);
	buf_free(&host);
	buf_free(&flow);
	buf_free(&out);
}

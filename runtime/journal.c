/* journal.c: the journal's files (docs/run.md, "The journal"): events
 * written as one JSON object a line by the process that owns the file,
 * read back and merged across files. It decides nothing about a run. */
#include "journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "json_text.h"

const char *const journal_state_names[ST_COUNT] = {"Pending", "Running", "Success", "Failed",
					       "Retrying", "Skipped", "Cancelled", "Cached"};

int journal_state_parse(const char *s)
{
	int i;

	for (i = 0; s && i < ST_COUNT; i++)
		if (strcmp(s, journal_state_names[i]) == 0)
			return i;
	return -1;
}

int journal_state_final(enum run_state st)
{
	return st == ST_SUCCESS || st == ST_FAILED || st == ST_SKIPPED || st == ST_CACHED;
}

int journal_state_ok(enum run_state st)
{
	return st == ST_SUCCESS || st == ST_CACHED;
}

static long long wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *journal_name(unsigned session, long flow, unsigned k)
{
	struct buf b = {0};

	if (flow < 0)
		buf_printf(&b, "%u.jsonl", session);
	else
		buf_printf(&b, "%u.%ld.%u.jsonl", session, flow, k);
	return buf_steal(&b);
}

/* ---- writing ---- */

struct journal {
	char *dir;                  /* the run directory */
	char *path;                 /* the file */
	int fd;                     /* open for appending */
	struct buf pending;         /* whole lines added, not yet written */
	off_t size;                 /* bytes of whole lines in the file */
	long long unsynced_since;   /* monotonic ms of the oldest event not synced, 0 when none */
};

/* put_str: s as a JSON string; bytes that are not UTF-8 become U+FFFD, so
 * that every line stays readable JSON whatever a task printed */
static void put_str(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	buf_putc(b, '"');
	while (*p) {
		unsigned c = *p;
		size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
		size_t i;

		for (i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				n = 0;
		if (n == 2 && c < 0xc2)
			n = 0; /* overlong */
		if (n == 0) {
			buf_puts(b, "\\ufffd");
			p++;
			continue;
		}
		if (c == '"' || c == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, (char)c);
		} else if (c < 0x20) {
			buf_printf(b, "\\u%04x", c);
		} else {
			buf_add(b, (const char *)p, n);
		}
		p += n;
	}
	buf_putc(b, '"');
}

static void put_key_str(struct buf *b, const char *key, const char *s)
{
	buf_printf(b, ",\"%s\":", key);
	put_str(b, s);
}

/* put_flow: "flow":F,"flow_name":"..." */
static void put_flow(struct buf *b, const struct journal_event *ev)
{
	buf_printf(b, "\"flow\":%ld", ev->flow);
	put_key_str(b, "flow_name", ev->flow_name ? ev->flow_name : "");
}

/* put_json: ,"key":V with V compact JSON; a value larger than
 * JOURNAL_INLINE_MAX is left out (what it details is not needed to read
 * the run back) */
static int put_json(struct buf *b, const char *key, const json_t *v, struct buf *why)
{
	char *text = json_text(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);

	if (!text) {
		buf_printf(why, "cannot write %s as JSON", key);
		return -1;
	}
	if (strlen(text) <= JOURNAL_INLINE_MAX)
		buf_printf(b, ",\"%s\":%s", key, text);
	free(text);
	return 0;
}

/* result_text: the result as compact JSON, or the name of the file it was
 * written to when too large to go inline */
static int put_result(struct journal *j, struct buf *b, const struct journal_event *ev,
		      struct buf *why)
{
	char *text;
	size_t len;

	if (ev->result_file) {
		put_key_str(b, "result_file", ev->result_file);
		return 0;
	}
	text = json_text(ev->result, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!text) {
		buf_puts(why, "cannot write a result as JSON");
		return -1;
	}
	len = strlen(text);
	if (len > JOURNAL_INLINE_MAX) {
		struct buf rel = {0}, path = {0};
		int rc;

		buf_printf(&rel, "tasks/%s.%s.result.json", ev->flow_name, ev->task_name);
		buf_printf(&path, "%s/tasks", j->dir);
		rc = util_mkdirs(path.data);
		path.len = 0;
		buf_printf(&path, "%s/%s", j->dir, rel.data);
		if (rc == 0)
			rc = util_write_atomic(path.data, text, len, 0644);
		if (rc != 0)
			buf_printf(why, "cannot write %s: %s", path.data, strerror(errno));
		else
			put_key_str(b, "result_file", rel.data);
		buf_free(&rel);
		buf_free(&path);
		free(text);
		return rc;
	}
	buf_puts(b, ",\"result\":");
	buf_add(b, text, len);
	free(text);
	return 0;
}

static int format_event(struct journal *j, struct buf *b, const struct journal_event *ev,
			const char *run_id, struct buf *why)
{
	buf_putc(b, '{');
	switch (ev->kind) {
	case JE_OPEN: {
		char host[256] = "";

		gethostname(host, sizeof(host) - 1);
		buf_printf(b, "\"journal\":%d,\"event\":\"open\"", JOURNAL_VERSION);
		put_key_str(b, "run_id", run_id);
		buf_printf(b, ",\"session\":%u", ev->session);
		if (ev->backend)
			put_key_str(b, "backend", ev->backend);
		if (ev->flow >= 0) {
			buf_putc(b, ',');
			put_flow(b, ev);
		}
		if (ev->unit)
			put_key_str(b, "unit", ev->unit);
		buf_printf(b, ",\"pid\":%ld", (long)getpid());
		put_key_str(b, "host", host);
		break;
	}
	case JE_FLOW:
		put_flow(b, ev);
		put_key_str(b, "state", journal_state_names[ev->state]);
		break;
	case JE_TASK:
		put_flow(b, ev);
		buf_printf(b, ",\"task\":%ld", ev->task);
		put_key_str(b, "task_name", ev->task_name ? ev->task_name : "");
		put_key_str(b, "state", journal_state_names[ev->state]);
		buf_printf(b, ",\"attempt\":%d", ev->attempt);
		if (ev->ms >= 0)
			buf_printf(b, ",\"ms\":%lld", ev->ms);
		if (ev->image)
			put_key_str(b, "image", ev->image);
		if (ev->key)
			put_key_str(b, "key", ev->key);
		if (ev->read && put_json(b, "read", ev->read, why) != 0)
			return -1;
		if (ev->cache_key)
			put_key_str(b, "cache_key", ev->cache_key);
		if ((ev->result || ev->result_file) && put_result(j, b, ev, why) != 0)
			return -1;
		break;
	case JE_SUBMIT:
		buf_puts(b, "\"event\":\"submit\",");
		put_flow(b, ev);
		put_key_str(b, "unit", ev->unit ? ev->unit : "");
		break;
	case JE_END:
		buf_puts(b, "\"event\":\"end\"");
		put_key_str(b, "state", journal_state_names[ev->state]);
		break;
	}
	if (ev->reason)
		put_key_str(b, "reason", ev->reason);
	buf_printf(b, ",\"t\":%lld}\n", wall_ms());
	return 0;
}

struct journal *journal_create(const char *dir, const char *name, const char *run_id,
			       const struct journal_event *open_ev, struct buf *why)
{
	struct journal *j = xcalloc(1, sizeof(*j));
	struct buf path = {0};

	buf_printf(&path, "%s/journal", dir);
	if (util_mkdirs(path.data) != 0) {
		buf_printf(why, "cannot make %s: %s", path.data, strerror(errno));
		buf_free(&path);
		free(j);
		return NULL;
	}
	buf_printf(&path, "/%s", name);
	j->dir = xstrdup(dir);
	j->path = buf_steal(&path);
	j->fd = open(j->path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
	if (j->fd < 0) {
		int err = errno;

		buf_printf(why, "cannot make %s: %s", j->path, strerror(err));
		free(j->dir);
		free(j->path);
		free(j);
		errno = err;
		return NULL;
	}
	j->unsynced_since = mono_ms();
	if (format_event(j, &j->pending, open_ev, run_id, why) != 0 || journal_sync(j, why) != 0) {
		close(j->fd);
		free(j->dir);
		free(j->path);
		buf_free(&j->pending);
		free(j);
		return NULL;
	}
	return j;
}

int journal_add(struct journal *j, const struct journal_event *ev, struct buf *why)
{
	size_t before = j->pending.len;

	if (format_event(j, &j->pending, ev, NULL, why) != 0) {
		j->pending.len = before;
		if (j->pending.data)
			j->pending.data[before] = '\0';
		return -1;
	}
	if (!j->unsynced_since)
		j->unsynced_since = mono_ms();
	return 0;
}

int journal_flush(struct journal *j, struct buf *why)
{
	size_t done;
	int err = util_write_all(j->fd, j->pending.data, j->pending.len, &done);

	if (err) {
		/* no torn line stays behind for the next event to be glued to */
		if (done && ftruncate(j->fd, j->size) != 0)
			warn("cannot cut %s back to its last whole line: %s", j->path, strerror(errno));
		buf_printf(why, "cannot write the journal %s: %s", j->path, strerror(err));
		return -1;
	}
	j->size += (off_t)done;
	j->pending.len = 0;
	return 0;
}

int journal_sync(struct journal *j, struct buf *why)
{
	if (journal_flush(j, why) != 0)
		return -1;
	if (!j->unsynced_since)
		return 0;
	if (fdatasync(j->fd) != 0) {
		buf_printf(why, "cannot write the journal %s: %s", j->path, strerror(errno));
		return -1;
	}
	j->unsynced_since = 0;
	return 0;
}

long long journal_unsynced_ms(const struct journal *j)
{
	return j->unsynced_since ? mono_ms() - j->unsynced_since : 0;
}

int journal_close(struct journal *j, struct buf *why)
{
	int rc;

	if (!j)
		return 0;
	rc = journal_sync(j, why);
	if (close(j->fd) != 0 && rc == 0) {
		buf_printf(why, "cannot write the journal %s: %s", j->path, strerror(errno));
		rc = -1;
	}
	buf_free(&j->pending);
	free(j->path);
	free(j->dir);
	free(j);
	return rc;
}

/* ---- reading ---- */

/* a journal file's place in the merge order */
struct jfile {
	char *name;                 /* in DIR/journal */
	unsigned session;           /* its session */
	long flow;                  /* -1 for the driver's file */
	unsigned k;                 /* which start of that flow */
	long offset;                /* journal_tail: bytes read so far */
	size_t lines;               /* journal_tail: whole lines read so far */
	int opened;                 /* journal_tail: its first line was read */
};

/* the largest session, flow or restart number a journal file name may
 * carry: beyond it a name is not one flowrun wrote */
#define MAX_NAME_NUMBER 1000000UL

/* parse_name: "S.jsonl" or "S.F.k.jsonl"; 0, or -1 for another file */
static int parse_name(const char *name, struct jfile *f)
{
	unsigned long s, fl = 0, k = 0;
	char *end;

	if (name[0] < '0' || name[0] > '9')
		return -1;
	s = strtoul(name, &end, 10);
	if (s > MAX_NAME_NUMBER)
		return -1;
	if (strcmp(end, ".jsonl") == 0) {
		f->session = (unsigned)s;
		f->flow = -1;
		f->k = 0;
		return 0;
	}
	if (*end != '.' || end[1] < '0' || end[1] > '9')
		return -1;
	fl = strtoul(end + 1, &end, 10);
	if (*end != '.' || end[1] < '0' || end[1] > '9')
		return -1;
	k = strtoul(end + 1, &end, 10);
	if (strcmp(end, ".jsonl") != 0 || fl > MAX_NAME_NUMBER || k > MAX_NAME_NUMBER)
		return -1;
	f->session = (unsigned)s;
	f->flow = (long)fl;
	f->k = (unsigned)k;
	return 0;
}

/* in a session the flows' own files come first and the driver's last: the
 * driver records a flow's outcome only when the flow's own process could
 * not, after it */
static int jfile_cmp(const void *a, const void *b)
{
	const struct jfile *x = a, *y = b;
	int xd = x->flow < 0, yd = y->flow < 0;

	if (x->session != y->session)
		return x->session < y->session ? -1 : 1;
	if (xd != yd)
		return xd - yd;
	if (x->flow != y->flow)
		return x->flow < y->flow ? -1 : 1;
	return x->k < y->k ? -1 : x->k > y->k;
}

/* list_files: the journal files of dir, in merge order (none when the
 * journal's directory is missing); -1 with why for a journal of format 1 */
static int list_files(const char *dir, struct jfile **out, size_t *n, struct buf *why)
{
	struct buf path = {0};
	struct jfile *files = NULL;
	size_t nfiles = 0, cap = 0;
	struct dirent *de;
	DIR *d;

	buf_printf(&path, "%s/journal", dir);
	d = opendir(path.data);
	if (!d) {
		int err = errno;
		struct stat st;

		path.len = 0;
		buf_printf(&path, "%s/journal.jsonl", dir);
		if (stat(path.data, &st) == 0) {
			buf_printf(why, "%s was written by an earlier flowrun (run directory format 1); "
				   "this flowrun reads format 2: its files stay as they are, but status, "
				   "result and resume need a new run", dir);
			buf_free(&path);
			return -1;
		}
		buf_free(&path);
		if (err != ENOENT) {
			buf_printf(why, "cannot read %s/journal: %s", dir, strerror(err));
			return -1;
		}
		/* killed before its first event: nothing happened yet */
		*out = NULL;
		*n = 0;
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		struct jfile f = {0};

		if (parse_name(de->d_name, &f) != 0)
			continue;
		f.name = xstrdup(de->d_name);
		VEC_PUSH(files, nfiles, cap, f);
	}
	closedir(d);
	buf_free(&path);
	if (nfiles)
		qsort(files, nfiles, sizeof(*files), jfile_cmp);
	*out = files;
	*n = nfiles;
	return 0;
}

static void free_files(struct jfile *files, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(files[i].name);
	free(files);
}

static long get_index(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_integer(v) && json_integer_value(v) >= 0 ? (long)json_integer_value(v) : -1;
}

/* decode: the event a line holds; NULL and what is wrong in bad */
static int decode(json_t *o, struct journal_event *ev, const char **bad)
{
	const char *event = json_string_value(json_object_get(o, "event"));
	const json_t *v;
	int st;

	memset(ev, 0, sizeof(*ev));
	ev->flow = get_index(o, "flow");
	ev->task = get_index(o, "task");
	ev->flow_name = json_string_value(json_object_get(o, "flow_name"));
	ev->task_name = json_string_value(json_object_get(o, "task_name"));
	ev->reason = json_string_value(json_object_get(o, "reason"));
	ev->unit = json_string_value(json_object_get(o, "unit"));
	ev->backend = json_string_value(json_object_get(o, "backend"));
	ev->image = json_string_value(json_object_get(o, "image"));
	ev->cache_key = json_string_value(json_object_get(o, "cache_key"));
	ev->key = json_string_value(json_object_get(o, "key"));
	v = json_object_get(o, "read");
	ev->read = json_is_object(v) ? v : NULL;
	v = json_object_get(o, "t");
	ev->t = json_is_integer(v) ? json_integer_value(v) : 0;
	v = json_object_get(o, "ms");
	ev->ms = json_is_integer(v) ? json_integer_value(v) : -1;
	st = journal_state_parse(json_string_value(json_object_get(o, "state")));
	ev->state = st < 0 ? ST_PENDING : (enum run_state)st;
	if (event && strcmp(event, "open") == 0) {
		ev->kind = JE_OPEN;
		return 0;
	}
	if (event && strcmp(event, "submit") == 0) {
		ev->kind = JE_SUBMIT;
		if (ev->flow < 0 || !ev->unit)
			*bad = "a submit event without its flow and unit";
		return *bad ? -1 : 0;
	}
	if (event && strcmp(event, "end") == 0) {
		ev->kind = JE_END;
		if (st < 0)
			*bad = "an end event without a state";
		return *bad ? -1 : 0;
	}
	if (event) {
		*bad = "an event of an unknown kind";
		return -1;
	}
	if (ev->flow < 0 || st < 0) {
		*bad = "an event without its flow index and state";
		return -1;
	}
	if (!json_object_get(o, "task")) {
		ev->kind = JE_FLOW;
		return 0;
	}
	ev->kind = JE_TASK;
	v = json_object_get(o, "attempt");
	ev->attempt = json_is_integer(v) ? (int)json_integer_value(v) : 0;
	ev->result = json_object_get(o, "result");
	ev->result_file = json_string_value(json_object_get(o, "result_file"));
	if (ev->task < 0)
		*bad = "a task event without its task index";
	else if (journal_state_ok(ev->state) && !ev->result && !ev->result_file)
		*bad = "a Success event without its result";
	return *bad ? -1 : 0;
}

/* read_file: the whole lines of one file from *offset on; the first line
 * (when *opened is 0) must open a journal of a version this flowrun reads */
static int read_file(const char *dir, struct jfile *f, journal_fn fn, void *ctx, struct buf *why)
{
	struct buf path = {0}, where = {0};
	char *line = NULL;
	size_t cap = 0, lineno = f->lines;
	ssize_t len;
	FILE *fp;
	int rc = 0;

	buf_printf(&path, "%s/journal/%s", dir, f->name);
	fp = fopen(path.data, "rb");
	if (!fp) {
		buf_printf(why, "cannot read %s: %s", path.data, strerror(errno));
		buf_free(&path);
		return -1;
	}
	if (f->offset && fseek(fp, f->offset, SEEK_SET) != 0)
		rc = -1;
	while (rc == 0 && (len = getline(&line, &cap, fp)) > 0) {
		struct journal_event ev;
		const char *bad = NULL;
		json_error_t jerr;
		json_t *o;

		lineno++;
		if (line[len - 1] != '\n')
			break; /* cut by a crash: not an event */
		f->offset += (long)len;
		f->lines = lineno;
		o = json_loadb(line, (size_t)len, 0, &jerr);
		where.len = 0;
		buf_printf(&where, "journal/%s:%zu", f->name, lineno);
		if (!f->opened) {
			const json_t *v = o ? json_object_get(o, "journal") : NULL;

			f->opened = 1;
			if (!json_is_integer(v)) {
				buf_printf(why, "%s/%s: not a flowrun journal (its first line does not "
					   "open one)", dir, where.data);
				rc = -1;
			} else if (json_integer_value(v) > JOURNAL_VERSION) {
				buf_printf(why, "%s/%s: written by a newer flowrun (journal version %lld; "
					   "this flowrun reads version %d)", dir, where.data,
					   (long long)json_integer_value(v), JOURNAL_VERSION);
				rc = -1;
			}
			if (rc != 0) {
				json_decref(o);
				break;
			}
		}
		if (!o) {
			warn("%s/%s: not a journal event (%s); skipped", dir, where.data, jerr.text);
			continue;
		}
		if (!json_is_object(o) || decode(o, &ev, &bad) != 0) {
			warn("%s/%s: %s; skipped", dir, where.data, bad ? bad : "not a JSON object");
			json_decref(o);
			continue;
		}
		ev.session = f->session;
		ev.where = where.data;
		if (ev.kind == JE_OPEN && f->flow >= 0)
			ev.flow = f->flow;
		rc = fn(ctx, &ev);
		json_decref(o);
	}
	free(line);
	fclose(fp);
	buf_free(&path);
	buf_free(&where);
	return rc;
}

int journal_read(const char *dir, const unsigned char *flows, size_t nflows, journal_fn fn,
		 void *ctx, struct buf *why)
{
	struct jfile *files;
	size_t n, i;
	int rc = 0;

	if (list_files(dir, &files, &n, why) != 0)
		return -1;
	for (i = 0; i < n && rc == 0; i++) {
		long f = files[i].flow;

		if (flows && f >= 0 && ((size_t)f >= nflows || !flows[f]))
			continue;
		rc = read_file(dir, &files[i], fn, ctx, why);
	}
	free_files(files, n);
	return rc;
}

long journal_next_session(const char *dir, struct buf *why)
{
	struct jfile *files;
	size_t n, i;
	long next = 0;

	if (list_files(dir, &files, &n, why) != 0)
		return -1;
	for (i = 0; i < n; i++)
		if ((long)files[i].session + 1 > next)
			next = (long)files[i].session + 1;
	free_files(files, n);
	return next;
}

json_t *journal_load_result(const char *dir, const struct journal_event *ev, struct buf *why)
{
	struct buf path = {0};
	json_error_t err;
	json_t *v;

	if (ev->result)
		return json_incref(ev->result);
	if (!ev->result_file || strstr(ev->result_file, "..") || ev->result_file[0] == '/') {
		buf_printf(why, "%s: no result", ev->where ? ev->where : "journal");
		return NULL;
	}
	buf_printf(&path, "%s/%s", dir, ev->result_file);
	v = json_load_file(path.data, JSON_DECODE_ANY, &err);
	if (!v)
		buf_printf(why, "cannot read the result %s: %s", path.data, err.text);
	buf_free(&path);
	return v;
}

/* ---- following ---- */

struct journal_tail {
	char *dir;                  /* the run directory */
	unsigned session;           /* whose files */
	char *skip;                 /* a file not to read (the follower's own) */
	struct jfile *files;        /* known so far */
	size_t nfiles, cap;
	struct strmap known;        /* their names, to their place in files plus one */
};

struct journal_tail *journal_tail_new(const char *dir, unsigned session, const char *skip_name)
{
	struct journal_tail *t = xcalloc(1, sizeof(*t));

	t->dir = xstrdup(dir);
	t->session = session;
	t->skip = skip_name ? xstrdup(skip_name) : NULL;
	return t;
}

int journal_tail_read(struct journal_tail *t, journal_fn fn, void *ctx, struct buf *why)
{
	struct jfile *now;
	size_t n, i, k;
	int rc = 0;

	if (list_files(t->dir, &now, &n, why) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (now[i].session != t->session || (t->skip && strcmp(now[i].name, t->skip) == 0))
			continue;
		if (!strmap_get(&t->known, now[i].name, strlen(now[i].name))) {
			struct jfile f = now[i];

			f.name = xstrdup(now[i].name);
			VEC_PUSH(t->files, t->nfiles, t->cap, f);
			strmap_put(&t->known, f.name, strlen(f.name), (void *)(uintptr_t)t->nfiles);
		}
	}
	free_files(now, n);
	for (k = 0; k < t->nfiles && rc == 0; k++)
		rc = read_file(t->dir, &t->files[k], fn, ctx, why);
	return rc;
}

void journal_tail_free(struct journal_tail *t)
{
	if (!t)
		return;
	strmap_free(&t->known);
	free_files(t->files, t->nfiles);
	free(t->dir);
	free(t->skip);
	free(t);
}

/* fuzz_journal.c: a libFuzzer target for the journal's readers: the input
 * becomes the files of a run directory, read back by journal_read (all
 * files, and a job body's selection), journal_tail and replay_load. Any
 * result is fine; a crash, a leak or undefined behaviour is a finding, as
 * is an event that breaks what journal.h promises of it.
 *
 * The input is cut at 0xff bytes (never in UTF-8, so never inside a line
 * worth reading): the first piece is journal/0.jsonl, each later one is
 * NAME '\n' CONTENT with NAME a file of journal/ or tasks/ (a result file),
 * e.g. "journal/0.1.0.jsonl". */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"
#include "replay.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEPARATOR 0xff
/* the longest file name a piece may give: longer ones are not flowrun's */
#define NAME_MAX_LEN 40

/* the run directory, made once per process and emptied before each input */
static char dir[64];

/* the plan of the lume example (three flows of two, three and one tasks),
 * which most seeds' journals come from: replay_load reads nothing else */
static struct plan_flow plan_flows[] = {
	{.name = "flow1", .ntasks = 2}, {.name = "flow2", .ntasks = 3}, {.name = "flow3", .ntasks = 1},
};
#define NFLOWS (sizeof(plan_flows) / sizeof(plan_flows[0]))
static const struct plan plan = {.name = "flow_of_flows", .flows = plan_flows, .nflows = NFLOWS};

static void empty(const char *sub, int remove)
{
	struct buf path = {0};
	struct dirent *de;
	DIR *d;

	buf_printf(&path, "%s/%s", dir, sub);
	d = opendir(path.data);
	if (d) {
		while ((de = readdir(d)) != NULL)
			if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
				unlinkat(dirfd(d), de->d_name, 0);
		closedir(d);
	}
	if (remove)
		rmdir(path.data);
	buf_free(&path);
}

static void remove_dir(void)
{
	empty("journal", 1);
	empty("tasks", 1);
	rmdir(dir);
}

static void make_sub(const char *sub)
{
	struct buf path = {0};

	buf_printf(&path, "%s/%s", dir, sub);
	if (util_mkdirs(path.data) != 0) {
		perror(path.data);
		abort();
	}
	buf_free(&path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	util_progname = "fuzz_journal";
	/* tmpfs where there is one: each input writes a few files */
	snprintf(dir, sizeof(dir), "%s/flowrun-fuzz-journal-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(dir)) {
		perror(dir);
		abort();
	}
	make_sub("journal");
	make_sub("tasks");
	atexit(remove_dir);
	return 0;
}

/* name_ok: a file of journal/ or tasks/, with no other directory in it */
static int name_ok(const char *name, size_t len)
{
	const char *base;
	size_t i;

	if (len > NAME_MAX_LEN)
		return 0;
	if (len > 8 && memcmp(name, "journal/", 8) == 0)
		base = name + 8;
	else if (len > 6 && memcmp(name, "tasks/", 6) == 0)
		base = name + 6;
	else
		return 0;
	if (!strcmp(base, ".") || !strcmp(base, ".."))
		return 0;
	for (i = (size_t)(base - name); i < len; i++)
		if (name[i] == '/' || name[i] == '\0')
			return 0;
	return 1;
}

static void write_file(const char *name, const uint8_t *data, size_t len)
{
	struct buf path = {0};
	size_t done;
	int fd;

	buf_printf(&path, "%s/%s", dir, name);
	fd = open(path.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || util_write_all(fd, (const char *)data, len, &done) != 0) {
		perror(path.data);
		abort();
	}
	close(fd);
	buf_free(&path);
}

/* write_files: the pieces of the input as the files of the run directory */
static void write_files(const uint8_t *data, size_t size)
{
	const uint8_t *end = data + size, *p = data;
	int first = 1;

	while (p <= end) {
		const uint8_t *cut = memchr(p, SEPARATOR, (size_t)(end - p));
		const uint8_t *stop = cut ? cut : end;

		if (first) {
			write_file("journal/0.jsonl", p, (size_t)(stop - p));
			first = 0;
		} else {
			const uint8_t *nl = memchr(p, '\n', (size_t)(stop - p));
			char *name = nl ? xstrndup((const char *)p, (size_t)(nl - p)) : NULL;

			if (name && name_ok(name, (size_t)(nl - p)))
				write_file(name, nl + 1, (size_t)(stop - nl - 1));
			free(name);
		}
		p = stop + 1;
	}
}

/* what the readers gave */
struct seen {
	size_t events;              /* events read */
	size_t tail_events;         /* of those, what journal_tail of session 0 reads */
	unsigned long long sum;     /* of every field, so that each is read */
};

static unsigned long long str_sum(const char *s)
{
	return s ? strlen(s) + (unsigned char)s[0] : 0;
}

/* on_event: every field read, and what journal.h promises checked */
static int on_event(void *ctx, const struct journal_event *ev)
{
	struct seen *s = ctx;
	struct buf why = {0};
	json_t *result;
	char *text;

	if ((unsigned)ev->kind > JE_END || (unsigned)ev->state >= ST_COUNT || !ev->where)
		abort();
	if ((ev->kind == JE_FLOW || ev->kind == JE_TASK || ev->kind == JE_SUBMIT) && ev->flow < 0)
		abort();
	if (ev->kind == JE_TASK && ev->task < 0)
		abort();
	if (ev->kind == JE_SUBMIT && !ev->unit)
		abort();
	s->events++;
	if (ev->session == 0 && strncmp(ev->where, "journal/0.jsonl:", 16) != 0)
		s->tail_events++;
	s->sum += ev->kind + ev->session + (unsigned long long)ev->flow +
		  (unsigned long long)ev->task + ev->state + (unsigned)ev->attempt +
		  (unsigned long long)ev->ms + (unsigned long long)ev->t;
	s->sum += str_sum(ev->backend) + str_sum(ev->flow_name) + str_sum(ev->task_name) +
		  str_sum(ev->reason) + str_sum(ev->unit) + str_sum(ev->result_file) +
		  str_sum(ev->where) + strlen(journal_state_names[ev->state]);
	if (ev->kind != JE_TASK || !journal_state_ok(ev->state))
		return 0;
	/* a Success carries its result, inline or in its file */
	if (!ev->result && !ev->result_file)
		abort();
	result = journal_load_result(dir, ev, &why);
	if (!result && !why.len)
		abort();
	text = result ? json_dumps(result, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	s->sum += str_sum(text);
	free(text);
	json_decref(result);
	buf_free(&why);
	return 0;
}

static void read_back(void)
{
	/* what the job body of flow3 reads: its files and its parent's */
	static const unsigned char only[NFLOWS] = {0, 1, 1};
	struct seen all = {0}, tail = {0}, some = {0};
	struct journal_tail *t;
	struct buf why = {0};
	struct replay r;
	int rc_all, rc_tail;
	char *units[NFLOWS];

	rc_all = journal_read(dir, NULL, 0, on_event, &all, &why);
	if (rc_all != 0 && !why.len)
		abort();
	why.len = 0;
	if (journal_read(dir, only, NFLOWS, on_event, &some, &why) != 0 && !why.len)
		abort();
	why.len = 0;
	if (journal_next_session(dir, &why) < 0 && !why.len)
		abort();
	why.len = 0;

	/* a follower of session 0 beside its driver reads the same events
	 * as journal_read, once */
	t = journal_tail_new(dir, 0, "0.jsonl");
	rc_tail = journal_tail_read(t, on_event, &tail, &why);
	if (rc_tail != 0 && !why.len)
		abort();
	why.len = 0;
	if (rc_all == 0 && rc_tail == 0) {
		size_t before = tail.events;

		if (tail.events != all.tail_events)
			abort();
		if (journal_tail_read(t, on_event, &tail, &why) != 0 || tail.events != before)
			abort();
	}
	journal_tail_free(t);

	if (replay_load(&r, dir, &plan, 1, NULL, &why) == 0) {
		unsigned s;

		for (s = 0; s < r.nsessions && s < 4; s++)
			replay_units(&r, s, units);
		replay_free(&r);
	} else if (!why.len) {
		abort();
	}
	buf_free(&why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	empty("journal", 0);
	empty("tasks", 0);
	write_files(data, size);
	read_back();
	return 0;
}

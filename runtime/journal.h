/* journal.h: the run directory's journal (docs/run.md): the one place that
 * writes and reads its events. One file per writer, versioned in its first
 * line; readers merge the files. It knows states and events, not scheduling. */
#ifndef FLOWRUN_JOURNAL_H
#define FLOWRUN_JOURNAL_H

#include <jansson.h>
#include <stddef.h>

#include "util.h"

/* the version this flowrun writes and reads; a reader refuses a newer one */
#define JOURNAL_VERSION 2
/* a task result larger than this (as compact JSON) goes to a file of its
 * own, written before its Success event, instead of inside the event:
 * journal lines stay small enough to read back line by line */
#define JOURNAL_INLINE_MAX 65536
/* events written are synced (fdatasync) at most this long after: what a
 * crash of the machine may lose (docs/run.md, "Writing and durability") */
#define JOURNAL_SYNC_MS 50

/* the states of flows and tasks (docs/run.md, "What runs") */
enum run_state { ST_PENDING, ST_RUNNING, ST_SUCCESS, ST_FAILED, ST_RETRYING, ST_SKIPPED,
		 ST_CANCELLED, ST_CACHED };
#define ST_COUNT 8
extern const char *const journal_state_names[ST_COUNT];

/* journal_state_parse: the state named s, or -1 */
int journal_state_parse(const char *s);
/* journal_state_final: st is an outcome (nothing changes it in this session) */
int journal_state_final(enum run_state st);
/* journal_state_ok: st is Success or Cached */
int journal_state_ok(enum run_state st);

enum journal_kind {
	JE_OPEN,    /* first line of a file: who writes it, for which session */
	JE_FLOW,    /* a flow's state */
	JE_TASK,    /* a task's state */
	JE_SUBMIT,  /* a flow handed to a backend as a unit of its own (a Slurm job) */
	JE_END,     /* the run's end, in this session */
};

/* One event, as written and as read back. Strings and result are borrowed
 * (from the caller when writing, from the reader until its callback returns). */
struct journal_event {
	enum journal_kind kind;     /* what it records */
	unsigned session;           /* the session whose file holds it (set by the reader) */
	const char *backend;        /* JE_OPEN of a session: its backend ("local", "slurm") */
	long flow;                  /* JE_FLOW, JE_TASK, JE_SUBMIT (and JE_OPEN of a flow's file); -1 else */
	const char *flow_name;      /* its name, for people reading the file */
	long task;                  /* JE_TASK: the task's index in its flow; -1 else */
	const char *task_name;      /* its name */
	enum run_state state;       /* JE_FLOW, JE_TASK, JE_END */
	int attempt;                /* JE_TASK: 1 for the first */
	long long ms;               /* JE_TASK: how long the attempt took, -1 when not known */
	long long t;                /* wall clock, milliseconds since the epoch (set by the writer) */
	const char *reason;         /* why it failed, was skipped, ...; or NULL */
	const char *unit;           /* JE_SUBMIT: the backend's id for it (a job id); JE_OPEN of a job */
	const char *image;          /* JE_TASK of a task in a container: its image's id */
	const char *key;            /* JE_TASK Success/Cached: the task's key (key.h) */
	const json_t *read;         /* and the files it read: "FS:NAME" -> SHA-256 hex or null */
	const char *cache_key;      /* JE_TASK Success/Cached of a cache: true task: its key */
	json_t *result;             /* JE_TASK Success/Cached: the result, inline */
	const char *result_file;    /* or the file (relative to the run directory) holding it */
	const char *where;          /* reader: "journal/0.jsonl:12", for messages */
};

/* ---- writing ---- */

struct journal;

/* journal_create: a new journal file DIR/journal/NAME (never one that
 * exists), whose first line is open (kind JE_OPEN, with the run id and
 * this process's pid and host); NULL with why */
struct journal *journal_create(const char *dir, const char *name, const char *run_id,
			       const struct journal_event *open, struct buf *why);
/* journal_add: appends ev to what the next flush writes. A Success with a
 * result larger than JOURNAL_INLINE_MAX writes it to
 * DIR/tasks/FLOW.TASK.result.json first. 0, or -1 with why. */
int journal_add(struct journal *j, const struct journal_event *ev, struct buf *why);
/* journal_flush: writes what was added (one write); after a failed write
 * the file is cut back to its last whole line. 0, or -1 with why (the real
 * errno: a write that stops short is ENOSPC) */
int journal_flush(struct journal *j, struct buf *why);
/* journal_sync: flush, then fdatasync: every event added so far is durable */
int journal_sync(struct journal *j, struct buf *why);
/* journal_unsynced_ms: how long ago the oldest event not yet synced was
 * added (0 when everything is synced) */
long long journal_unsynced_ms(const struct journal *j);
/* journal_close: flush, sync and close; 0, or -1 with why */
int journal_close(struct journal *j, struct buf *why);

/* ---- reading ---- */

/* called for each event in order; a non-zero return stops the reading and
 * is journal_read's result */
typedef int (*journal_fn)(void *ctx, const struct journal_event *ev);

/* journal_read: every event of the run directory, file after file in the
 * order docs/run.md gives (sessions in order; in a session the flows'
 * files, then the driver's), each file's lines in order; with flows not
 * NULL, the files of a flow's own process only for the flows F with
 * flows[F] set (the drivers' files always). A line that is not an event
 * (or lacks a field) is reported with warn() and skipped; a last line
 * without its newline (cut by a crash) is skipped silently. 0, fn's
 * non-zero result, or -1 with why (a journal of format 1, a newer version). */
int journal_read(const char *dir, const unsigned char *flows, size_t nflows, journal_fn fn,
		 void *ctx, struct buf *why);

/* journal_next_session: one more than the highest session any journal
 * file of dir names (0 when none): a new session's number, whatever the
 * files hold; -1 with why */
long journal_next_session(const char *dir, struct buf *why);

/* journal_load_result: the result of a JE_TASK event read back (inline or
 * from its file); a new reference, NULL with why */
json_t *journal_load_result(const char *dir, const struct journal_event *ev, struct buf *why);

/* A reader that follows the files of one session as they grow (the Slurm
 * backend following its jobs). */
struct journal_tail;
struct journal_tail *journal_tail_new(const char *dir, unsigned session, const char *skip_name);
/* journal_tail_read: the events appended since the last call, whole lines
 * only; 0, fn's result, or -1 with why */
int journal_tail_read(struct journal_tail *t, journal_fn fn, void *ctx, struct buf *why);
void journal_tail_free(struct journal_tail *t);

/* journal file names: the driver of session S writes "S.jsonl"; the k-th
 * process running flow F on its own in session S (a Slurm job body; k > 0
 * when Slurm ran it again) writes "S.F.k.jsonl" */
char *journal_name(unsigned session, long flow, unsigned k);

#endif

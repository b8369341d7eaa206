/* replay.h: a run read back from its journal against its plan: each
 * task's and flow's last state, results of what succeeded, the units
 * (Slurm jobs) of each flow, the sessions and how the last one ended.
 * Resume, job bodies, status and result all start here. It changes nothing. */
#ifndef FLOWRUN_REPLAY_H
#define FLOWRUN_REPLAY_H

#include <jansson.h>

#include "journal.h"
#include "plan.h"

struct replay_task {
	enum run_state st;          /* its last state (Pending when never journaled) */
	int attempt;                /* of its last event */
	unsigned session;           /* the session of its last event */
	int attempts;               /* attempts started in all sessions (its Running events) */
	unsigned ran_session;       /* the session and number of the attempt it started */
	int ran_attempt;            /* last (0 when none): whose output FLOW.TASK.stdout holds */
	long long ms;               /* of its last event, -1 when none */
	char *reason;               /* of its last event, or NULL */
	char *image;                /* the id of the image it last ran in, or NULL */
	json_t *result;             /* once Success or Cached (loaded), else NULL */
	char *key;                  /* the key of that Success or Cached (key.h), or NULL */
	json_t *read;               /* the files it read then (key.h), or NULL */
};

struct replay_flow {
	enum run_state st;          /* its last flow state (Pending when never journaled) */
	char *reason;               /* of that event */
	unsigned st_session;        /* the session of that event */
	char *unit;                 /* the unit (job id) it was last submitted as, or NULL */
	unsigned unit_session;      /* the session that submitted it */
	struct replay_task *tasks;  /* one per plan task */
	size_t ntasks;              /* as in the plan */
	size_t done;                /* tasks Success or Cached */
};

struct replay {
	struct replay_flow *flows;  /* one per plan flow */
	size_t nflows;              /* as in the plan */
	size_t done;                /* tasks Success or Cached in all */
	unsigned nsessions;         /* sessions so far (the next one's number) */
	char **backends;            /* the backend of each session ("local", "slurm") */
	int ended;                  /* the last session journaled its end */
	enum run_state end;         /* that end's state */
	char *end_reason;           /* and reason */
	long long t_first, t_last;  /* wall ms of the first and last events */
};

/* replay_load: reads the journal of dir; results are loaded when
 * with_results; with only not NULL, the job bodies' files of the flows F
 * with only[F] set alone (journal_read). 0, or -1 with why. */
int replay_load(struct replay *r, const char *dir, const struct plan *p, int with_results,
		const unsigned char *only, struct buf *why);
void replay_free(struct replay *r);
/* replay_units: for each flow, the unit (job id) session s started for
 * it when the flow journaled no outcome since, else NULL, into ids[f]
 * (borrowed); how many there are */
size_t replay_units(const struct replay *r, unsigned s, char **ids);

#endif

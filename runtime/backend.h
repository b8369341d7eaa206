/* backend.h: where flows run (docs/run.md). The driver (run.c) decides
 * which flow may start and records the run; a backend starts a flow as a
 * unit of its own, tells when it ended, cancels, and says whether units an
 * earlier session started still run. Adding a backend is one new file
 * with one struct backend_ops. */
#ifndef FLOWRUN_BACKEND_H
#define FLOWRUN_BACKEND_H

#include "journal.h"
#include "plan.h"
#include "progress.h"
#include "replay.h"
#include "rundir.h"
#include "store.h"

struct backend;

/* what the driver hands a backend; everything borrowed */
struct backend_env {
	const struct plan *plan;    /* what runs */
	const char *dir;            /* the run directory */
	const struct run_meta *meta;/* run.json */
	unsigned session;           /* this session's number */
	struct journal *journal;    /* the driver's journal */
	const struct replay *before;/* what earlier sessions did */
	struct store *store;        /* the results store, open */
	const struct files *files;  /* named filesystems */
	struct containers *containers; /* for flows with an image, or NULL when none has one */
	int jobs;                   /* -j, for backends that run tasks here */
	int verbose;                /* -v */
	struct progress *progress;  /* what is printed */
	/* ended: flow f reached outcome st. kept is NULL when the unit
	 * journaled the outcome itself; otherwise the unit died first and the
	 * driver records it (st Skipped, with reason), skipping every task but
	 * those with kept[t] set, which succeeded in the unit */
	void (*ended)(void *ctx, size_t f, enum run_state st, const unsigned char *kept,
		      const char *reason);
	void *ctx;                  /* for ended */
};

struct backend_ops {
	const char *name;           /* as --backend says it */
	/* 1: the backend itself holds a flow until the flows it needs
	 * succeeded (Slurm's afterok), so flows start as soon as the flows
	 * they need have started, and the driver may return before they end
	 * (--detach) */
	int orders_flows;
	struct backend *(*open)(const struct backend_env *env, struct buf *why);
	/* start: flow f runs; 0, or -1 with why (the run cannot go on) */
	int (*start)(struct backend *b, size_t f, struct buf *why);
	/* wait: waits for something to happen (bounded), reports ended flows;
	 * 0, or -1 with why (the run cannot go on) */
	int (*wait)(struct backend *b, struct buf *why);
	/* cancel: stops every unit started; they report their end through wait */
	void (*cancel)(struct backend *b);
	/* busy: units started have not all ended */
	int (*busy)(struct backend *b);
	/* live: for each of n units (ids[i], NULL for none), its state word in
	 * states[i] (to free; NULL when the backend no longer knows it) and
	 * whether it may still run in alive[i]; 0, or -1 with why */
	int (*live)(char *const *ids, size_t n, char **states, int *alive, struct buf *why);
	void (*close)(struct backend *b);
};

extern const struct backend_ops backend_local;
extern const struct backend_ops backend_slurm;

/* backend_find: the backend called name, or NULL */
const struct backend_ops *backend_find(const char *name);
/* backend_units: asks the backend of each session about the units it
 * started whose flows have no outcome since: for such a flow f, ids[f]
 * (borrowed from r), states[f] (the backend's word for it, to free; NULL
 * when the backend no longer knows it) and alive[f] (it may still run);
 * NULL, NULL and 0 for the other flows. 0, or -1 with why when a backend
 * cannot be asked. */
int backend_units(const struct replay *r, char **ids, char **states, int *alive,
		  struct buf *why);

#endif

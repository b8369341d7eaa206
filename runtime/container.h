/* container.h: a task's process in its flow's image (docs/run.md,
 * "Containers"): the container engine's command line around the task's
 * own, the id of the image it actually runs, and the removal of
 * containers that a stopped task or a dead flowrun leaves behind. It
 * knows the engines (podman, docker, apptainer), not the scheduler. */
#ifndef FLOWRUN_CONTAINER_H
#define FLOWRUN_CONTAINER_H

#include <stddef.h>

#include "util.h"

enum container_engine { ENGINE_PODMAN, ENGINE_DOCKER, ENGINE_APPTAINER };

/* the engine a run uses when none is asked for */
#define CONTAINER_DEFAULT_ENGINE ENGINE_PODMAN

/* container_engine_parse: the engine called name; 0, or -1 */
int container_engine_parse(const char *name, enum container_engine *e);
const char *container_engine_name(enum container_engine e);

struct containers;

/* containers_new: what this process starts in containers for run_id;
 * with pull, an image missing here is pulled when first needed */
struct containers *containers_new(enum container_engine e, int pull, const char *run_id);
void containers_free(struct containers *c);

/* containers_image: the id of image as the engine holds it here
 * ("sha256:HEX"), asked once per image in a process: borrowed, or NULL
 * with why (the image is missing and not pulled, or the engine cannot
 * be run) */
const char *containers_image(struct containers *c, const char *image, struct buf *why);
/* containers_present: 1 when image is present here, 0 when it is not,
 * -1 with why when the engine cannot tell */
int containers_present(struct containers *c, const char *image, struct buf *why);

/* what one task's container is */
struct container_task {
	const char *image;          /* as the plan names it */
	const char *image_id;       /* from containers_image */
	char *const *argv;          /* the task's command, NULL-terminated */
	const char *cwd;            /* its working directory, bound at the same path */
	char *const *mounts;        /* more host directories bound at the same paths */
	size_t nmounts;
	char *const *env;           /* NAME=VALUE it is given; the values travel in the
				     * engine's environment, never on its command line */
	size_t nenv;
	int input;                  /* it reads its standard input */
	int network;                /* it may reach the network */
	size_t flow, task;          /* whose (for its name) */
	int attempt;
};

/* containers_argv: the engine's command line that runs t, NULL-terminated
 * (all of it to free); the container's name in *name (to free; NULL for an
 * engine whose containers end with their process), or NULL with why */
char **containers_argv(struct containers *c, const struct container_task *t, char **name,
		       struct buf *why);
/* containers_argv_free: frees a command line containers_ made */
void containers_argv_free(char **v);
/* containers_remove: the container called name is stopped and removed,
 * here and now (nothing when it is gone already) */
void containers_remove(struct containers *c, const char *name);
/* containers_cleanup_argv: the command that removes every container this
 * process started (for proc's guard), NULL-terminated, or NULL for an
 * engine that needs none; all of it to free */
char **containers_cleanup_argv(const struct containers *c);
/* containers_remove_stale: removes the containers of the run that earlier
 * sessions on this host left (of flow f only when f >= 0). Only when no
 * process of those sessions can be alive (resume holds the run directory's
 * lock and found no job running). */
void containers_remove_stale(struct containers *c, long f);

#endif

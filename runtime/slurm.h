/* slurm.h: the Slurm commands flowrun uses (sbatch, squeue, scancel), run
 * as processes with their output read back. It knows jobs, not flows. */
#ifndef FLOWRUN_SLURM_H
#define FLOWRUN_SLURM_H

#include "util.h"

/* slurm_submit: sbatch --parsable with args; the job id (to free), or NULL
 * with why (sbatch's own message) */
char *slurm_submit(const char *const *args, size_t nargs, struct buf *why);
/* slurm_states: the state Slurm reports for each job ("PENDING",
 * "COMPLETED", ...; NULL when Slurm no longer knows it), in states[i] (to
 * free); 0, or -1 when squeue cannot be run */
int slurm_states(char *const *ids, size_t n, char **states);
/* slurm_cancel: scancel every job */
void slurm_cancel(char *const *ids, size_t n);

#endif

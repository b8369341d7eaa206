/* clean.h: flowrun clean (docs/run.md, "Cleaning up"): the runs of
 * .flowrun/runs a user no longer wants, and the cache entries no run that
 * is left refers to, removed or only listed. A run a flowrun is running is
 * never touched. */
#ifndef FLOWRUN_CLEAN_H
#define FLOWRUN_CLEAN_H

struct clean_options {
	long long older_than_s;     /* runs started longer ago than this go; -1: not asked */
	long keep;                  /* all but the newest this many go; -1: not asked */
	int cache;                  /* cache entries no remaining run refers to go */
	int dry_run;                /* list what would go, remove nothing */
};

/* clean_parse_age: "90s", "30m", "12h", "7d", "2w" in seconds, or -1 */
long long clean_parse_age(const char *text);
/* clean_run: does what o asks in the directory flowrun is started in;
 * the exit status (0, or 1 when something could not be removed) */
int clean_run(const struct clean_options *o);

#endif

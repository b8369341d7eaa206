/* clean.c: flowrun clean. Runs are chosen by age (when each started: its
 * plan.json, written once) and by rank (newest first); a cache entry is
 * kept while a remaining run's journal names its key. Removal never
 * follows a symbolic link a task left in a run directory. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "clean.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "journal.h"
#include "rundir.h"

/* the cache of the directory flowrun is started in (schedule.c's) */
#define CACHE_DIR ".flowrun/cache"

long long clean_parse_age(const char *text)
{
	static const struct {
		char unit;
		long long s;
	} units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 604800}};
	char *end;
	long long n;
	size_t i;

	errno = 0;
	n = strtoll(text, &end, 10);
	if (errno || end == text || n < 0 || n > 100LL * 365 * 86400 || end[0] == '\0' || end[1])
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (*end == units[i].unit)
			return n * units[i].s;
	return -1;
}

/* bytes counted by size_of */
static unsigned long long counted;

static int add_size(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)path;
	(void)flag;
	(void)ftw;
	counted += (unsigned long long)st->st_size;
	return 0;
}

/* tree_size: the bytes of the files under path (links not followed) */
static unsigned long long tree_size(const char *path)
{
	counted = 0;
	nftw(path, add_size, 16, FTW_PHYS);
	return counted;
}

/* the cache keys the journals of the remaining runs name */
struct keys {
	char **v;
	size_t n, cap;
};

static int collect_key(void *ctx, const struct journal_event *ev)
{
	struct keys *k = ctx;

	if (ev->kind == JE_TASK && ev->cache_key)
		VEC_PUSH(k->v, k->n, k->cap, xstrdup(ev->cache_key));
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void say_size(unsigned long long bytes, char *out, size_t size)
{
	if (bytes >= 1024ULL * 1024 * 1024)
		snprintf(out, size, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
	else if (bytes >= 1024 * 1024)
		snprintf(out, size, "%.1f MiB", bytes / (1024.0 * 1024));
	else
		snprintf(out, size, "%.1f KiB", bytes / 1024.0);
}

/* clean_cache: the entries of CACHE_DIR whose key is not in keys (sorted) */
static int clean_cache(const struct clean_options *o, struct keys *keys, size_t *n,
		       unsigned long long *bytes)
{
	DIR *d = opendir(CACHE_DIR);
	struct dirent *e;
	int status = 0;

	*n = 0;
	*bytes = 0;
	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		char key[65], *k = key;
		struct buf path = {0};
		struct stat st;

		/* KEY.json; a temporary file of a write under way is not an entry */
		if (len != 69 || strcmp(e->d_name + 64, ".json") != 0)
			continue;
		memcpy(key, e->d_name, 64);
		key[64] = '\0';
		if (keys->n && bsearch(&k, keys->v, keys->n, sizeof(*keys->v), cmp_str))
			continue;
		buf_printf(&path, "%s/%s", CACHE_DIR, e->d_name);
		if (lstat(path.data, &st) == 0 && S_ISREG(st.st_mode)) {
			if (!o->dry_run && unlink(path.data) != 0) {
				fprintf(stderr, "flowrun: cannot remove %s: %s\n", path.data,
					strerror(errno));
				status = 1;
			} else {
				(*n)++;
				*bytes += (unsigned long long)st.st_size;
			}
		}
		buf_free(&path);
	}
	closedir(d);
	return status;
}

int clean_run(const struct clean_options *o)
{
	struct keys keys = {0};
	size_t n, i, nruns = 0, nentries = 0;
	unsigned long long bytes = 0, cbytes = 0;
	char **ids = rundir_list(&n), size[32];
	time_t now = time(NULL);
	int status = 0, unreadable = 0;

	for (i = 0; i < n; i++) {
		struct buf dir = {0}, plan = {0}, who = {0}, why = {0};
		int old = 0, gone = 0;
		struct stat st;

		buf_printf(&dir, "%s/%s", RUNDIR_RUNS, ids[i]);
		buf_printf(&plan, "%s/plan.json", dir.data);
		if (o->keep >= 0 && (long)i >= o->keep)
			old = 1;
		if (o->older_than_s >= 0 && stat(plan.data, &st) == 0 &&
		    (long long)(now - st.st_mtime) > o->older_than_s)
			old = 1;
		if (old && rundir_holder(dir.data, &who)) {
			printf("kept %s: a flowrun runs it (%s)\n", ids[i], who.data);
		} else if (old) {
			unsigned long long b = tree_size(dir.data);

			if (o->dry_run || rundir_remove_tree(dir.data) == 0) {
				say_size(b, size, sizeof(size));
				printf("%s %s (%s)\n", o->dry_run ? "would remove" : "removed", ids[i], size);
				bytes += b;
				nruns++;
				gone = 1;
			} else {
				status = 1;
			}
		}
		/* what a remaining run refers to stays in the cache */
		if (!gone && o->cache && journal_read(dir.data, NULL, 0, collect_key, &keys, &why) != 0) {
			fprintf(stderr, "flowrun: %s: %s\n", dir.data, why.data);
			unreadable = 1;
		}
		buf_free(&dir);
		buf_free(&plan);
		buf_free(&who);
		buf_free(&why);
		free(ids[i]);
	}
	free(ids);
	if (o->cache && unreadable) {
		printf("the cache is left as it is: the journal of a run that stays cannot be read\n");
		status = 1;
	} else if (o->cache) {
		if (keys.n)
			qsort(keys.v, keys.n, sizeof(*keys.v), cmp_str);
		status |= clean_cache(o, &keys, &nentries, &cbytes);
	}
	say_size(bytes + cbytes, size, sizeof(size));
	printf("%s %zu run%s and %zu cache entr%s, %s\n", o->dry_run ? "would remove" : "removed",
	       nruns, nruns == 1 ? "" : "s", nentries, nentries == 1 ? "y" : "ies", size);
	for (i = 0; i < keys.n; i++)
		free(keys.v[i]);
	free(keys.v);
	return status;
}

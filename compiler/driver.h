/* driver.h: one flowc run's inputs carried through the front end: load the
 * files, build the spec model, resolve flows, run the checks. No output. */
#ifndef FLOWC_DRIVER_H
#define FLOWC_DRIVER_H

#include <sys/types.h>

#include "diag.h"
#include "spec.h"
#include "ynode.h"

struct driver_file {
	struct yfile yaml;   /* the loaded documents */
	dev_t dev;           /* identity of the file, so one file loads once */
	ino_t ino;           /* (with dev) */
	int given;           /* 1 when named on the command line, 0 when found in a -I directory */
};

struct driver {
	struct driver_file **files; /* in load order: command line, then -I directories */
	size_t nfiles;              /* number of files */
	size_t filecap;             /* allocated files */
	const char **dirs;          /* -I directories, as given */
	size_t ndirs;               /* number of dirs */
	size_t dircap;              /* allocated dirs */
	struct spec_set set;        /* every flow and flow of flows loaded */
	struct diags ds;            /* everything reported */
	int strict;                 /* report values of type any (--strict) */
};

/* driver_add_file: loads a spec file (once, however often it is named).
 * Returns 0, or -1 with errno set when it cannot be read. */
int driver_add_file(struct driver *d, const char *path, int given);
/* driver_add_dir: loads every *.yaml and *.yml file of dir, in name order.
 * Returns 0, or -1 with errno set (and *bad the path that failed, owned by
 * the caller) when the directory or one of its files cannot be read. */
int driver_add_dir(struct driver *d, const char *dir, char **bad);
/* driver_add_string: loads YAML text as if it were a file named name */
void driver_add_string(struct driver *d, const char *name, const char *text);
/* driver_check: builds the spec model of everything loaded, resolves flows
 * and runs every check */
void driver_check(struct driver *d);
void driver_free(struct driver *d);

#endif

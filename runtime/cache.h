/* cache.h: results of `cache: true` tasks kept between runs, keyed by the
 * task's key (key.h; docs/run.md). It knows files and keys, not when a
 * task runs. */
#ifndef FLOWRUN_CACHE_H
#define FLOWRUN_CACHE_H

#include <jansson.h>

#include "util.h"

/* cache_get: the result stored under key in dir, or NULL */
json_t *cache_get(const char *dir, const char *key);
/* cache_put: stores result under key (a temporary file of its own, then
 * rename: concurrent runs sharing dir never collide); 0, or -1 with why */
int cache_put(const char *dir, const char *key, const json_t *result, struct buf *why);

#endif

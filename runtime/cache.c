/* cache.c: the result cache: one JSON file per key, written atomically
 * under a unique temporary name. It decides nothing about reuse. */
#include "cache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json_text.h"

static char *entry(const char *dir, const char *key)
{
	struct buf b = {0};

	buf_printf(&b, "%s/%s.json", dir, key);
	return buf_steal(&b);
}

json_t *cache_get(const char *dir, const char *key)
{
	char *path = entry(dir, key);
	json_t *v = json_load_file(path, JSON_DECODE_ANY, NULL);

	free(path);
	return v;
}

int cache_put(const char *dir, const char *key, const json_t *result, struct buf *why)
{
	char *path = entry(dir, key), *text = json_text(result, JSON_COMPACT | JSON_ENCODE_ANY);
	int rc = -1;

	if (util_mkdirs(dir) != 0)
		buf_printf(why, "cannot make %s: %s", dir, strerror(errno));
	else if (util_write_atomic(path, text, strlen(text), 0644) != 0)
		buf_printf(why, "cannot write %s: %s", path, strerror(errno));
	else
		rc = 0;
	free(text);
	free(path);
	return rc;
}

/* limits.h: the limits on what flowrun reads, keeps and writes for a run
 * (docs/run.md, "Limits"): their defaults and bounds, the options that
 * set them, their record in run.json, and the check every value from
 * outside (a task's result, a file load_file reads, a stored document, a
 * parameter) passes before flowrun keeps it. */
#ifndef FLOWRUN_LIMITS_H
#define FLOWRUN_LIMITS_H

#include <jansson.h>
#include <stddef.h>

#include "util.h"

struct limits {
	int depth;          /* --max-depth: arrays and objects nested in one value */
	size_t result;      /* --max-result: bytes of a result's text or of a file load_file reads */
	size_t log;         /* --max-log: bytes of a task's standard output or error kept */
};

/* the defaults, and the largest depth (JSON readers, flowrun's own
 * included, stop at 2048 levels; a result travels inside a journal line) */
#define LIMITS_DEPTH 512
#define LIMITS_DEPTH_MAX 2000
#define LIMITS_RESULT ((size_t)16 << 20)
#define LIMITS_LOG ((size_t)1 << 30)

/* limits_default: every limit at its default */
void limits_default(struct limits *l);
/* limits_option: sets the limit of option ("--max-depth", "--max-result",
 * "--max-log") from text (a count, or a size with K, M or G); 1 when done,
 * 0 when option is not a limit, -1 with why for a bad value */
int limits_option(struct limits *l, const char *option, const char *text, struct buf *why);
/* limits_json: the limits as run.json records them */
json_t *limits_json(const struct limits *l);
/* limits_from_json: limits from run.json (absent fields keep theirs); 0,
 * or -1 with why */
int limits_from_json(struct limits *l, const json_t *o, struct buf *why);
/* limits_check: 0 when v nests at most l->depth deep and holds no string
 * with a NUL character (docs/run.md: such strings never enter a run);
 * else -1 with why, which names what (e.g. "the result") and the limit */
int limits_check(const json_t *v, const struct limits *l, const char *what, struct buf *why);
/* limits_not_json: why for what, which a JSON reader refused with err:
 * a NUL or a nesting too deep said as limits_check says it */
void limits_not_json(const struct limits *l, const char *what, const json_error_t *err,
		     struct buf *why);
/* limits_too_big: why for what, larger than the limit on a result */
void limits_too_big(const struct limits *l, const char *what, struct buf *why);
/* limits_size_text: "16 MiB" and the like, for messages */
void limits_size_text(struct buf *out, size_t n);

#endif

/* plan_format.h: what the plan's writer (flowc) and reader (flowrun) agree
 * on: its format name and version, the bounds of its numbers, and how its
 * content hash is computed. */
#ifndef FLOW_PLAN_FORMAT_H
#define FLOW_PLAN_FORMAT_H

#include <jansson.h>

#define PLAN_FORMAT "flowc-plan"
#define PLAN_VERSION 1
/* the longest duration (a year, in milliseconds) and the largest count
 * (retries, cpus) flowc takes and writes, and flowrun reads (docs/spec.md,
 * "Limits") */
#define PLAN_MAX_DURATION_MS (366LL * 86400 * 1000)
#define PLAN_MAX_COUNT 999999999LL
/* the longest flow or task name: flowrun names files after both
 * (FLOW.TASK.S.A.stdout must fit in 255 bytes) */
#define PLAN_MAX_NAME 100
/* the longest path of a bundled file (docs/plan.md, "Bundles") */
#define PLAN_MAX_PATH 1024
/* how the plan text is written: keys sorted, no whitespace */
#define PLAN_DUMP_FLAGS (JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY)

/* plan_hash: "sha256:" and the SHA-256 of the plan written without its
 * "hash" member, as PLAN_DUMP_FLAGS writes it (the member is removed for
 * the time of the hash, then put back); with legacy, written as flowc
 * wrote plans before reals took their shortest form (jansson's 17
 * digits). 0, or -1 when plan cannot be written */
int plan_hash(json_t *plan, int legacy, char out[72]);

#endif

/* jarena.c: jansson's memory for large documents taken from big blocks
 * (jarena.h). */
#include "jarena.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "util.h"

#define FIRST_BLOCK ((size_t)64 << 10)
#define LARGEST_BLOCK ((size_t)8 << 20)
/* a block is made resident this much at a time, as it is cut (one call
 * instead of a fault a page) */
#define AHEAD ((size_t)64 << 10)

struct block {
	struct block *next;
	uintptr_t end;       /* just past its last byte */
	char data[];
};

static struct block *blocks;     /* newest first */
static uintptr_t cur, lim;       /* what is left of the newest block */
static uintptr_t resident;       /* the newest block is resident below this */
static size_t next_size = FIRST_BLOCK;
static size_t live;              /* cut and not yet freed */
static int depth;                /* jarena_begin calls not yet ended */

static int from_blocks(const void *p)
{
	const struct block *b;

	for (b = blocks; b; b = b->next)
		if ((uintptr_t)p >= (uintptr_t)b->data && (uintptr_t)p < b->end)
			return 1;
	return 0;
}

static void release(void)
{
	while (blocks) {
		struct block *next = blocks->next;

		free(blocks);
		blocks = next;
	}
	cur = lim = resident = 0;
	next_size = FIRST_BLOCK;
}

static void *cut(size_t n)
{
	uintptr_t p;

	if (n > SIZE_MAX / 4)
		return NULL; /* jansson reports it */
	n = n ? (n + 7) & ~(size_t)7 : 8;
	if (n > lim - cur) {
		size_t size = next_size;
		struct block *b;

		while (size < n)
			size *= 2;
		if (!(b = malloc(sizeof(*b) + size)))
			return NULL;
		b->next = blocks;
		b->end = (uintptr_t)b->data + size;
		blocks = b;
		cur = resident = (uintptr_t)b->data;
		lim = b->end;
		if (next_size < LARGEST_BLOCK)
			next_size *= 2;
	}
	p = cur;
	cur += n;
	if (cur > resident) {
		uintptr_t to = cur - resident > AHEAD ? cur : resident + AHEAD;

		if (to > lim)
			to = lim;
		util_prefault((void *)resident, to - resident);
		resident = to;
	}
	live++;
	return (void *)p;
}

static void jfree(void *p)
{
	if (!p)
		return;
	if (!from_blocks(p)) {
		free(p);
		return;
	}
	if (--live == 0 && depth == 0)
		release();
}

void jarena_begin(void)
{
	if (depth++ == 0)
		json_set_alloc_funcs(cut, jfree);
}

void jarena_end(void)
{
	if (depth == 0 || --depth > 0)
		return;
	json_set_alloc_funcs(xmalloc, jfree);
	if (live == 0)
		release();
}

size_t jarena_live(void)
{
	return live;
}

/* jarena.h: jansson's memory for large documents taken from big blocks.
 *
 * Between jarena_begin and jarena_end every allocation jansson makes is cut
 * from the current block (8-byte aligned, no header, no free list): reading
 * a plan of 10,000 flows makes about a million of them, and malloc's own
 * bookkeeping was nearly half the time spent reading it. What jansson frees
 * from a block is only counted; the blocks go back to the system when every
 * allocation cut from them has been freed. Outside begin/end jansson
 * allocates as usual (after a first jarena_end, with xmalloc). One thread
 * only, like flowrun. */
#ifndef FLOWRUN_JARENA_H
#define FLOWRUN_JARENA_H

#include <stddef.h>

/* jarena_begin: jansson's allocations from the blocks until jarena_end;
 * calls may nest */
void jarena_begin(void);
/* jarena_end: ends the innermost jarena_begin */
void jarena_end(void);
/* jarena_live: how many allocations cut from the blocks are not yet freed
 * (0 once every block went back) */
size_t jarena_live(void);

#endif

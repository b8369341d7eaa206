/* test_util.c: memory made resident ahead of its first write: util_prefault
 * maps exactly the pages around a range and keeps errno; once
 * util_heap_follow is called, what the heap takes from the system is
 * resident before anything writes it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util.h"

/* resident: how many of the pages of [p, p + len) are in memory (p on a
 * page boundary) */
static size_t resident(const void *p, size_t len)
{
	const size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t pages = (len + page - 1) / page, i, n = 0;
	unsigned char *vec = malloc(pages);

	assert_non_null(vec);
	assert_int_equal(mincore((void *)p, len, vec), 0);
	for (i = 0; i < pages; i++)
		n += vec[i] & 1;
	free(vec);
	return n;
}

static void test_prefault_range(void **state)
{
	const size_t page = (size_t)sysconf(_SC_PAGESIZE), len = 64 * page;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)state;
	assert_true(p != MAP_FAILED);
	assert_int_equal(resident(p, len), 0);
	/* from inside page 3 to inside page 10: pages 3 to 10, no others */
	errno = 4242;
	util_prefault(p + 3 * page + 100, 7 * page);
	assert_int_equal(errno, 4242);
	assert_int_equal(resident(p, 3 * page), 0);
	assert_int_equal(resident(p + 3 * page, 8 * page), 8);
	assert_int_equal(resident(p + 11 * page, len - 11 * page), 0);
	/* nothing for an empty range; a range already resident again */
	util_prefault(p + 20 * page, 0);
	assert_int_equal(resident(p + 20 * page, page), 0);
	util_prefault(p, 11 * page);
	assert_int_equal(resident(p, len), 11);
	/* what was there before stays */
	memset(p + 4 * page, 'x', page);
	util_prefault(p + 4 * page, page);
	assert_int_equal(p[4 * page], 'x');
	assert_int_equal(p[5 * page - 1], 'x');
	munmap(p, len);
}

static void test_heap_follow(void **state)
{
#if defined(__SANITIZE_ADDRESS__)
	/* the sanitizer's allocator does not grow the brk heap */
	(void)state;
	skip();
#else
	const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t start, end;
	char *blocks[200];
	size_t i, n;

	(void)state;
	util_heap_follow();
	start = ((uintptr_t)sbrk(0) + page - 1) & ~(page - 1);
	/* blocks glibc takes from the brk heap, none written (glibc writes
	 * a header in front of each: one page in 15), until it grew 2 MiB */
	for (n = 0; n < 200 && (uintptr_t)sbrk(0) - start < (2u << 20); n++)
		blocks[n] = xmalloc(60000);
	end = (uintptr_t)sbrk(0) & ~(page - 1);
	assert_true(end - start >= (2u << 20) - page);
	assert_true((uintptr_t)blocks[n - 1] >= start && (uintptr_t)blocks[n - 1] < end);
	assert_int_equal(resident((void *)start, end - start), (end - start) / page);
	for (i = 0; i < n; i++)
		free(blocks[i]);
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefault_range),
		cmocka_unit_test(test_heap_follow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

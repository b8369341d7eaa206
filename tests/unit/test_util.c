/* test_util.c: memory made resident ahead of its first write: util_prefault
 * maps exactly the pages around a range and keeps errno; once
 * util_heap_follow is called, what the heap takes from the system is
 * resident before anything writes it; util_read_large reads a large file
 * whole into memory of its own and leaves others to util_read_file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
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

/* write_file: len bytes of a pattern (byte i is i * 7 + i / 4093) into a
 * new file at path */
static void write_file(const char *path, size_t len)
{
	FILE *fp = fopen(path, "wb");
	size_t i;

	assert_non_null(fp);
	for (i = 0; i < len; i++)
		assert_int_not_equal(fputc((int)((i * 7 + i / 4093) & 0xff), fp), EOF);
	assert_int_equal(fclose(fp), 0);
}

static void test_read_large(void **state)
{
	char dir[] = "/tmp/test_util.XXXXXX", path[64];
	const size_t sizes[] = {(size_t)2 << 20, ((size_t)5 << 20) + 12345};
	struct util_large l;
	size_t k, i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	/* 2 MiB exactly and a size that is no multiple of a page: every
	 * byte, in memory aligned on 2 MiB */
	for (k = 0; k < 2; k++) {
		write_file(path, sizes[k]);
		assert_int_equal(util_read_large(path, &l), 0);
		assert_int_equal(l.len, sizes[k]);
		assert_int_equal((uintptr_t)l.data % ((uintptr_t)2 << 20), 0);
		for (i = 0; i < sizes[k]; i++)
			if ((unsigned char)l.data[i] != ((i * 7 + i / 4093) & 0xff))
				fail_msg("byte %zu of %zu differs", i, sizes[k]);
		util_free_large(&l);
		assert_null(l.map);
	}
	/* smaller, empty, a directory: for util_read_file */
	write_file(path, ((size_t)2 << 20) - 1);
	assert_int_equal(util_read_large(path, &l), 1);
	write_file(path, 0);
	assert_int_equal(util_read_large(path, &l), 1);
	assert_int_equal(util_read_large(dir, &l), 1);
	assert_null(l.map);
	/* missing: -1 and why */
	unlink(path);
	errno = 0;
	assert_int_equal(util_read_large(path, &l), -1);
	assert_int_equal(errno, ENOENT);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefault_range),
		cmocka_unit_test(test_heap_follow),
		cmocka_unit_test(test_read_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

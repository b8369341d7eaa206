/* util.c: allocation that cannot fail, fatal errors, arenas, string buffers,
 * a string hash map and edit distance. Nothing here knows about flows. */
#define _GNU_SOURCE /* sched_getaffinity */
#include "util.h"
#include "version.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

const char *util_progname = "flowc";

void fatal(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", util_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

void warn(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: warning: ", util_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", util_progname);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", util_progname);
	exit(2);
}

int util_help_version(const char *arg, const char *usage)
{
	if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0 || strcmp(arg, "help") == 0) {
		fputs(usage, stdout);
		return 1;
	}
	if (strcmp(arg, "--version") == 0) {
		printf("%s %s\n", util_progname, FLOW_VERSION);
		return 1;
	}
	return 0;
}

int util_two_cpus(void)
{
	cpu_set_t set;

	return sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 1;
}

/* Fresh memory made resident in one call: the kernel maps a whole range at
 * once instead of taking a fault for each 4 KiB page on first touch (several
 * microseconds each on a virtual machine). For memory about to be written
 * whole; a kernel without MADV_POPULATE_WRITE (before 5.14) just faults. */
static _Atomic int populate_off;

void util_prefault(void *p, size_t len)
{
#ifdef MADV_POPULATE_WRITE
	const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo = (uintptr_t)p & ~(page - 1), hi = ((uintptr_t)p + len + page - 1) & ~(page - 1);
	int err = errno;

	/* whole pages around [p, p + len): each is mapped, since p and
	 * p + len - 1 are, and populating a page in use changes nothing */
	if (len && !atomic_load_explicit(&populate_off, memory_order_relaxed) &&
	    madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE) != 0 && errno == EINVAL)
		atomic_store(&populate_off, 1);
	errno = err;
#else
	(void)p;
	(void)len;
#endif
}

/* The end of the heap up to which it is resident; 0 while not following. */
static _Atomic uintptr_t heap_end;

void util_heap_follow(void)
{
	atomic_store(&heap_end, (uintptr_t)sbrk(0));
}

/* follow: what the heap took from the system since the last allocation
 * made resident (glibc grows it by the request and 128 KiB more, which
 * the next allocations use) */
static void follow(void)
{
	uintptr_t end = atomic_load_explicit(&heap_end, memory_order_relaxed), top;

	if (!end || (top = (uintptr_t)sbrk(0)) == end ||
	    !atomic_compare_exchange_strong(&heap_end, &end, top))
		return;
	if (top > end)
		util_prefault((void *)end, top - end);
}

/* The heap's growth for large inputs: 2 MiB pages where the kernel has
 * them, asked for with madvise (transparent huge pages in "madvise" mode).
 * One fault then maps 2 MiB instead of 4 KiB; a compiler that builds its
 * structures once and exits touches each page of them once, so faults are
 * most of the cost of fresh memory. */
#define HUGE_PAGE ((size_t)2 << 20)

void util_heap_reserve(size_t bytes)
{
#if defined(M_TOP_PAD) && defined(MADV_HUGEPAGE)
	static int tuned;
	uintptr_t lo, hi;
	void *volatile p; /* kept: a malloc and free the compiler may not drop */

	if (bytes < 4 * HUGE_PAGE)
		return;
	if (!tuned) {
		/* large blocks from the heap too, and the heap never trimmed
		 * below what it was given */
		mallopt(M_MMAP_THRESHOLD, 32 << 20);
		mallopt(M_TRIM_THRESHOLD, INT32_MAX);
		tuned = 1;
	}
	if (bytes > (size_t)INT32_MAX / 2)
		bytes = (size_t)INT32_MAX / 2;
	lo = (uintptr_t)sbrk(0);
	mallopt(M_TOP_PAD, (int)bytes);
	p = malloc(HUGE_PAGE);
	free(p);
	mallopt(M_TOP_PAD, 128 << 10); /* glibc's own */
	hi = (uintptr_t)sbrk(0);
	/* the reservation faults 2 MiB at a time; followed from its end */
	if (atomic_load(&heap_end))
		atomic_store(&heap_end, hi);
	lo = (lo + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
	hi &= ~(uintptr_t)(HUGE_PAGE - 1);
	if (hi > lo)
		madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
	(void)bytes;
#endif
}

void util_release(void *p, size_t len)
{
#ifdef MADV_DONTNEED
	/* the system's page, not 4 KiB: madvise rounds the length up to it */
	const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo = ((uintptr_t)p + page - 1) & ~(page - 1), hi = ((uintptr_t)p + len) & ~(page - 1);

	if (hi > lo)
		madvise((void *)lo, hi - lo, MADV_DONTNEED);
#else
	(void)p;
	(void)len;
#endif
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		fatal("out of memory");
	follow();
	return p;
}

void *xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);

	if (!p)
		fatal("out of memory");
	follow();
	return p;
}

void *xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (!p)
		fatal("out of memory");
	follow();
	return p;
}

void *xreallocarray(void *ptr, size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		fatal("out of memory");
	return xrealloc(ptr, count * size);
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t len)
{
	char *p = xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void util_grow(void *items, size_t *cap, size_t need, size_t elsize)
{
	void **p = items;
	size_t ncap;

	if (need <= *cap)
		return;
	/* from one: most of the many vectors of a large spec (a task's needs,
	 * a flow's edges) hold one item or two */
	ncap = *cap ? *cap : 1;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			fatal("out of memory");
		ncap *= 2;
	}
	*p = xreallocarray(*p, ncap, elsize);
	*cap = ncap;
}

struct arena_chunk {
	struct arena_chunk *next; /* older chunk */
	max_align_t data[];       /* the chunk's bytes */
};

/* arena_take: size bytes at an offset of the newest chunk that is a
 * multiple of align (a power of two), in a new chunk when they do not fit */
static void *arena_take(struct arena *a, size_t size, size_t align)
{
	struct arena_chunk *c;
	size_t csize, at = (a->used + align - 1) & ~(align - 1);
	void *p;

	if (!a->chunks || at > a->size || size > a->size - at) {
		/* chunks grow from 1 KiB to 64 KiB: many small arenas stay small */
		csize = !a->chunks ? 1024 : a->size < 32768 ? 2 * a->size : 65536;
		if (csize < size)
			csize = size;
		c = xmalloc(sizeof(*c) + csize);
		c->next = a->chunks;
		a->chunks = c;
		a->size = csize;
		at = 0;
	}
	p = (char *)a->chunks->data + at;
	a->used = at + size;
	return p;
}

void arena_reserve(struct arena *a, size_t size)
{
	if (!a->chunks || a->size - a->used < size) {
		arena_take(a, size, 1);
		a->used = 0;
	}
}

void *arena_alloc(struct arena *a, size_t size)
{
	return arena_take(a, size, sizeof(max_align_t));
}

char *arena_strndup(struct arena *a, const char *s, size_t len)
{
	/* characters need no alignment: short strings take only their bytes */
	char *p = arena_take(a, len + 1, 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void arena_release_tail(struct arena *a)
{
	if (a->chunks && a->size > a->used)
		util_release((char *)a->chunks->data + a->used, a->size - a->used);
}

void arena_adopt(struct arena *a, struct arena *from)
{
	struct arena_chunk **tail = &a->chunks;

	/* from's chunks go after a's newest, which stays the one allocated from */
	if (*tail)
		tail = &(*tail)->next;
	while (*tail)
		tail = &(*tail)->next;
	*tail = from->chunks;
	if (!a->chunks)
		*a = *from;
	memset(from, 0, sizeof(*from));
}

void arena_free(struct arena *a)
{
	struct arena_chunk *c, *next;

	for (c = a->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	a->chunks = NULL;
	a->used = a->size = 0;
}

void buf_room(struct buf *b, size_t need)
{
	util_grow(&b->data, &b->cap, need, 1);
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		fatal("bad format string");
	util_grow(&b->data, &b->cap, b->len + (size_t)n + 1, 1);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *buf_steal(struct buf *b)
{
	char *s = b->data ? b->data : xstrdup("");

	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

void strv_addf(char ***v, size_t *n, size_t *cap, const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	VEC_PUSH(*v, *n, *cap, buf_steal(&b));
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

int util_read_file(const char *path, struct buf *out)
{
	FILE *fp = fopen(path, "rb");
	struct stat st;
	size_t got;
	int err;

	if (!fp)
		return -1;
	/* a regular file's size read in one piece (the room for a chunk more
	 * that finds its end taken at once), a pipe's in chunks */
	if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uintmax_t)st.st_size < SIZE_MAX - out->len - 65537) {
		util_grow(&out->data, &out->cap, out->len + (size_t)st.st_size + 65537, 1);
		util_prefault(out->data + out->len, (size_t)st.st_size);
	}
	do {
		util_grow(&out->data, &out->cap, out->len + 65537, 1);
		got = fread(out->data + out->len, 1, out->cap - out->len - 1, fp);
		out->len += got;
		out->data[out->len] = '\0';
	} while (got > 0);
	if (ferror(fp)) {
		err = errno ? errno : EIO;
		fclose(fp);
		errno = err;
		return -1;
	}
	fclose(fp);
	return 0;
}

/* what util_read_large leaves room for beyond the size the file had when
 * opened; a file that grew more is read again by util_read_file */
#define LARGE_SLACK ((size_t)64 << 10)

int util_read_large(const char *path, struct util_large *out)
{
	struct stat st;
	size_t cap, got = 0;
	char *base;
	ssize_t n = 0;
	int fd, err;

	memset(out, 0, sizeof(*out));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)HUGE_PAGE ||
	    (uintmax_t)st.st_size > SIZE_MAX / 2) {
		close(fd);
		return 1;
	}
	/* whole 2 MiB pages, and one more to align the first of them */
	cap = ((size_t)st.st_size + LARGE_SLACK + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	out->size = cap + HUGE_PAGE;
	out->map = mmap(NULL, out->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (out->map == MAP_FAILED) {
		close(fd);
		memset(out, 0, sizeof(*out));
		return 1;
	}
	base = (char *)(((uintptr_t)out->map + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
#ifdef MADV_HUGEPAGE
	madvise(base, cap, MADV_HUGEPAGE);
#endif
	util_prefault(base, (size_t)st.st_size);
	while (got < cap && ((n = read(fd, base + got, cap - got)) > 0 || (n < 0 && errno == EINTR)))
		if (n > 0)
			got += (size_t)n;
	err = errno;
	close(fd);
	if (n < 0 || got == cap) {
		util_free_large(out);
		errno = err;
		return n < 0 ? -1 : 1;
	}
	out->data = base;
	out->len = got;
	return 0;
}

void util_free_large(struct util_large *l)
{
	if (l->map)
		munmap(l->map, l->size);
	memset(l, 0, sizeof(*l));
}

int util_write_all(int fd, const char *data, size_t len, size_t *done)
{
	*done = 0;
	while (*done < len) {
		ssize_t n = write(fd, data + *done, len - *done);

		if (n > 0)
			*done += (size_t)n;
		else if (n == 0)
			return ENOSPC;
		else if (errno != EINTR)
			return errno;
	}
	return 0;
}

int util_write_atomic(const char *path, const char *data, size_t len, int mode)
{
	struct buf tmp = {0};
	size_t done = 0;
	int fd, err = 0;

	buf_printf(&tmp, "%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp.data);
	if (fd < 0) {
		err = errno;
		buf_free(&tmp);
		errno = err;
		return -1;
	}
	err = util_write_all(fd, data, len, &done);
	if (!err && (fchmod(fd, (mode_t)mode) != 0 || fsync(fd) != 0))
		err = errno;
	if (close(fd) != 0 && !err)
		err = errno;
	if (!err && rename(tmp.data, path) != 0)
		err = errno;
	if (err)
		unlink(tmp.data);
	buf_free(&tmp);
	errno = err;
	return err ? -1 : 0;
}

int util_mkdirs(const char *path)
{
	char *copy, *p;
	int rc = 0;

	if (mkdir(path, 0755) == 0 || errno == EEXIST)
		return 0;
	copy = xstrdup(path);
	for (p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(copy, 0755); /* an error shows in the last mkdir */
		*p = '/';
	}
	if (mkdir(copy, 0755) != 0 && errno != EEXIST)
		rc = -1;
	free(copy);
	return rc;
}

struct strmap_slot {
	const char *key; /* NULL when the slot is free */
	size_t len;      /* key length in bytes */
	void *value;     /* what the key maps to */
};

static uint64_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037u; /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211u;
	}
	return h;
}

static struct strmap_slot *strmap_find(const struct strmap *m, const char *key, size_t len)
{
	size_t i = (size_t)hash_bytes(key, len) & (m->nslots - 1);

	for (;;) {
		struct strmap_slot *s = &m->slots[i];

		if (!s->key || (s->len == len && memcmp(s->key, key, len) == 0))
			return s;
		i = (i + 1) & (m->nslots - 1);
	}
}

void *strmap_get(const struct strmap *m, const char *key, size_t len)
{
	if (!m->nslots)
		return NULL;
	return strmap_find(m, key, len)->value;
}

void strmap_reserve(struct strmap *m, size_t n)
{
	struct strmap old = *m;
	size_t i, nslots = old.nslots ? old.nslots : 16;

	/* at most three quarters full: probes stay short, and a large map
	 * (a name per flow) takes half the room a half-full one would */
	while (n * 4 > nslots * 3) {
		if (nslots > SIZE_MAX / 4)
			fatal("out of memory");
		nslots *= 2;
	}
	if (nslots == old.nslots)
		return;
	m->nslots = nslots;
	m->slots = xcalloc(m->nslots, sizeof(*m->slots));
	for (i = 0; i < old.nslots; i++)
		if (old.slots[i].key)
			*strmap_find(m, old.slots[i].key, old.slots[i].len) = old.slots[i];
	free(old.slots);
}

void *strmap_put(struct strmap *m, const char *key, size_t len, void *value)
{
	struct strmap_slot *s;

	if ((m->count + 1) * 4 > m->nslots * 3)
		strmap_reserve(m, m->count + 1);
	s = strmap_find(m, key, len);
	if (s->key)
		return s->value;
	s->key = key;
	s->len = len;
	s->value = value;
	m->count++;
	return value;
}

void strmap_free(struct strmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->nslots = m->count = 0;
}

static int is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

size_t util_name_len(const char *s, size_t len)
{
	size_t i;

	if (!len || !is_name_start(s[0]))
		return 0;
	for (i = 1; i < len && (is_name_start(s[i]) || (s[i] >= '0' && s[i] <= '9') || s[i] == '-');
	     i++)
		;
	return i;
}

size_t util_unquote(struct arena *a, const char *s, size_t len, const char **out, size_t *outlen)
{
	struct buf content = {0};
	char q = s[0];
	size_t i;

	for (i = 1; i < len && s[i] != q; i++) {
		if (q == '"' && s[i] == '\\' && i + 1 < len)
			i++;
		buf_putc(&content, s[i]);
	}
	if (i < len) {
		*out = arena_strndup(a, content.data ? content.data : "", content.len);
		*outlen = content.len;
	}
	buf_free(&content);
	return i < len ? i + 1 : 0;
}

size_t util_edit_distance(const char *a, const char *b, size_t limit)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t *rows, *prev2, *prev, *row, result;

	if ((la > lb ? la - lb : lb - la) > limit)
		return limit + 1;
	/* three rows: the one before the previous serves transpositions */
	rows = xmalloc(3 * (lb + 1) * sizeof(*rows));
	prev2 = rows;
	prev = rows + lb + 1;
	row = rows + 2 * (lb + 1);
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		size_t rowmin, *t;

		row[0] = i;
		rowmin = row[0];
		for (j = 1; j <= lb; j++) {
			size_t best = prev[j - 1] + (a[i - 1] != b[j - 1]);

			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			row[j] = best;
			if (best < rowmin)
				rowmin = best;
		}
		if (rowmin > limit) {
			free(rows);
			return limit + 1;
		}
		t = prev2;
		prev2 = prev;
		prev = row;
		row = t;
	}
	result = prev[lb];
	free(rows);
	return result > limit ? limit + 1 : result;
}

const char *util_suggest(const char *word, const char *const *candidates, size_t ncandidates)
{
	size_t len = strlen(word), limit, best = SIZE_MAX, i;
	const char *found = NULL;

	if (len == 0 || len > 64)
		return NULL;
	/* one edit in three characters, at least one and at most three */
	limit = len / 3;
	if (limit < 1)
		limit = 1;
	if (limit > 3)
		limit = 3;
	for (i = 0; i < ncandidates; i++) {
		size_t d = util_edit_distance(word, candidates[i], limit);

		/* a word of one character is no typo of another */
		if (d <= limit && d < best && d > 0 && d < len) {
			best = d;
			found = candidates[i];
		}
	}
	return found;
}

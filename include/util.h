/* util.h: allocation that cannot fail, fatal errors, arenas, string buffers,
 * a string hash map and edit distance. Nothing here knows about flows. */
#ifndef FLOW_UTIL_H
#define FLOW_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#if defined(__GNUC__)
#define ATTR_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define ATTR_NORETURN __attribute__((noreturn))
#else
#define ATTR_PRINTF(f, a)
#define ATTR_NORETURN
#endif

/* name of the running program, used as the prefix of fatal() and warn() */
extern const char *util_progname;

void fatal(const char *fmt, ...) ATTR_PRINTF(1, 2) ATTR_NORETURN;
void warn(const char *fmt, ...) ATTR_PRINTF(1, 2);
/* usage_error: a command-line mistake: the message (fmt with arg), a hint
 * at --help, exit status 2 */
void usage_error(const char *fmt, const char *arg) ATTR_NORETURN;
/* util_help_version: prints usage for --help, -h or help, the version for
 * --version; returns 1 when arg was one of them */
int util_help_version(const char *arg, const char *usage);

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
/* xreallocarray: grows ptr to count elements of size bytes, checking overflow */
void *xreallocarray(void *ptr, size_t count, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t len);

/* Grows *items (with *cap slots of elsize bytes) so that it holds at least need. */
void util_grow(void *items, size_t *cap, size_t need, size_t elsize);
#define VEC_PUSH(arr, n, cap, value)                                  \
	do {                                                          \
		if ((n) + 1 > (cap))                                  \
			util_grow(&(arr), &(cap), (n) + 1, sizeof(*(arr))); \
		(arr)[(n)++] = (value);                               \
	} while (0)

/* An arena: many small allocations freed at once, so deep trees need no
 * recursive free. */
struct arena {
	struct arena_chunk *chunks; /* newest first */
	size_t used;                /* bytes used in the newest chunk */
	size_t size;                /* bytes available in the newest chunk */
};
void *arena_alloc(struct arena *a, size_t size);
char *arena_strndup(struct arena *a, const char *s, size_t len);
/* arena_reserve: makes room for size bytes in a's current chunk */
void arena_reserve(struct arena *a, size_t size);
/* arena_release_tail: what a's newest chunk has left, given back to the
 * system (its pages, where they were touched, are no longer resident);
 * only once nothing more is allocated from a */
void arena_release_tail(struct arena *a);
/* arena_adopt: a takes over what from owns, leaving from empty */
void arena_adopt(struct arena *a, struct arena *from);
void arena_free(struct arena *a);

/* A growable NUL-terminated byte string. */
struct buf {
	char *data; /* NUL-terminated, NULL while empty and never grown */
	size_t len; /* bytes before the NUL */
	size_t cap; /* bytes allocated */
};
/* buf_room: grows b to hold at least need bytes (the NUL included) */
void buf_room(struct buf *b, size_t need);
/* buf_add, buf_puts, buf_putc: bytes, a string, a byte at the end of b
 * (inline: the writers of a plan call them for every token) */
static inline void buf_add(struct buf *b, const char *s, size_t len)
{
	if (b->len + len + 1 > b->cap)
		buf_room(b, b->len + len + 1);
	memcpy(b->data + b->len, s, len);
	b->len += len;
	b->data[b->len] = '\0';
}
static inline void buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}
static inline void buf_putc(struct buf *b, char c)
{
	if (b->len + 2 > b->cap)
		buf_room(b, b->len + 2);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}
void buf_printf(struct buf *b, const char *fmt, ...) ATTR_PRINTF(2, 3);
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* buf_steal: returns the string (never NULL) and leaves b empty */
char *buf_steal(struct buf *b);
void buf_free(struct buf *b);
/* strv_addf: one more string, printf-style, onto the vector *v of *n
 * strings (*cap slots; each string owned by the vector) */
void strv_addf(char ***v, size_t *n, size_t *cap, const char *fmt, ...) ATTR_PRINTF(4, 5);

/* util_two_cpus: whether this process may run on more than one CPU */
int util_two_cpus(void);

/* util_heap_reserve: prepares the heap for about bytes more of allocations
 * (huge pages where the system offers them); small sizes do nothing */
void util_heap_reserve(size_t bytes);
/* util_heap_follow: from now on, what the heap takes from the system is
 * made resident by the allocation that took it (see util_prefault); for a
 * process that writes what it allocates. Called before any thread starts. */
void util_heap_follow(void);
/* util_prefault: the pages of [p, p + len) made resident and writable in
 * one call, not a fault each on first touch; errno unchanged */
void util_prefault(void *p, size_t len);
/* util_release: the whole pages of [p, p + len) given back to the system
 * (read again, they are zero); for the unused end of a large block that
 * shares its last 2 MiB page with what is used */
void util_release(void *p, size_t len);
/* util_read_file: appends the whole file at path to out; 0, or -1 with
 * errno set */
int util_read_file(const char *path, struct buf *out);

/* A large file's bytes in memory of their own (util_read_large). */
struct util_large {
	const char *data; /* the bytes read (not NUL-terminated) */
	size_t len;       /* how many */
	void *map;        /* the memory holding them */
	size_t size;      /* its size */
};
/* util_read_large: the whole regular file at path, of 2 MiB or more, read
 * into memory of its own, aligned on 2 MiB pages (where the system has
 * them) and made resident before the read fills it: memory of the heap
 * may be partly 4 KiB pages, each costing a fault when first written.
 * Returns 0; 1 when the file is not one to read so (not a regular file,
 * smaller, or growing while read: use util_read_file); -1 with errno set
 * when it cannot be read. util_free_large gives the memory back. */
int util_read_large(const char *path, struct util_large *out);
void util_free_large(struct util_large *l);

/* util_write_all: writes len bytes of data to fd, going on after short
 * writes and EINTR; returns 0, or the errno of the failure (a write that
 * writes nothing is ENOSPC); *done says how much was written either way */
int util_write_all(int fd, const char *data, size_t len, size_t *done);

/* util_write_atomic: data to path through a temporary file of a name no
 * other writer uses (mkstemp), fsync, rename; mode for the new file. 0, or
 * -1 with errno set (a short write is ENOSPC) */
int util_write_atomic(const char *path, const char *data, size_t len, int mode);

/* util_mkdirs: makes the directory path and any parents it lacks; 0, or -1
 * with errno set */
int util_mkdirs(const char *path);

/* A map from byte strings to pointers (open addressing). Keys are not copied. */
struct strmap {
	struct strmap_slot *slots; /* nslots entries, key NULL when free */
	size_t nslots;             /* a power of two, or 0 */
	size_t count;              /* keys stored */
};
void *strmap_get(const struct strmap *m, const char *key, size_t len);
/* strmap_put: stores value under key unless present; returns the value now
 * stored under key (the earlier one when it was present). */
void *strmap_put(struct strmap *m, const char *key, size_t len, void *value);
/* strmap_reserve: room for n keys in all, so that putting them grows nothing */
void strmap_reserve(struct strmap *m, size_t n);
void strmap_free(struct strmap *m);

/* An error of one of the small parsers (types, references): where in the
 * parsed text, and what. */
struct parse_error {
	size_t offset;    /* byte offset of the offending token in the text */
	char msg[160];    /* one line */
};

/* util_name_len: the length of the name at the start of s[0..len): a letter
 * or '_', then letters, digits, '_' or '-'; 0 when s does not start one.
 * Parameter, task and field names are such names. */
size_t util_name_len(const char *s, size_t len);
/* util_unquote: reads the quoted string that starts at s[0] (its quote,
 * '"' or '\''), up to s[len]; in double quotes a backslash takes the next
 * character as is. Puts the content, allocated in a, in *out (*outlen
 * bytes) and returns the bytes read with both quotes, or 0 when the closing
 * quote is missing. */
size_t util_unquote(struct arena *a, const char *s, size_t len, const char **out, size_t *outlen);

/* The edit distance of a and b, an adjacent transposition counting as one
 * edit (optimal string alignment), giving up (returning limit + 1) beyond
 * limit. */
size_t util_edit_distance(const char *a, const char *b, size_t limit);
/* util_suggest: the candidate closest to word within a distance that makes a
 * typo plausible, or NULL. */
const char *util_suggest(const char *word, const char *const *candidates, size_t ncandidates);

#endif

/* jw.c: a streaming writer of compact JSON with sorted keys (jw.h). An
 * object's members are written as they come, each remembered with its key
 * and the span of its text; when the object ends they are put back in key
 * order in the same bytes, so the text is the one a sorted dump gives. */
#include "jw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_text.h"

void jw_init(struct jw *w, struct buf *b)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
}

void jw_free(struct jw *w)
{
	free(w->frames);
	free(w->members);
	buf_free(&w->scratch);
	memset(w, 0, sizeof(*w));
}

/* item: the separator before a value: none after a key or first in an
 * array, a comma after an earlier item */
static void item(struct jw *w)
{
	struct jw_frame *f;

	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (!w->nframes)
		return;
	f = &w->frames[w->nframes - 1];
	if (f->count++)
		buf_putc(w->b, ',');
}

/* open_container: a container starts at the end of the text */
static void open_container(struct jw *w, int object, int in_order)
{
	struct jw_frame f = {0, w->nmembers, 0, object, in_order};

	item(w);
	f.open = w->b->len;
	buf_putc(w->b, object ? '{' : '[');
	VEC_PUSH(w->frames, w->nframes, w->frames_cap, f);
}

void jw_object(struct jw *w)
{
	open_container(w, 1, 0);
}

void jw_object_in_order(struct jw *w)
{
	open_container(w, 1, 1);
}

void jw_array(struct jw *w)
{
	open_container(w, 0, 0);
}

void jw_array_end(struct jw *w)
{
	w->nframes--;
	buf_putc(w->b, ']');
}

/* cmp_member: members in key order, as JSON_SORT_KEYS sorts them */
static int cmp_member(const void *a, const void *b)
{
	return strcmp(((const struct jw_member *)a)->key, ((const struct jw_member *)b)->key);
}

/* sort_members: the n members m of the object whose text starts at open,
 * rewritten in key order over the same bytes */
static void sort_members(struct jw *w, size_t open_at, struct jw_member *m, size_t n)
{
	size_t i;

	for (i = 1; i < n && strcmp(m[i - 1].key, m[i].key) <= 0; i++)
		;
	if (i >= n)
		return;
	qsort(m, n, sizeof(*m), cmp_member);
	w->scratch.len = 0;
	for (i = 0; i < n; i++) {
		if (i)
			buf_putc(&w->scratch, ',');
		buf_add(&w->scratch, w->b->data + m[i].start, m[i].end - m[i].start);
	}
	memcpy(w->b->data + open_at + 1, w->scratch.data, w->scratch.len);
}

void jw_object_end(struct jw *w)
{
	struct jw_frame *f = &w->frames[--w->nframes];

	if (f->count && !f->in_order && !w->keep_order) {
		w->members[w->nmembers - 1].end = w->b->len;
		sort_members(w, f->open, w->members + f->first, w->nmembers - f->first);
	}
	w->nmembers = f->first;
	buf_putc(w->b, '}');
}

/* member: the separator before the next member of the innermost object,
 * and the member remembered for sorting unless the object is in order */
static void member(struct jw *w, const char *key)
{
	struct jw_frame *f = &w->frames[w->nframes - 1];
	struct jw_member m = {key, 0, 0};

	if (f->in_order) {
		if (f->count++)
			buf_putc(w->b, ',');
		return;
	}
	if (f->count++) {
		w->members[w->nmembers - 1].end = w->b->len;
		buf_putc(w->b, ',');
	}
	m.start = w->b->len;
	VEC_PUSH(w->members, w->nmembers, w->members_cap, m);
}

void jw_key(struct jw *w, const char *key)
{
	member(w, key);
	json_text_string(w->b, key, strlen(key));
	buf_putc(w->b, ':');
	w->after_key = 1;
}

void jw_key_lit(struct jw *w, struct jw_lit k)
{
	member(w, k.key);
	buf_add(w->b, k.text, k.len);
	w->after_key = 1;
}

int jw_has_key(const struct jw *w, const char *key)
{
	size_t i;

	for (i = w->frames[w->nframes - 1].first; i < w->nmembers; i++)
		if (strcmp(w->members[i].key, key) == 0)
			return 1;
	return 0;
}

void jw_string(struct jw *w, const char *s, size_t len)
{
	item(w);
	json_text_string(w->b, s, len);
}

void jw_str(struct jw *w, const char *s)
{
	jw_string(w, s, strlen(s));
}

void jw_int(struct jw *w, long long v)
{
	char num[24], *p = num + sizeof(num);
	unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;

	item(w);
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	buf_add(w->b, p, (size_t)(num + sizeof(num) - p));
}

void jw_real(struct jw *w, double d)
{
	char num[64];

	item(w);
	json_text_real(d, num, sizeof(num));
	buf_puts(w->b, num);
}

void jw_bool(struct jw *w, int v)
{
	jw_raw(w, v ? "true" : "false");
}

void jw_null(struct jw *w)
{
	jw_raw(w, "null");
}

void jw_raw(struct jw *w, const char *text)
{
	item(w);
	buf_puts(w->b, text);
}

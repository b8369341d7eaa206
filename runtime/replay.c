/* replay.c: the journal folded into the last state of each flow and task.
 * Events that do not fit the plan are reported and skipped; nothing here
 * is trusted to the journal. */
#include "replay.h"

#include <stdlib.h>
#include <string.h>

struct ctx {
	struct replay *r;
	const struct plan *p;
	const char *dir;
	int with_results;
};

static void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? xstrdup(s) : NULL;
}

static int on_event(void *vc, const struct journal_event *ev)
{
	struct ctx *c = vc;
	struct replay *r = c->r;
	struct replay_flow *rf;

	if (ev->t && (!r->t_first || ev->t < r->t_first))
		r->t_first = ev->t;
	if (ev->t > r->t_last)
		r->t_last = ev->t;
	if (ev->session + 1 > r->nsessions) {
		unsigned k;

		r->backends = xreallocarray(r->backends, ev->session + 1, sizeof(*r->backends));
		for (k = r->nsessions; k <= ev->session; k++)
			r->backends[k] = NULL;
		r->nsessions = ev->session + 1;
		r->ended = 0;
	}
	if (ev->kind == JE_OPEN) {
		if (ev->backend)
			set_str(&r->backends[ev->session], ev->backend);
		return 0;
	}
	if (ev->kind == JE_END) {
		if (ev->session + 1 == r->nsessions) {
			r->ended = 1;
			r->end = ev->state;
			set_str(&r->end_reason, ev->reason);
		}
		return 0;
	}
	if ((size_t)ev->flow >= c->p->nflows ||
	    (ev->kind == JE_TASK && (size_t)ev->task >= c->p->flows[ev->flow].ntasks)) {
		warn("%s/%s: no such %s in the plan; skipped", c->dir, ev->where,
		     ev->kind == JE_TASK ? "task" : "flow");
		return 0;
	}
	rf = &r->flows[ev->flow];
	if (ev->kind == JE_SUBMIT) {
		set_str(&rf->unit, ev->unit);
		rf->unit_session = ev->session;
		return 0;
	}
	if (ev->kind == JE_FLOW) {
		rf->st = ev->state;
		rf->st_session = ev->session;
		set_str(&rf->reason, ev->reason);
		return 0;
	}
	{
		struct replay_task *rt = &rf->tasks[ev->task];

		if (journal_state_ok(rt->st)) {
			rf->done--;
			r->done--;
		}
		json_decref(rt->result);
		rt->result = NULL;
		json_decref(rt->read);
		rt->read = NULL;
		set_str(&rt->key, NULL);
		rt->st = ev->state;
		rt->attempt = ev->attempt;
		rt->session = ev->session;
		if (ev->state == ST_RUNNING) {
			rt->attempts++;
			rt->ran_session = ev->session;
			rt->ran_attempt = ev->attempt;
		}
		rt->ms = ev->ms;
		set_str(&rt->reason, ev->reason);
		if (ev->image)
			set_str(&rt->image, ev->image);
		if (journal_state_ok(ev->state)) {
			set_str(&rt->key, ev->key);
			rt->read = ev->read ? json_incref((json_t *)ev->read) : NULL;
			if (c->with_results) {
				struct buf why = {0};

				rt->result = journal_load_result(c->dir, ev, &why);
				if (!rt->result) {
					/* a success without its result runs again */
					warn("%s/%s: %s; the task runs again", c->dir, ev->where, why.data);
					rt->st = ST_PENDING;
				}
				buf_free(&why);
			}
			if (journal_state_ok(rt->st)) {
				rf->done++;
				r->done++;
			}
		}
	}
	return 0;
}

int replay_load(struct replay *r, const char *dir, const struct plan *p, int with_results,
		const unsigned char *only, struct buf *why)
{
	struct ctx c = {r, p, dir, with_results};
	size_t f, t;

	memset(r, 0, sizeof(*r));
	r->nflows = p->nflows;
	r->flows = xcalloc(p->nflows, sizeof(*r->flows));
	for (f = 0; f < p->nflows; f++)
	{
		r->flows[f].ntasks = p->flows[f].ntasks;
		r->flows[f].tasks = xcalloc(p->flows[f].ntasks ? p->flows[f].ntasks : 1,
					    sizeof(*r->flows[f].tasks));
		for (t = 0; t < p->flows[f].ntasks; t++)
			r->flows[f].tasks[t].ms = -1;
	}
	if (journal_read(dir, only, p->nflows, on_event, &c, why) != 0) {
		replay_free(r);
		return -1;
	}
	return 0;
}

void replay_free(struct replay *r)
{
	size_t f, t;
	unsigned k;

	for (f = 0; r->flows && f < r->nflows; f++) {
		for (t = 0; t < r->flows[f].ntasks; t++) {
			free(r->flows[f].tasks[t].reason);
			free(r->flows[f].tasks[t].image);
			free(r->flows[f].tasks[t].key);
			json_decref(r->flows[f].tasks[t].read);
			json_decref(r->flows[f].tasks[t].result);
		}
		free(r->flows[f].reason);
		free(r->flows[f].unit);
		free(r->flows[f].tasks);
	}
	for (k = 0; k < r->nsessions; k++)
		free(r->backends[k]);
	free(r->backends);
	free(r->flows);
	free(r->end_reason);
	memset(r, 0, sizeof(*r));
}

size_t replay_units(const struct replay *r, unsigned s, char **ids)
{
	size_t f, n = 0;

	for (f = 0; f < r->nflows; f++) {
		const struct replay_flow *rf = &r->flows[f];

		ids[f] = rf->unit && rf->unit_session == s &&
				 !(journal_state_final(rf->st) && rf->st_session >= s)
			     ? rf->unit : NULL;
		n += ids[f] != NULL;
	}
	return n;
}

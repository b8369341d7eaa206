/* fuzz_plan.c: a libFuzzer target for flowrun's plan reader: any bytes are
 * refused or accepted without a crash; inputs that are JSON objects are also
 * given a matching hash, so the structural checks behind the hash are
 * reached, and an accepted plan must have every index in range. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "plan_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_indices(const struct plan *p)
{
	size_t i, j, k;

	for (i = 0; i < p->nflows; i++) {
		const struct plan_flow *f = &p->flows[i];

		for (k = 0; k < f->nneeds; k++)
			if (f->needs[k] >= i)
				abort();
		for (j = 0; j < f->nparams; j++) {
			const struct plan_source *s = &f->params[j].source;

			if (s->kind == SOURCE_INPUT && s->input >= p->ninputs)
				abort();
			if (s->kind != SOURCE_INPUT &&
			    (s->flow >= i || s->task >= p->flows[s->flow].ntasks))
				abort();
		}
		for (j = 0; j < f->ntasks; j++)
			for (k = 0; k < f->tasks[j].nneeds; k++)
				if (f->tasks[j].needs[k] >= j)
					abort();
	}
}

static void parse(const char *text, size_t len)
{
	struct plan p;
	struct buf err = {0};

	if (plan_parse(&p, text, len, &err) == 0)
		check_indices(&p);
	else if (!err.len)
		abort(); /* a refusal always says why */
	plan_free(&p);
	buf_free(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *root;
	char hash[72];

	parse((const char *)data, size);
	root = json_loadb((const char *)data, size, 0, NULL);
	if (json_is_object(root) && plan_hash(root, 0, hash) == 0) {
		char *text;

		json_object_set_new(root, "hash", json_string(hash));
		text = json_dumps(root, PLAN_DUMP_FLAGS);
		if (text)
			parse(text, strlen(text));
		free(text);
	}
	json_decref(root);
	return 0;
}

/* value.h: YAML values as JSON text, with YAML 1.2 core-schema scalars. It
 * knows nothing of flows. */
#ifndef FLOWC_VALUE_H
#define FLOWC_VALUE_H

#include "jw.h"
#include "ynode.h"

/* value_has_json: whether n has a JSON form: all but a scalar that is a
 * real JSON cannot carry (beyond a double's range), which a collection
 * leaves out; the checks report such numbers (value_number_problem)
 * before a plan is written */
int value_has_json(const struct ynode *n);
/* value_number_problem: for a scalar that is a number a plan cannot hold
 * (an integer beyond 64 bits, a real beyond a double's range or so near 0
 * that it reads as 0), what is wrong with it; NULL for any other node */
const char *value_number_problem(const struct ynode *n);
/* value_is_string: whether the JSON form of n is a string */
int value_is_string(const struct ynode *n);
/* value_write: the JSON form of n (which must have one), to w */
void value_write(struct jw *w, const struct ynode *n);
/* value_write_members: the members of mapping n, into the object open in w */
void value_write_members(struct jw *w, const struct ynode *map);
/* value_text: the compact JSON text of n (which must have one), its
 * mappings' keys in the order written; to free */
char *value_text(const struct ynode *n);

#endif

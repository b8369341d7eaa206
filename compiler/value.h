/* value.h: YAML values as JSON values (jansson), with YAML 1.2 core-schema
 * scalars. It knows nothing of flows. */
#ifndef FLOWC_VALUE_H
#define FLOWC_VALUE_H

#include <jansson.h>

#include "ynode.h"

/* value_json: a new reference to the JSON form of n */
json_t *value_json(const struct ynode *n);

#endif

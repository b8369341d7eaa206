/* version.h: the version both tools print and write into what they produce.
 * Bump it with every release; nothing else belongs here. */
#ifndef FLOW_VERSION_H
#define FLOW_VERSION_H

#define FLOW_VERSION "0.1.0"

#endif

{{ banner }}
/*
 * Internal to the library: the description of every type of the SDK, for
 * the runtime of xen_wire.c. Not installed.
 */

#ifndef XEN_TYPES_H
#define XEN_TYPES_H

#include "xen_wire.h"
{% for d in descs %}
extern const xw_type {{ d.name }};
{%- endfor %}

#endif

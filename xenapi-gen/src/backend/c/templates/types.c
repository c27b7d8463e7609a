{{ banner }}
#include <stddef.h>

#ifndef XEN_NO_DEPRECATION_WARNINGS
#define XEN_NO_DEPRECATION_WARNINGS
#endif
#include <xen/api/xen_all.h>

#include "xen_wire.h"
#include "xen_types.h"

{%- for d in descs %}
{%- if !d.values.is_empty() %}

static const char *const {{ d.name }}_values[] = {
{%- for v in d.values %}
    {{ v }},
{%- endfor %}
};
{%- endif %}
{%- if !d.fields.is_empty() %}

static const xw_field {{ d.name }}_fields[] = {
{%- for f in d.fields %}
    { {{ f.key }}, &{{ f.desc }}, offsetof({{ f.owner }}, {{ f.member }}), {{ f.dflt }}, {{ f.ctor }} },
{%- endfor %}
};
{%- endif %}

const xw_type {{ d.name }} = {
{%- for line in d.init %}
    {{ line }},
{%- endfor %}
};
{%- endfor %}

{{ banner }}
#include <stddef.h>
#include <stdlib.h>

#include "xen_wire.h"
#include "xen_types.h"
#include <xen/api/{{ t }}.h>
{%- if has_handle %}


void
{{ t }}_free({{ t }} {{ var }})
{
    free({{ var }});
}


{{ t }}_set *
{{ t }}_set_alloc(size_t size)
{
    return xw_alloc_items(&xw_t_{{ t }}_set, size);
}


void
{{ t }}_set_free({{ t }}_set *set)
{
    xw_free_ptr(&xw_t_{{ t }}_set, set);
}
{%- endif %}


{{ t }}_record *
{{ t }}_record_alloc(void)
{
    return xw_alloc_zeroed(sizeof({{ t }}_record));
}


void
{{ t }}_record_free({{ t }}_record *record)
{
    xw_free_ptr(&xw_t_{{ t }}_record, record);
}
{%- if has_handle %}


{{ t }}_record_opt *
{{ t }}_record_opt_alloc(void)
{
    return xw_alloc_zeroed(sizeof({{ t }}_record_opt));
}


void
{{ t }}_record_opt_free({{ t }}_record_opt *record_opt)
{
    xw_free_ptr(&xw_t_{{ t }}_record_opt, record_opt);
}
{%- endif %}


{{ t }}_record_set *
{{ t }}_record_set_alloc(size_t size)
{
    return xw_alloc_items(&xw_t_{{ t }}_record_set, size);
}


void
{{ t }}_record_set_free({{ t }}_record_set *set)
{
    xw_free_ptr(&xw_t_{{ t }}_record_set, set);
}
{%- if has_handle %}


{{ t }}_record_opt_set *
{{ t }}_record_opt_set_alloc(size_t size)
{
    return xw_alloc_items(&xw_t_{{ t }}_record_opt_set, size);
}


void
{{ t }}_record_opt_set_free({{ t }}_record_opt_set *set)
{
    xw_free_ptr(&xw_t_{{ t }}_record_opt_set, set);
}
{%- endif %}
{%- for m in functions %}


{{ m.ret }}
{{ m.proto }}
{
{%- if m.args.is_empty() %}
{%- if m.after.is_empty() %}
    return xw_call(session, "{{ m.wire }}", NULL, 0, {{ m.result_desc }}, {{ m.result_arg }});
{%- else %}
    if (!xw_call(session, "{{ m.wire }}", NULL, 0, {{ m.result_desc }}, {{ m.result_arg }}))
        return false;
{{ m.after }}
    return true;
{%- endif %}
{%- else %}
    const xw_arg args[] = {
{%- for a in m.args %}
        { &{{ a.desc }}, &{{ a.name }}, {{ a.ctor }} },
{%- endfor %}
    };
{%- if m.after.is_empty() %}
    return xw_call(session, "{{ m.wire }}", args, {{ m.args.len() }}, {{ m.result_desc }}, {{ m.result_arg }});
{%- else %}
    if (!xw_call(session, "{{ m.wire }}", args, {{ m.args.len() }}, {{ m.result_desc }}, {{ m.result_arg }}))
        return false;
{{ m.after }}
    return true;
{%- endif %}
{%- endif %}
}
{%- endfor %}

{{ banner }}
#include <stddef.h>

#include "xen_wire.h"
#include "xen_types.h"
#include <xen/api/{{ t }}.h>


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


const char *
{{ t }}_to_string(enum {{ t }} val)
{
    return xw_enum_to_string(&xw_t_{{ t }}, (int)val);
}


enum {{ t }}
{{ t }}_from_string(xen_session *session, const char *str)
{
    (void)session;
    return (enum {{ t }})xw_enum_from_string(&xw_t_{{ t }}, str);
}

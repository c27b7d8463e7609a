{{ banner }}
#include <stddef.h>

#include "xen_wire.h"
#include "xen_types.h"
#include <xen/api/{{ t }}.h>


{{ t }} *
{{ t }}_alloc(size_t size)
{
    return xw_alloc_items(&xw_t_{{ t }}, size);
}


void
{{ t }}_free({{ t }} *set)
{
    xw_free_ptr(&xw_t_{{ t }}, set);
}

{{ banner }}
#include "xen_wire.h"
#include "xen_types.h"
#include <xen/api/xen_event_batch.h>


void
xen_event_batch_free(xen_event_batch *batch)
{
    xw_free_ptr(&xw_t_xen_event_batch, batch);
}

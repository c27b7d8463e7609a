{{ banner }}
#ifndef XEN_EVENT_BATCH_H
#define XEN_EVENT_BATCH_H

#include <xen/api/xen_common.h>
#include <xen/api/xen_event.h>
#include <xen/api/xen_string_int_map.h>

#ifdef __cplusplus
extern "C" {
#endif


/**
 * What event.from returns (see xen_event_from() in xen_event.h): the events
 * since the token passed in, the number of objects of each class, and the
 * token to pass next time.
 */
typedef struct xen_event_batch
{
    xen_event_record_set *events;
    xen_string_int_map *valid_ref_counts;
    char *token;
} xen_event_batch;


/**
 * Frees a xen_event_batch and everything in it. It must have come from this
 * library.
 */
extern void
xen_event_batch_free(xen_event_batch *batch);

#ifdef __cplusplus
}
#endif

#endif

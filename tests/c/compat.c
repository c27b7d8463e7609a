/*
 * Source compatibility: a program in the style of those written for the
 * official XenServer C SDK, using the parts of its API that such programs
 * lean on (a record built with designated initializers and passed to
 * create, record_opt handles, the legacy event calls and deprecated record
 * fields, the version and UUID helpers). It must build with
 * -std=c99 -W -Wall -Wmissing-prototypes -Werror: deprecated items draw
 * warnings, never errors.
 *
 *     compat http://HOST:PORT
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <libxml/parser.h>
#include <xen/api/xen_all.h>

#include "transport.h"

static void
print_error(xen_session *session)
{
    fprintf(stderr, "Error:");
    for (int i = 0; i < session->error_description_count; i++)
        fprintf(stderr, " %s", session->error_description[i]);
    fprintf(stderr, "\n");
}

int
main(int argc, char **argv)
{
    if (argc != 2)
    {
        fprintf(stderr, "usage: %s http://HOST:PORT\n", argv[0]);
        return 2;
    }
    xt_conn conn = { .url = argv[1], .timeout = 60, .curl = NULL, .error = "" };
    int status = 0;

    xmlInitParser();
    xen_init();
    curl_global_init(CURL_GLOBAL_ALL);

    xen_version *version = xen_get_client_side_version();
    printf("client library %d.%d\n", version->major, version->minor);
    xen_version_free(version);

    char *bytes = NULL, *text = NULL;
    if (!xen_uuid_string_to_bytes("0123abcd-4567-89ef-0123-456789abcdef", &bytes) ||
        !xen_uuid_bytes_to_string(bytes, &text) || strcmp(text, "0123abcd-4567-89ef-0123-456789abcdef") != 0)
        status = 1;
    xen_uuid_bytes_free(bytes);
    xen_uuid_free(text);

    xen_session *session =
        xen_session_login_with_password(xt_call, &conn, "root", "xenroot", xen_api_latest_version);

    xen_host host;
    if (!xen_session_get_this_host(session, &host, session))
    {
        print_error(session);
        status = 1;
        goto done;
    }

    xen_host_record *host_record;
    if (!xen_host_get_record(session, &host_record, host))
    {
        print_error(session);
        status = 1;
        xen_host_free(host);
        goto done;
    }
    printf("host %s runs API %s\n", host_record->name_label,
           xen_api_version_to_string(xen_api_version_from_int(host_record->api_version_major,
                                                              host_record->api_version_minor)));

    /* A VM made from a record, the way the official samples make one. */
    xen_host_record_opt affinity = { .is_record = false, .u.handle = host };
    xen_vm_record vm_record = {
        .name_label = "compat VM",
        .name_description = "made by a record passed to VM.create",
        .user_version = 1,
        .is_a_template = false,
        .affinity = &affinity,
        .memory_static_max = 268435456,
        .memory_dynamic_max = 268435456,
        .memory_dynamic_min = 268435456,
        .memory_static_min = 134217728,
        .vcpus_max = 1,
        .vcpus_at_startup = 1,
        .actions_after_shutdown = XEN_ON_NORMAL_EXIT_DESTROY,
        .actions_after_reboot = XEN_ON_NORMAL_EXIT_RESTART,
        .actions_after_crash = XEN_ON_CRASH_BEHAVIOUR_PRESERVE,
        .pv_bootloader = "pygrub",
        .hvm_shadow_multiplier = 1.0,
    };
    xen_vm vm;
    if (xen_vm_create(session, &vm, &vm_record))
    {
        xen_vm_record *back;
        if (xen_vm_get_record(session, &back, vm))
        {
            printf("created %s: %s, %lld vCPU\n", back->uuid, back->name_label, (long long)back->vcpus_max);
            if (strcmp(back->name_label, "compat VM") != 0 || back->vcpus_max != 1)
                status = 1;
            xen_vm_record_free(back);
        }
        xen_vm_destroy(session, vm);
        xen_vm_free(vm);
    }
    if (!session->ok)
    {
        print_error(session);
        status = 1;
        xen_session_clear_error(session);
    }
    xen_host_record_free(host_record);
    xen_host_free(host);

    /* The legacy event calls, and the deprecated fields of an event. */
    xen_string_set *classes = xen_string_set_alloc(1);
    classes->contents[0] = strdup("vm");
    xen_event_batch *batch;
    if (xen_event_from(session, &batch, classes, "", 0.0))
    {
        for (size_t i = 0; i < batch->events->size && i < 3; i++)
        {
            xen_event_record *ev = batch->events->contents[i];
            printf("event %lld at %lld: %s %s %s\n", (long long)ev->id, (long long)ev->timestamp, ev->class,
                   xen_event_operation_to_string(ev->operation), ev->obj_uuid);
        }
        xen_event_batch_free(batch);
    }
    else
    {
        print_error(session);
        status = 1;
        xen_session_clear_error(session);
    }
    if (xen_event_register(session, classes))
        xen_event_unregister(session, classes);
    else
    {
        /* Servers may no longer offer the legacy calls. */
        print_error(session);
        xen_session_clear_error(session);
    }
    xen_string_set_free(classes);

done:
    xen_session_logout(session);
    xt_conn_close(&conn);
    curl_global_cleanup();
    xen_fini();
    xmlCleanupParser();
    printf("compat: %s\n", status == 0 ? "passed" : "FAILED");
    return status;
}

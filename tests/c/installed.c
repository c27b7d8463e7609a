/*
 * A program built against an installed copy of the C SDK, with nothing but
 * what `pkg-config libxenserver` says (plus libcurl for its transport): run.sh
 * installs the SDK into a scratch prefix and links this program both ways,
 * shared and static.
 *
 *     installed http://HOST:PORT
 *
 * Logs in, names every host, counts the VMs, takes an error path, logs out.
 * It calls no libxml2 function of its own, so a static link finds libxml2
 * only through the SDK's pkg-config file. Exits non-zero on any failure.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <xen/api/xen_all.h>

#include "transport.h"

static int failures;

static bool
ok(xen_session *s, bool result, const char *what)
{
    if (result && s->ok)
        return true;
    printf("FAIL %s:", what);
    for (int i = 0; i < s->error_description_count; i++)
        printf(" %s", s->error_description[i]);
    printf("\n");
    failures++;
    xen_session_clear_error(s);
    return false;
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
    curl_global_init(CURL_GLOBAL_DEFAULT);
    xen_init();

    xen_session *s = xen_session_login_with_password(xt_call, &conn, "root", "xenroot", xen_api_latest_version);
    if (s == NULL || !s->ok)
    {
        fprintf(stderr, "cannot log in to %s\n", argv[1]);
        xen_session_logout(s);
        xt_conn_close(&conn);
        return 1;
    }
    printf("logged in, API version %s\n", xen_api_version_to_string(s->api_version));

    xen_host_set *hosts = NULL;
    if (ok(s, xen_host_get_all(s, &hosts), "host.get_all"))
    {
        if (hosts->size == 0)
        {
            printf("FAIL host.get_all: no host\n");
            failures++;
        }
        for (size_t i = 0; i < hosts->size; i++)
        {
            char *name = NULL;
            if (ok(s, xen_host_get_name_label(s, &name, hosts->contents[i]), "host.get_name_label"))
            {
                printf("host: %s\n", name);
                free(name);
            }
        }
        xen_host_set_free(hosts);
    }

    xen_vm_set *vms = NULL;
    if (ok(s, xen_vm_get_all(s, &vms), "VM.get_all"))
    {
        printf("VMs: %zu\n", vms->size);
        xen_vm_set_free(vms);
    }

    /* A reference the server does not know: the call fails with the
       server's error code, parsed by the SDK. */
    char *label = NULL;
    if (xen_vm_get_name_label(s, &label, (xen_vm) "OpaqueRef:no-such-vm") || s->ok)
    {
        printf("FAIL VM.get_name_label of a bad reference succeeded\n");
        failures++;
        free(label);
    }
    else if (s->error_description_count < 1 || strcmp(s->error_description[0], "HANDLE_INVALID") != 0)
    {
        printf("FAIL VM.get_name_label of a bad reference: %s\n",
               s->error_description_count > 0 ? s->error_description[0] : "(no code)");
        failures++;
    }
    else
        printf("bad reference: HANDLE_INVALID\n");
    xen_session_clear_error(s);

    xen_session_logout(s);
    xt_conn_close(&conn);
    xen_fini();
    curl_global_cleanup();
    printf("installed: %s\n", failures == 0 ? "all passed" : "FAILED");
    return failures == 0 ? 0 : 1;
}

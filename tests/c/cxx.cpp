// A C++ program on the C SDK: the public headers declare C linkage and
// compile as C++, so C++ code includes them and links against
// libxenserver as it is. Logs in to the simulator, lists the VMs with
// their power states, and logs out.

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <curl/curl.h>
#include <libxml/parser.h>
#include <xen/api/xen_all.h>

#include "transport.h"

int main(int argc, char **argv)
{
    if (argc != 2)
    {
        std::fprintf(stderr, "usage: %s URL\n", argv[0]);
        return 2;
    }
    xt_conn conn;
    std::memset(&conn, 0, sizeof conn);
    conn.url = argv[1];
    conn.timeout = 60;

    xmlInitParser();
    xen_init();
    curl_global_init(CURL_GLOBAL_ALL);

    int status = 1;
    xen_session *session =
        xen_session_login_with_password(xt_call, &conn, "root", "xenroot", xen_api_latest_version);
    xen_vm_set *vms = nullptr;
    if (session->ok && xen_vm_get_all(session, &vms))
    {
        for (size_t i = 0; i < vms->size; i++)
        {
            char *label = nullptr;
            enum xen_vm_power_state power;
            if (!xen_vm_get_name_label(session, &label, vms->contents[i]) ||
                !xen_vm_get_power_state(session, &power, vms->contents[i]))
                break;
            std::printf("%s: %s\n", label, xen_vm_power_state_to_string(power));
            std::free(label);
            if (i + 1 == vms->size)
                status = 0;
        }
        std::printf("%zu VMs\n", vms->size);
        xen_vm_set_free(vms);
    }
    if (!session->ok)
    {
        for (int i = 0; i < session->error_description_count; i++)
            std::fprintf(stderr, "%s ", session->error_description[i]);
        std::fprintf(stderr, "\n");
        status = 1;
    }
    xen_session_logout(session);
    xt_conn_close(&conn);
    curl_global_cleanup();
    xen_fini();
    xmlCleanupParser();
    return status;
}

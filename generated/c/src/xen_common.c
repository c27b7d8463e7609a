/*
 * Library set-up, logging in and out, client version and UUID helpers.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "xen_wire.h"

/* Sent as the originator of the sessions this library opens. */
static const char ORIGINATOR[] = "xenapi-gen C SDK";

void
xen_init(void)
{
    xmlInitParser();
}

void
xen_fini(void)
{
}

xen_session *
xen_session_login_with_password(xen_call_func call_func, void *handle,
                                const char *uname, const char *pwd,
                                xen_api_version version)
{
    xen_session *s = xw_session_new(call_func, handle, version);
    if (s == NULL)
        return NULL;
    const char *ver = xen_api_version_to_string(version);
    const char *originator = ORIGINATOR;
    const xw_arg args[] = {
        { &xw_t_string, &uname, false },
        { &xw_t_string, &pwd, false },
        { &xw_t_string, &ver, false },
        { &xw_t_string, &originator, false },
    };
    char *id = NULL;
    if (xw_call_raw(s, "session.login_with_password", args, 4, &xw_t_string, &id))
        s->session_id = id;
    return s;
}

xen_session *
xen_session_slave_local_login_with_password(xen_call_func call_func,
                                            void *handle,
                                            const char *uname,
                                            const char *pwd)
{
    xen_session *s = xw_session_new(call_func, handle, xen_api_latest_version);
    if (s == NULL)
        return NULL;
    const xw_arg args[] = {
        { &xw_t_string, &uname, false },
        { &xw_t_string, &pwd, false },
    };
    char *id = NULL;
    if (xw_call_raw(s, "session.slave_local_login_with_password", args, 2, &xw_t_string, &id))
        s->session_id = id;
    return s;
}

static void
end_session(xen_session *session, const char *method)
{
    if (session == NULL)
        return;
    if (session->session_id != NULL)
    {
        xen_session_clear_error(session);
        xw_call(session, method, NULL, 0, NULL, NULL);
    }
    xw_session_free(session);
}

void
xen_session_logout(xen_session *session)
{
    end_session(session, "session.logout");
}

void
xen_session_local_logout(xen_session *session)
{
    end_session(session, "session.local_logout");
}

void
xen_version_free(xen_version *version)
{
    if (version == NULL)
        return;
    free(version->extraversion);
    free(version);
}

xen_version *
xen_get_client_side_version(void)
{
    xen_version *v = calloc(1, sizeof *v);
    if (v == NULL)
        return NULL;
    v->major = 2;
    v->minor = 21;
    v->patch = 0;
    v->extraversion = xw_strdup("");
    if (v->extraversion == NULL)
    {
        free(v);
        return NULL;
    }
    return v;
}

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool
xen_uuid_string_to_bytes(char *uuid, char **bytes)
{
    *bytes = NULL;
    if (uuid == NULL || strlen(uuid) != 36)
        return false;
    unsigned char out[16];
    size_t n = 0;
    for (size_t i = 0; i < 36; i++)
    {
        if (i == 8 || i == 13 || i == 18 || i == 23)
        {
            if (uuid[i] != '-')
                return false;
            continue;
        }
        int hi = hex_value(uuid[i]);
        int lo = hex_value(uuid[i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[n++] = (unsigned char)(hi * 16 + lo);
        i++;
    }
    *bytes = malloc(16);
    if (*bytes == NULL)
        return false;
    memcpy(*bytes, out, 16);
    return true;
}

bool
xen_uuid_bytes_to_string(char *bytes, char **uuid)
{
    *uuid = NULL;
    if (bytes == NULL)
        return false;
    char *s = malloc(37);
    if (s == NULL)
        return false;
    const unsigned char *b = (const unsigned char *)bytes;
    snprintf(s, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
             b[10], b[11], b[12], b[13], b[14], b[15]);
    *uuid = s;
    return true;
}

void
xen_uuid_free(char *uuid)
{
    free(uuid);
}

void
xen_uuid_bytes_free(char *bytes)
{
    free(bytes);
}

/*
 * A libcurl transport for the C SDK: a xen_call_func that POSTs each
 * request to the URL in an xt_conn.
 */

#ifndef XT_TRANSPORT_H
#define XT_TRANSPORT_H

#include <stddef.h>

#include <xen/api/xen_common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct
{
    /* Where requests go, e.g. "http://127.0.0.1:8080/". May be changed
       between calls. */
    const char *url;
    /* Seconds before a request is abandoned (0: no limit). */
    long timeout;
    /* The libcurl easy handle, kept between calls so that the connection
       is reused. Created on first use; free with xt_conn_close(). */
    void *curl;
    /* The last libcurl error, for messages. */
    char error[256];
} xt_conn;

/* The xen_call_func: user_handle is an xt_conn *. Returns 0 on success,
   the libcurl error code (or -1) otherwise. */
int xt_call(const void *data, size_t len, void *user_handle,
            void *result_handle, xen_result_func result_func);

/* Frees the libcurl handle of a connection. */
void xt_conn_close(xt_conn *conn);

#ifdef __cplusplus
}
#endif

#endif

/*
 * The libcurl transport of transport.h.
 */

#include <string.h>

#include <curl/curl.h>

#include "transport.h"

typedef struct
{
    xen_result_func func;
    void *handle;
} sink;

static size_t
on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    sink *s = userdata;
    size_t n = size * nmemb;
    /* Returning less than n makes libcurl stop with an error. */
    return s->func(ptr, n, s->handle) ? n : 0;
}

int
xt_call(const void *data, size_t len, void *user_handle,
        void *result_handle, xen_result_func result_func)
{
    xt_conn *conn = user_handle;
    if (conn == NULL || conn->url == NULL)
        return -1;
    if (conn->curl == NULL)
    {
        conn->curl = curl_easy_init();
        if (conn->curl == NULL)
            return -1;
    }
    CURL *curl = conn->curl;
    sink s = { result_func, result_handle };
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: text/xml");

    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, conn->url);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 1L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, data);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, conn->error);
    if (conn->timeout > 0)
        curl_easy_setopt(curl, CURLOPT_TIMEOUT, conn->timeout);
    conn->error[0] = '\0';

    CURLcode rc = curl_easy_perform(curl);
    curl_slist_free_all(headers);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, NULL);
    return rc == CURLE_OK ? 0 : (int)rc;
}

void
xt_conn_close(xt_conn *conn)
{
    if (conn != NULL && conn->curl != NULL)
    {
        curl_easy_cleanup(conn->curl);
        conn->curl = NULL;
    }
}

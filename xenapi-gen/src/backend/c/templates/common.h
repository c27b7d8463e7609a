/*
 * The core of the C SDK: the session object, the transport callback the
 * caller supplies, logging in and out, and error reporting.
 *
 * Every call of the SDK takes a xen_session. A call returns true when it
 * succeeded; when it fails, it returns false, sets session->ok to false and
 * leaves the reason in session->error_description (error_description_count
 * strings: an error code such as "HANDLE_INVALID", then its parameters).
 * While session->ok is false, later calls fail at once without contacting
 * the server, so that a sequence of calls can be checked once at its end;
 * xen_session_clear_error() makes the session usable again.
 *
 * Besides the server's error codes (see xen_api_failure.h), the library
 * reports problems of its own with these codes:
 *   TRANSPORT_FAULT     the xen_call_func returned non-zero
 *   SERVER_FAULT        the server answered with an XML-RPC fault
 *                       (parameters: fault code, fault string)
 *   MALFORMED_RESPONSE  the reply was not well-formed XML-RPC, was cut
 *                       short, or held a value of the wrong type (parameter:
 *                       what was wrong, and where in the reply)
 *   INVALID_ARGUMENT    an argument cannot be sent (for example an enum
 *                       value that is *_UNDEFINED)
 *   OUT_OF_MEMORY       an allocation failed
 */

#ifndef XEN_COMMON_H
#define XEN_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * The record field and the parameter the API calls "class" are spelled
 * XEN_CLAZZ, so that the headers also compile as C++.
 */
#ifndef XEN_CLAZZ
#ifdef __cplusplus
#define XEN_CLAZZ clazz
#else
#define XEN_CLAZZ class
#endif
#endif

/*
 * Calls and record fields that the API has deprecated are declared with
 * XEN_DEPRECATED, so that compilers that know the attribute warn about
 * their use. Define XEN_NO_DEPRECATION_WARNINGS before including any SDK
 * header to turn the warnings off.
 *
 * Programs written for SDKs that did not mark deprecations must still
 * build where warnings are errors, so the headers keep deprecation
 * diagnostics as plain warnings even under -Werror (for the rest of the
 * translation unit). Define XEN_DEPRECATION_ERRORS to leave them to
 * -Werror.
 */
#ifndef XEN_DEPRECATED
#if !defined(XEN_NO_DEPRECATION_WARNINGS) && (defined(__GNUC__) || defined(__clang__))
#define XEN_DEPRECATED __attribute__((__deprecated__))
#ifndef XEN_DEPRECATION_ERRORS
#pragma GCC diagnostic warning "-Wdeprecated-declarations"
#endif
#else
#define XEN_DEPRECATED
#endif
#endif

#include <xen/api/xen_api_version.h>
{%- for h in decls %}
#include <{{ h }}>
{%- endfor %}
#include <xen/api/xen_string_set.h>

#ifdef __cplusplus
extern "C" {
#endif


/*
 * Receives the reply to a call, in one or more pieces; data is not
 * NUL-terminated. Returns false if the reply could not be stored, in which
 * case the transport should stop.
 */
typedef bool (*xen_result_func)(const void *data, size_t len,
                                void *result_handle);


/*
 * The transport, supplied by the caller: sends the len bytes of an XML-RPC
 * request (not NUL-terminated) to the server, and passes the bytes of the
 * reply to result_func together with result_handle. user_handle is the
 * handle given at login. Returns 0 on success, anything else on failure.
 */
typedef int (*xen_call_func)(const void *data, size_t len, void *user_handle,
                             void *result_handle,
                             xen_result_func result_func);


/*
 * A logged-in session. Allocated by xen_session_login_with_password() and
 * freed by xen_session_logout().
 */
typedef struct
{
    xen_call_func call_func;
    void *handle;
    const char *session_id;
    bool ok;
    char **error_description;
    int error_description_count;
    xen_api_version api_version;
} xen_session;


struct xen_task_;
typedef struct xen_task_ *xen_task_id;


typedef struct
{
    int progress;
    long eta;
} xen_task_status;


/*
 * A version number of this client library.
 */
typedef struct
{
    int major;
    int minor;
    int patch;
    char *extraversion;
} xen_version;


/*
 * Frees a xen_version and its string.
 */
extern void
xen_version_free(xen_version *version);


/*
 * The version of this client library: the major and minor numbers are
 * those of the newest API version it knows. The result is yours to free
 * with xen_version_free().
 */
extern xen_version *
xen_get_client_side_version(void);


/*
 * Turns a UUID in its text form (36 characters) into its 16 bytes, in a
 * buffer yours to free with xen_uuid_bytes_free(). Returns false if the
 * text is not a UUID.
 */
extern bool
xen_uuid_string_to_bytes(char *uuid, char **bytes);


/*
 * Turns the 16 bytes of a UUID into its text form, in a string yours to
 * free with xen_uuid_free().
 */
extern bool
xen_uuid_bytes_to_string(char *bytes, char **uuid);


extern void
xen_uuid_free(char *uuid);


extern void
xen_uuid_bytes_free(char *bytes);


/*
 * Call once before using the library. The library parses replies with
 * libxml2, so programs that also use libxml2 themselves should follow its
 * own rules (xmlInitParser() and xmlCleanupParser()).
 */
extern void
xen_init(void);


/*
 * Call once when done with the library.
 */
extern void
xen_fini(void);


/*
 * Logs in with a user name and password and returns a new session that
 * sends its calls through call_func (handle is passed to it unchanged).
 * The result is NULL only if memory ran out; otherwise check session->ok
 * to see whether the login worked, and free the session with
 * xen_session_logout() in either case.
 */
extern xen_session *
xen_session_login_with_password(xen_call_func call_func, void *handle,
                                const char *uname, const char *pwd,
                                xen_api_version version);


/*
 * Logs in to a pool member in emergency mode, without asking the pool
 * coordinator; otherwise like xen_session_login_with_password().
 */
extern xen_session *
xen_session_slave_local_login_with_password(xen_call_func call_func,
                                            void *handle,
                                            const char *uname,
                                            const char *pwd);


/*
 * Ends the session on the server (if it is logged in) and frees it.
 */
extern void
xen_session_logout(xen_session *session);


/*
 * Ends a session made by xen_session_slave_local_login_with_password() and
 * frees it.
 */
extern void
xen_session_local_logout(xen_session *session);


/*
 * Forgets the last error: frees error_description and sets ok back to
 * true, so that the session can make calls again.
 */
extern void
xen_session_clear_error(xen_session *session);


#ifdef __cplusplus
}
#endif

/* The record of a session and the rest of the calls on sessions. */
{%- if has_session %}
#include <xen/api/xen_session.h>
{%- endif %}

#endif

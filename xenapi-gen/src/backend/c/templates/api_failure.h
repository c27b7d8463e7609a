{{ banner }}
#ifndef XEN_API_FAILURE_H
#define XEN_API_FAILURE_H

#ifdef __cplusplus
extern "C" {
#endif


/**
 * The error codes a server may return, as the first element of
 * session->error_description; the rest are the parameters listed with
 * each code.
 */
enum xen_api_failure
{
{%- for e in errors %}
{{ e.doc }}
    {{ e.name }},
{%- endfor %}

    /**
     * A code this version of the library does not know.
     */
    XEN_API_FAILURE_UNDEFINED
};


/**
 * The code as the server spells it. The string is static: do not change or
 * free it.
 */
extern const char *
xen_api_failure_to_string(enum xen_api_failure val);


/**
 * The code the server spells str, or XEN_API_FAILURE_UNDEFINED if this
 * version of the library does not know it.
 */
extern enum xen_api_failure
xen_api_failure_from_string(const char *str);

#ifdef __cplusplus
}
#endif

#endif

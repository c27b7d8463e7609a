{{ banner }}
#include <stddef.h>
#include <string.h>

#include <xen/api/xen_api_failure.h>
{%- if errors.is_empty() %}

/* The API defines no error codes: every code is unknown. */
const char *
xen_api_failure_to_string(enum xen_api_failure val)
{
    (void)val;
    return "UNDEFINED";
}


enum xen_api_failure
xen_api_failure_from_string(const char *str)
{
    (void)str;
    return XEN_API_FAILURE_UNDEFINED;
}
{%- else %}

/* In the order of enum xen_api_failure. */
static const char *const codes[] = {
{%- for e in errors %}
    {{ e.text }},
{%- endfor %}
};

#define CODE_COUNT (sizeof codes / sizeof codes[0])


const char *
xen_api_failure_to_string(enum xen_api_failure val)
{
    if ((size_t)val >= CODE_COUNT)
        return "UNDEFINED";
    return codes[val];
}


enum xen_api_failure
xen_api_failure_from_string(const char *str)
{
    /* The codes are sorted: search them by halves. */
    size_t lo = 0, hi = CODE_COUNT;
    if (str == NULL)
        return XEN_API_FAILURE_UNDEFINED;
    while (lo < hi)
    {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(str, codes[mid]);
        if (c == 0)
            return (enum xen_api_failure)mid;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return XEN_API_FAILURE_UNDEFINED;
}
{%- endif %}

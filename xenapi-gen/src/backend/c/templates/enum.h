{{ banner }}
#ifndef {{ guard }}
#define {{ guard }}

#include <xen/api/xen_common.h>

#ifdef __cplusplus
extern "C" {
#endif


{{ doc }}
enum {{ t }}
{
{%- for v in values %}
{{ v.doc }}
    {{ v.name }},
{%- endfor %}

    /**
     * A value this version of the library does not know.
     */
    {{ undefined }}
};


/**
 * A set of {{ t }} values.
 */
typedef struct {{ t }}_set
{
    size_t size;
    enum {{ t }} contents[];
} {{ t }}_set;

/**
 * Allocates a {{ t }}_set of the given size.
 */
extern {{ t }}_set *
{{ t }}_set_alloc(size_t size);

/**
 * Frees a {{ t }}_set, which must have come from this library.
 */
extern void
{{ t }}_set_free({{ t }}_set *set);


/**
 * The name of a value as the API spells it ("undefined" for
 * {{ undefined }}). The string is static: do not change or free it.
 */
extern const char *
{{ t }}_to_string(enum {{ t }} val);


/**
 * The value the API spells str, or {{ undefined }} if this version
 * of the library does not know it (the session is left untouched and may be
 * NULL).
 */
extern enum {{ t }}
{{ t }}_from_string(xen_session *session, const char *str);

#ifdef __cplusplus
}
#endif

#endif

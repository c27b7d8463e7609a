{% import "shapes.txt" as shapes -%}
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


{% call shapes::set_decl(t ~ "_set", "enum " ~ t ~ " ", "A set of " ~ t ~ " values.", "",
    "Frees a " ~ t ~ "_set, which must have come from this library.") %}{% endcall %}


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

{% import "shapes.txt" as shapes -%}
{% call shapes::header_open(false) %}{% endcall %}

{%- for d in forward %}
{{ d }}
{%- endfor %}


{{ intro }}
{%- if has_handle %}


/**
 * Frees a handle to a {{ class }}, which must have come from this library.
 */
extern void
{{ t }}_free({{ t }} {{ var }});


{% call shapes::set_decl(t ~ "_set", t ~ " *", "A set of handles to " ~ class ~ " objects.", ", its elements NULL",
    "Frees a " ~ t ~ "_set and the handles in it. The set must have come from\n * this library.") %}{% endcall %}
{%- endif %}


/**
 * The fields of a {{ class }}.
 */
typedef struct {{ t }}_record
{
{%- if has_handle %}
    /** The reference of the object the record belongs to. */
    {{ t }} handle;
{%- endif %}
{%- for f in fields %}
{{ f.doc }}
    {{ f.decl }};
{%- endfor %}
} {{ t }}_record;

/**
 * Allocates a {{ t }}_record, every field zero or NULL.
 */
extern {{ t }}_record *
{{ t }}_record_alloc(void);

/**
 * Frees a {{ t }}_record and everything it refers to. The record must have
 * come from this library.
 */
extern void
{{ t }}_record_free({{ t }}_record *record);
{%- if has_handle %}


/**
 * Either a handle to a {{ class }} or its whole record.
 */
typedef struct {{ t }}_record_opt
{
    bool is_record;
    union
    {
        {{ t }} handle;
        {{ t }}_record *record;
    } u;
} {{ t }}_record_opt;

/**
 * Allocates a {{ t }}_record_opt, zeroed.
 */
extern {{ t }}_record_opt *
{{ t }}_record_opt_alloc(void);

/**
 * Frees a {{ t }}_record_opt and the handle or record in it. It must have
 * come from this library.
 */
extern void
{{ t }}_record_opt_free({{ t }}_record_opt *record_opt);
{%- endif %}


{% call shapes::set_decl(t ~ "_record_set", t ~ "_record *", "A set of " ~ t ~ "_record pointers.", ", its elements NULL",
    "Frees a " ~ t ~ "_record_set and the records in it. The set must have come\n * from this library.") %}{% endcall %}
{%- if has_handle %}


{% call shapes::set_decl(t ~ "_record_opt_set", t ~ "_record_opt *", "A set of " ~ t ~ "_record_opt pointers.", ", its elements NULL",
    "Frees a " ~ t ~ "_record_opt_set and everything in it. The set must have\n * come from this library.") %}{% endcall %}
{%- endif %}
{%- for m in functions %}


{{ m.doc }}
extern {% if m.deprecated %}XEN_DEPRECATED {% endif %}{{ m.ret }}
{{ m.proto }};
{%- endfor %}

#ifdef __cplusplus
}
#endif
{%- for h in trailer %}

#include <{{ h }}>
{%- endfor %}

#endif

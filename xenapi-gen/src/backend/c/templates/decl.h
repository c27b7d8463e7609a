{{ banner }}
#ifndef {{ guard }}
#define {{ guard }}
{%- if has_handle %}

/**
 * A handle to a {{ class }}: its reference, as the server gave it.
 */
typedef void *{{ t }};
{%- endif %}
{% for d in forward %}
{{ d }}
{%- endfor %}

#endif

{% import "shapes.txt" as shapes -%}
{#- The call of one message: its arguments (if any) and where the result goes. -#}
{% macro xw_call(m) -%}
xw_call(session, "{{ m.wire }}", {% if m.args.is_empty() %}NULL{% else %}args{% endif %}, {{ m.args.len() }}, {{ m.result_desc }}, {{ m.result_arg }})
{%- endmacro -%}
{% call shapes::source_open(true) %}{% endcall %}
{%- if has_handle %}


void
{{ t }}_free({{ t }} {{ var }})
{
    free({{ var }});
}


{% call shapes::alloc_free(t ~ "_set", "set", true) %}{% endcall %}
{%- endif %}


{% call shapes::alloc_free(t ~ "_record", "record", false) %}{% endcall %}
{%- if has_handle %}


{% call shapes::alloc_free(t ~ "_record_opt", "record_opt", false) %}{% endcall %}
{%- endif %}


{% call shapes::alloc_free(t ~ "_record_set", "set", true) %}{% endcall %}
{%- if has_handle %}


{% call shapes::alloc_free(t ~ "_record_opt_set", "set", true) %}{% endcall %}
{%- endif %}
{%- for m in functions %}


{{ m.ret }}
{{ m.proto }}
{
{%- if !m.args.is_empty() %}
    const xw_arg args[] = {
{%- for a in m.args %}
        { &{{ a.desc }}, &{{ a.name }}, {{ a.ctor }} },
{%- endfor %}
    };
{%- endif %}
{%- if m.after.is_empty() %}
    return {% call xw_call(m) %}{% endcall %};
{%- else %}
    if (!{% call xw_call(m) %}{% endcall %})
        return false;
{{ m.after }}
    return true;
{%- endif %}
}
{%- endfor %}

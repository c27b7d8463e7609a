{% import "shapes.txt" as shapes -%}
{% call shapes::source_open(false) %}{% endcall %}


{% call shapes::alloc_free(t ~ "_set", "set", true) %}{% endcall %}


const char *
{{ t }}_to_string(enum {{ t }} val)
{
    return xw_enum_to_string(&xw_t_{{ t }}, (int)val);
}


enum {{ t }}
{{ t }}_from_string(xen_session *session, const char *str)
{
    (void)session;
    return (enum {{ t }})xw_enum_from_string(&xw_t_{{ t }}, str);
}

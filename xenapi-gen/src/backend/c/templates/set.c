{% import "shapes.txt" as shapes -%}
{% call shapes::source_open(false) %}{% endcall %}


{% call shapes::alloc_free(t, "set", true) %}{% endcall %}

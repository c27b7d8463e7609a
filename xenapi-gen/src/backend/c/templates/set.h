{% import "shapes.txt" as shapes -%}
{% call shapes::header_open(true) %}{% endcall %}


{% call shapes::set_decl(t, item, "A set of type " ~ api ~ ".", ", its elements zero",
    "Frees a " ~ t ~ " and every element in it. The set must have come from\n * this library.") %}{% endcall %}

#ifdef __cplusplus
}
#endif

#endif

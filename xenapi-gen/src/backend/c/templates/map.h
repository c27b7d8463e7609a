{% import "shapes.txt" as shapes -%}
{% call shapes::header_open(true) %}{% endcall %}
{%- for d in forward %}
{{ d }}
{%- endfor %}


/**
 * One key and its value in a {{ t }}.
 */
typedef struct {{ t }}_contents
{
    {{ key }}key;
    {{ val }}val;
} {{ t }}_contents;


/**
 * A map of type {{ api }}.
 */
typedef struct {{ t }}
{
    size_t size;
    {{ t }}_contents contents[];
} {{ t }};

/**
 * Allocates a {{ t }} of the given size, its keys and values zero.
 */
extern {{ t }} *
{{ t }}_alloc(size_t size);

/**
 * Frees a {{ t }} and every key and value in it. The map must have
 * come from this library.
 */
extern void
{{ t }}_free({{ t }} *map);

#ifdef __cplusplus
}
#endif

#endif

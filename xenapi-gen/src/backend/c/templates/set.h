{{ banner }}
#ifndef {{ guard }}
#define {{ guard }}

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
{%- for h in includes %}
#include <{{ h }}>
{%- endfor %}

#ifdef __cplusplus
extern "C" {
#endif


/**
 * A set of type {{ api }}.
 */
typedef struct {{ t }}
{
    size_t size;
    {{ item }}contents[];
} {{ t }};

/**
 * Allocates a {{ t }} of the given size, its elements zero.
 */
extern {{ t }} *
{{ t }}_alloc(size_t size);

/**
 * Frees a {{ t }} and every element in it. The set must have come from
 * this library.
 */
extern void
{{ t }}_free({{ t }} *set);

#ifdef __cplusplus
}
#endif

#endif

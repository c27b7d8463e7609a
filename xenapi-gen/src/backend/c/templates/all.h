{{ banner }}
#ifndef XEN_ALL_H
#define XEN_ALL_H
{% for h in headers %}
#include <{{ h }}>
{%- endfor %}

#endif

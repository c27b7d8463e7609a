{%- if d.class_syntax %}
class {{ d.name }}(TypedDict):
{%- for f in d.fields %}
    {{ f.0 }}: {{ f.2 }}
{%- endfor %}
{%- else %}
{{ d.name }} = TypedDict(
    "{{ d.name }}",
    {
{%- for f in d.fields %}
        {{ f.1 }}: {{ f.2 }},
{%- endfor %}
    },
)
{%- endif %}

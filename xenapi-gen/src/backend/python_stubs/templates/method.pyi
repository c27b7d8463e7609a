
{%- if let Some(d) = m.deprecated %}
    @deprecated({{ d }})
{%- endif %}
    def {{ m.name }}(self{{ m.params }}) -> {{ m.ret }}:
        """{{ m.doc }}"""

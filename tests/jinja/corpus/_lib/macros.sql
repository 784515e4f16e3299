{% set version = '1.0' %}
{% set _hidden = 'no' %}
{% macro cents(col, scale=2) -%}
    ({{ col }} / 100)::numeric(16, {{ scale }})
{%- endmacro %}
{% macro quote_all(cols) -%}
    {%- for c in cols %}"{{ c }}"{{ ", " if not loop.last }}{% endfor -%}
{%- endmacro %}

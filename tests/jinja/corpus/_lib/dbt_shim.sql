{#- Stand-ins for dbt's context functions, so that python3-jinja2 and atoll render the
    same model text: ref/source name relations, var reads the `vars` dict of the context. -#}
{% macro ref(name, version=none) -%}
    "prd"."{{ project | default('shop') }}"."{{ name }}{{ '_v' ~ version if version }}"
{%- endmacro %}
{% macro source(source_name, table_name) -%}
    "stg"."{{ source_name }}"."{{ table_name }}"
{%- endmacro %}
{% macro config() -%}{%- if kwargs %}{% endif -%}{%- endmacro %}
{% macro var(name, default=none) -%}
    {{- vars[name] if vars is defined and name in vars else default -}}
{%- endmacro %}
{% macro is_incremental() -%}
    {{- 'True' if incremental is defined and incremental -}}
{%- endmacro %}

{% macro safe_divide(a, b) %}case when {{ b }} = 0 then null else {{ a }} / {{ b }} end{% endmacro %}

{% macro limit_in_dev(n=100) %}{% if target.name == 'dev' %}limit {{ n }}{% endif %}{% endmacro %}

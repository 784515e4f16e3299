{% macro show() %}{{ secret }}{% endmacro %}

{% test row_count_between(model, min_rows, max_rows) %}
select count(*) as n from {{ model }}
having count(*) < {{ min_rows }} or count(*) > {{ max_rows }}
{% endtest %}

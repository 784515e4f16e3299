{% set upstream = 'brz_clicks' %}
select * from {{ ref(upstream) }}

{% snapshot accounts_history %}
{{ config(unique_key='account_id', strategy='check', check_cols=['name', 'region']) }}
select * from {{ ref('slv_accounts') }}
{% endsnapshot %}

{{ config(tags=['kpi', 'daily']) }}
select * from {{ ref('accounts_summary') }}

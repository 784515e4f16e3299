{{ config(unique_key=['account_id', 'region']) }}
select account_id, region, name from {{ ref('brz_accounts') }}
join {{ ref('regions') }} using (region)

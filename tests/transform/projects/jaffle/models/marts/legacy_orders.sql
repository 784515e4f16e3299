-- Kept for reference; disabled, so it is in the manifest's `disabled` only.
{{ config(enabled=false) }}
select * from {{ ref('orders') }}

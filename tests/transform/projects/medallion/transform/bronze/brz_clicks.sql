select * from {{ source('events', 'clicks') }}
where ts > current_date - interval {{ var('lookback_days') }} day

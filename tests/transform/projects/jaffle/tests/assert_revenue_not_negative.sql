-- Singular test: rows returned are failures.
select order_date, total
from {{ ref('revenue') }}
where total < 0

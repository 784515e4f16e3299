select a.region, count(*) as accounts, count(c.account_id) as clicks
from {{ ref('slv_accounts') }} a
left join {{ ref('slv_clicks') }} c using (account_id)
group by 1

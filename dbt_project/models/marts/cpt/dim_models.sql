-- One row per model served, plus "(none)" for cost rows that no model used (unused deployments).

select model, true as is_served
from {{ ref('int_token_usage_hourly') }}
group by model

union all

select '(none)' as model, false as is_served

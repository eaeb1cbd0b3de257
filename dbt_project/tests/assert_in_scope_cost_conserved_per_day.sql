{{ config(meta={"dagster": {"ref": {"name": "fct_cpt_daily"}}}) }}

-- Conservation per day: allocated + idle + shared + unallocated of each usage_date in the CPT facts equals the
-- in-scope EffectiveCost spread onto that day's hours, within 1e-9 relative. Returns the days that fail.

with

billed as (

    select cast(cost_hour as date) as usage_date, {{ exact_sum("effective_cost") }} as in_scope_cost
    from {{ ref('int_billing_lines_spread_hourly') }}
    group by cast(cost_hour as date)

),

charged as (

    select usage_date, {{ exact_sum("allocated_cost + idle_cost + shared_cost + unallocated_cost") }} as charged_cost
    from {{ ref('fct_cpt_daily') }}
    group by usage_date

)

select coalesce(billed.usage_date, charged.usage_date) as usage_date, billed.in_scope_cost, charged.charged_cost
from billed
full outer join charged on billed.usage_date = charged.usage_date
where abs(coalesce(billed.in_scope_cost, 0) - coalesce(charged.charged_cost, 0))
    > 1e-9 * greatest(abs(coalesce(billed.in_scope_cost, 0)), 1)

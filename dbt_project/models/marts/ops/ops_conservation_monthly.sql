-- The conservation proof per month, as a table: in-scope EffectiveCost against what was charged (allocated + idle
-- + shared + unallocated). The same sums as the blocking Dagster check, exact (DECIMAL) so that row order cannot
-- change them.

with

billed as (

    select
        cast(date_trunc('month', cost_hour) as date) as month,
        {{ money_sum('effective_cost') }} as in_scope_cost
    from {{ ref('int_billing_lines_spread_hourly') }}
    group by 1

),

charged as (

    select
        cast(date_trunc('month', usage_date) as date) as month,
        {{ money_sum('allocated_cost') }} as allocated_cost,
        {{ money_sum('idle_cost') }} as idle_cost,
        {{ money_sum('shared_cost') }} as shared_cost,
        {{ money_sum('unallocated_cost') }} as unallocated_cost
    from {{ ref('fct_cpt_daily') }}
    group by 1

)

select
    coalesce(billed.month, charged.month) as month,
    coalesce(billed.in_scope_cost, 0) as in_scope_cost,
    coalesce(charged.allocated_cost, 0) as allocated_cost,
    coalesce(charged.idle_cost, 0) as idle_cost,
    coalesce(charged.shared_cost, 0) as shared_cost,
    coalesce(charged.unallocated_cost, 0) as unallocated_cost,
    coalesce(charged.allocated_cost, 0) + coalesce(charged.idle_cost, 0) + coalesce(charged.shared_cost, 0)
        + coalesce(charged.unallocated_cost, 0) - coalesce(billed.in_scope_cost, 0) as difference
from billed
full outer join charged on billed.month = charged.month

{{ config(meta={"dagster": {"ref": {"name": "fct_cpt_daily"}}}) }}

-- Conservation (README "How the money is allocated", step 7): for every month, allocated + idle + shared + unallocated
-- in the CPT facts equals the in-scope EffectiveCost of the bill, within 1e-9 relative. Returns the months that fail.

with

billed as (

    select {{ dbt.date_trunc('month', 'cost_hour') }} as usage_month, sum(effective_cost) as in_scope_cost
    from {{ ref('int_billing_lines_spread_hourly') }}
    group by {{ dbt.date_trunc('month', 'cost_hour') }}

),

charged as (

    select
        {{ dbt.date_trunc('month', 'usage_date') }} as usage_month,
        sum(allocated_cost + idle_cost + shared_cost + unallocated_cost) as charged_cost
    from {{ ref('fct_cpt_daily') }}
    group by {{ dbt.date_trunc('month', 'usage_date') }}

)

select
    coalesce(billed.usage_month, charged.usage_month) as usage_month,
    billed.in_scope_cost,
    charged.charged_cost
from billed
full outer join charged on billed.usage_month = charged.usage_month
where abs(coalesce(billed.in_scope_cost, 0) - coalesce(charged.charged_cost, 0))
    > 1e-9 * greatest(abs(coalesce(billed.in_scope_cost, 0)), 1)

{{ config(meta={"dagster": {"ref": {"name": "fct_cpt_daily"}}}) }}

-- Conservation per deployment × month: the deployment's own pool cost plus the shared overhead placed onto its
-- pools equals what its rows in the CPT facts charge (allocated + idle + shared + unallocated), within 1e-9
-- relative. Shared overhead no pool could carry is checked on its own "shared:<cluster>" rows.

with

own_cost as (

    select deployment, {{ dbt.date_trunc('month', 'cost_hour') }} as cost_month, pool_cost as cost
    from {{ ref('int_cost_pools_aggregated') }}

    union all

    select
        coalesce(deployment, concat('shared:', cluster)),
        {{ dbt.date_trunc('month', 'cost_hour') }},
        shared_cost
    from {{ ref('int_shared_costs_spread') }}

),

billed as (

    select deployment, cost_month, {{ exact_sum("cost") }} as billed_cost
    from own_cost
    group by deployment, cost_month

),

charged as (

    select
        deployment,
        {{ dbt.date_trunc('month', 'usage_date') }} as cost_month,
        {{ exact_sum("allocated_cost + idle_cost + shared_cost + unallocated_cost") }} as charged_cost
    from {{ ref('fct_cpt_daily') }}
    where pricing_tier <> 'unpriced'
    group by deployment, {{ dbt.date_trunc('month', 'usage_date') }}

)

select
    coalesce(billed.deployment, charged.deployment) as deployment,
    coalesce(billed.cost_month, charged.cost_month) as cost_month,
    billed.billed_cost,
    charged.charged_cost
from billed
full outer join charged on billed.deployment = charged.deployment and billed.cost_month = charged.cost_month
where abs(coalesce(billed.billed_cost, 0) - coalesce(charged.charged_cost, 0))
    > 1e-9 * greatest(abs(coalesce(billed.billed_cost, 0)), 1)

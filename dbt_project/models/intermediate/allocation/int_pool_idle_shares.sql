-- Idle capacity assigned by policy (README "How the money is allocated", step 5): who pays each cost pool that
-- carries no allocation units in its hour, and in what share. var cpt_idle_policy:
--   share_by_usage  the deployment's users of the month, by their month's allocation units; a deployment
--                   with no usage all month charges its owner (seeds/deployment_owners.csv);
--   owner           the deployment's owner;
--   central         var cpt_central_team.
-- A pool nobody can be charged for (no users all month and no owner) is 'unused': var cpt_unallocated_team.
{%- set idle = idle_policy() %}

with

pools as (

    select pool_key, deployment, {{ dbt.date_trunc('month', 'cost_hour') }} as cost_month
    from {{ ref('int_cost_pools_aggregated') }}

),

pool_units as (

    select pool_key, {{ exact_sum("allocation_units") }} as allocation_units
    from {{ ref('int_pool_usage_shares') }}
    group by pool_key

),

idle_pools as (

    select pools.*
    from pools
    left join pool_units on pools.pool_key = pool_units.pool_key
    where coalesce(pool_units.allocation_units, 0) <= 0

),

monthly_usage as (

    select
        deployment,
        {{ dbt.date_trunc('month', 'usage_hour') }} as usage_month,
        team,
        model,
        {{ exact_sum("allocation_units") }} as allocation_units
    from {{ ref('int_token_usage_aggregated') }}
    group by deployment, {{ dbt.date_trunc('month', 'usage_hour') }}, team, model

),

monthly_usage_total as (

    select deployment, usage_month, {{ exact_sum("allocation_units") }} as allocation_units
    from monthly_usage
    group by deployment, usage_month

),

idle_by_usage as (

    select
        idle_pools.pool_key,
        monthly_usage.team,
        monthly_usage.model,
        monthly_usage.allocation_units / monthly_total.allocation_units as cost_share
    from idle_pools
    inner join monthly_usage_total as monthly_total
        on idle_pools.deployment = monthly_total.deployment and idle_pools.cost_month = monthly_total.usage_month
    inner join monthly_usage
        on idle_pools.deployment = monthly_usage.deployment and idle_pools.cost_month = monthly_usage.usage_month
    where {{ "monthly_total.allocation_units > 0" if idle == "share_by_usage" else "1 = 0" }}

),

idle_to_one_team as (

    -- Policy owner or central; under share_by_usage, a deployment with no usage all month (its owner pays).
    select
        idle_pools.pool_key,
        {{ "'" ~ var('cpt_central_team') ~ "'" if idle == "central" else "owners.owner_team" }} as team
    from idle_pools
    left join monthly_usage_total as monthly_total
        on idle_pools.deployment = monthly_total.deployment and idle_pools.cost_month = monthly_total.usage_month
    left join {{ ref('deployment_owners') }} as owners
        on idle_pools.deployment = owners.deployment
    where {{ "coalesce(monthly_total.allocation_units, 0) = 0" if idle == "share_by_usage" else "1 = 1" }}

)

select pool_key, team, model, 'idle' as allocation_basis, cost_share
from idle_by_usage

union all

select pool_key, team, '(none)', 'idle', 1.0
from idle_to_one_team
where team is not null

union all

select pool_key, '{{ var("cpt_unallocated_team") }}', '(none)', 'unused', 1.0
from idle_to_one_team
where team is null

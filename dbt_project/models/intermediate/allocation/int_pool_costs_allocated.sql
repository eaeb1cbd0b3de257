-- The allocation (DESIGN.md "Allocation" rules 3-5): every dollar of every cost pool, and of the shared
-- overhead spread onto it, lands in exactly one row and one of four columns:
--   allocated   pool cost of an hour with tokens, split over team × model by the allocation key
--               (weighted tokens), and tokens split over the hour's pools by GPU capacity;
--   idle        pool cost of an hour without tokens, spread over the deployment's users for the month
--               in proportion to their month's weighted tokens (policy share_by_usage);
--   shared      the pool's share of its cluster's shared overhead, split like the pool's own cost;
--   unallocated cost nobody can be charged for: a deployment with no users all month, shared overhead of a
--               cluster-hour with no GPU cost. Charged to var('cpt_unallocated_team').
-- Tokens of an hour with no cost pool (a deployment missing from the bill) keep their own "unpriced" rows.

with

pools as (

    select * from {{ ref('int_cost_pools_aggregated') }}

),

pool_shared as (

    select deployment, cost_hour, region, pricing_tier, hardware, {{ exact_sum("shared_cost") }} as shared_cost
    from {{ ref('int_shared_costs_spread') }}
    where deployment is not null
    group by deployment, cost_hour, region, pricing_tier, hardware

),

pools_with_shared as (

    select
        pools.deployment,
        pools.cost_hour,
        {{ dbt.date_trunc('month', 'pools.cost_hour') }} as cost_month,
        pools.region,
        pools.pricing_tier,
        pools.hardware,
        pools.pool_cost,
        pools.gpu_hours,
        coalesce(pool_shared.shared_cost, 0) as shared_cost
    from pools
    left join pool_shared
        on pools.deployment = pool_shared.deployment
        and pools.cost_hour = pool_shared.cost_hour
        and pools.region = pool_shared.region
        and pools.pricing_tier = pool_shared.pricing_tier
        and pools.hardware = pool_shared.hardware

),

usage as (

    select
        *,
        {{ dbt.date_trunc('month', 'usage_hour') }} as usage_month
    from {{ ref('int_token_usage_aggregated') }}

),

deployment_hour_usage as (

    select deployment, usage_hour, {{ exact_sum("weighted_tokens") }} as weighted_tokens
    from usage
    group by deployment, usage_hour

),

deployment_hour_capacity as (

    select deployment, cost_hour, {{ exact_sum("gpu_hours") }} as gpu_hours, count(*) as pools
    from pools
    group by deployment, cost_hour

),

monthly_usage as (

    select deployment, usage_month, team, model, {{ exact_sum("weighted_tokens") }} as weighted_tokens
    from usage
    group by deployment, usage_month, team, model

),

monthly_usage_total as (

    select deployment, usage_month, {{ exact_sum("weighted_tokens") }} as weighted_tokens
    from monthly_usage
    group by deployment, usage_month

),

busy as (

    select
        pools.cost_hour,
        pools.deployment,
        pools.region,
        pools.pricing_tier,
        pools.hardware,
        usage.team,
        usage.model,
        'usage' as allocation_basis,
        usage.weighted_tokens / hour_usage.weighted_tokens as cost_share,
        case
            when capacity.gpu_hours > 0 then pools.gpu_hours / capacity.gpu_hours
            else 1.0 / capacity.pools
        end as token_share,
        usage.requests,
        usage.input_tokens,
        usage.cached_input_tokens,
        usage.output_tokens,
        usage.weighted_tokens,
        pools.gpu_hours,
        pools.pool_cost,
        pools.shared_cost
    from pools_with_shared as pools
    inner join deployment_hour_usage as hour_usage
        on pools.deployment = hour_usage.deployment and pools.cost_hour = hour_usage.usage_hour
    inner join usage
        on pools.deployment = usage.deployment and pools.cost_hour = usage.usage_hour
    inner join deployment_hour_capacity as capacity
        on pools.deployment = capacity.deployment and pools.cost_hour = capacity.cost_hour
    where hour_usage.weighted_tokens > 0

),

idle_pools as (

    select pools.*
    from pools_with_shared as pools
    left join deployment_hour_usage as hour_usage
        on pools.deployment = hour_usage.deployment and pools.cost_hour = hour_usage.usage_hour
    where coalesce(hour_usage.weighted_tokens, 0) = 0

),

idle as (

    select
        idle_pools.cost_hour,
        idle_pools.deployment,
        idle_pools.region,
        idle_pools.pricing_tier,
        idle_pools.hardware,
        monthly_usage.team,
        monthly_usage.model,
        'idle' as allocation_basis,
        monthly_usage.weighted_tokens / monthly_total.weighted_tokens as cost_share,
        idle_pools.gpu_hours,
        idle_pools.pool_cost,
        idle_pools.shared_cost
    from idle_pools
    inner join monthly_usage_total as monthly_total
        on idle_pools.deployment = monthly_total.deployment and idle_pools.cost_month = monthly_total.usage_month
    inner join monthly_usage
        on idle_pools.deployment = monthly_usage.deployment and idle_pools.cost_month = monthly_usage.usage_month
    where monthly_total.weighted_tokens > 0

),

unused as (

    select idle_pools.*
    from idle_pools
    left join monthly_usage_total as monthly_total
        on idle_pools.deployment = monthly_total.deployment and idle_pools.cost_month = monthly_total.usage_month
    where coalesce(monthly_total.weighted_tokens, 0) = 0

),

unpriced as (

    select usage.*
    from usage
    left join deployment_hour_usage as hour_usage
        on usage.deployment = hour_usage.deployment and usage.usage_hour = hour_usage.usage_hour
    left join deployment_hour_capacity as capacity
        on usage.deployment = capacity.deployment and usage.usage_hour = capacity.cost_hour
    where capacity.deployment is null or hour_usage.weighted_tokens = 0

),

unplaced_shared as (

    select * from {{ ref('int_shared_costs_spread') }}
    where deployment is null

),

allocated_rows as (

    select
        cost_hour, deployment, region, pricing_tier, hardware, team, model, allocation_basis,
        requests * token_share as requests,
        input_tokens * token_share as input_tokens,
        cached_input_tokens * token_share as cached_input_tokens,
        output_tokens * token_share as output_tokens,
        weighted_tokens * token_share as weighted_tokens,
        gpu_hours * cost_share as gpu_hours,
        pool_cost * cost_share as direct_cost,
        shared_cost * cost_share as overhead_cost,
        pool_cost * cost_share as allocated_cost,
        0.0 as idle_cost,
        shared_cost * cost_share as shared_cost,
        0.0 as unallocated_cost
    from busy

    union all

    select
        cost_hour, deployment, region, pricing_tier, hardware, team, model, allocation_basis,
        0.0, 0.0, 0.0, 0.0, 0.0,
        gpu_hours * cost_share,
        pool_cost * cost_share,
        shared_cost * cost_share,
        0.0,
        pool_cost * cost_share,
        shared_cost * cost_share,
        0.0
    from idle

    union all

    select
        cost_hour, deployment, region, pricing_tier, hardware,
        '{{ var("cpt_unallocated_team") }}', '(none)', 'unused',
        0.0, 0.0, 0.0, 0.0, 0.0,
        gpu_hours,
        pool_cost,
        shared_cost,
        0.0, 0.0, 0.0,
        pool_cost + shared_cost
    from unused

    union all

    select
        usage_hour, deployment, coalesce(region, 'unknown'), 'unpriced', 'unknown', team, model, 'unpriced',
        requests, input_tokens, cached_input_tokens, output_tokens, weighted_tokens,
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    from unpriced

    union all

    select
        cost_hour, concat('shared:', cluster), region, pricing_tier, hardware,
        '{{ var("cpt_unallocated_team") }}', '(none)', 'unplaced_shared',
        0.0, 0.0, 0.0, 0.0, 0.0,
        0.0,
        0.0,
        shared_cost,
        0.0, 0.0, 0.0,
        shared_cost
    from unplaced_shared

)

select * from allocated_rows

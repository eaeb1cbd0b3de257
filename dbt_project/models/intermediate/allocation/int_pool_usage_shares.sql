-- Usage placed on cost pools (README "How the money is allocated", rule 3), and each team × model's share of
-- its pool's cost for the hour:
--   * usage whose log names a GPU instance the bill knows goes to that instance's pool;
--   * other usage follows GPU capacity over the deployment-hour's pools (evenly when the hour has none);
--   * a pool without GPU hours beside GPU pools (a volume, a credit without an instance) serves the whole
--     deployment-hour: its cost follows all of the hour's allocation units, and it holds no tokens.
-- cost_share is the row's allocation units over its pool's. A pool whose usage carries no units (say, only
-- prompt tokens under the output_tokens key) keeps the tokens here at cost_share 0, and is idle downstream.
-- Usage of a deployment-hour without any pool is not placed here: it stays unpriced.

with

pools as (

    select pool_key, deployment, cost_hour, region, pricing_tier, hardware, gpu_hours
    from {{ ref('int_cost_pools_aggregated') }}

),

usage as (

    select * from {{ ref('int_token_usage_aggregated') }}

),

deployment_hour_capacity as (

    select deployment, cost_hour, {{ exact_sum("gpu_hours") }} as gpu_hours, count(*) as pools
    from pools
    group by deployment, cost_hour

),

pool_shares as (

    -- Each pool's share of its deployment-hour's GPU capacity (evenly over the pools when the hour has none), and
    -- whether it is a pool without GPU hours beside GPU pools (it then serves the whole hour).
    select
        pools.pool_key,
        pools.deployment,
        pools.cost_hour,
        case
            when capacity.gpu_hours > 0 then pools.gpu_hours / capacity.gpu_hours
            else 1.0 / capacity.pools
        end as capacity_share,
        pools.gpu_hours = 0 and capacity.gpu_hours > 0 as serves_the_hour
    from pools
    inner join deployment_hour_capacity as capacity
        on pools.deployment = capacity.deployment and pools.cost_hour = capacity.cost_hour

),

instance_pools as (

    -- The pool each GPU instance of a deployment-hour belongs to (one: the first by tier, region, hardware).
    select pools.pool_key, ranked.deployment, ranked.cost_hour, ranked.instance_id
    from (
        select
            spread.deployment,
            spread.cost_hour,
            spread.resource_id as instance_id,
            spread.region,
            spread.pricing_tier,
            hardware_specs.instance_type as hardware,
            row_number() over (
                partition by spread.deployment, spread.cost_hour, spread.resource_id
                order by spread.pricing_tier, spread.region, hardware_specs.instance_type
            ) as pool_rank
        from {{ ref('int_billing_lines_spread_hourly') }} as spread
        inner join {{ ref('hardware_specs') }} as hardware_specs
            on spread.instance_type = hardware_specs.instance_type
        where spread.scope = 'deployment' and spread.consumed_hours > 0 and hardware_specs.gpu_count > 0
    ) as ranked
    inner join pools
        on ranked.deployment = pools.deployment
        and ranked.cost_hour = pools.cost_hour
        and ranked.region = pools.region
        and ranked.pricing_tier = pools.pricing_tier
        and ranked.hardware = pools.hardware
    where ranked.pool_rank = 1

),

floating as (

    select usage.*
    from usage
    left join instance_pools
        on usage.deployment = instance_pools.deployment
        and usage.usage_hour = instance_pools.cost_hour
        and usage.instance_id = instance_pools.instance_id
    where instance_pools.instance_id is null

),

placed as (

    -- Tokens (token_share) and allocation units (unit_share) landing on each pool.
    select
        instance_pools.pool_key, usage.team, usage.model,
        1.0 as token_share,
        1.0 as unit_share,
        usage.requests, usage.input_tokens, usage.cached_input_tokens, usage.output_tokens,
        usage.weighted_tokens, usage.allocation_units
    from usage
    inner join instance_pools
        on usage.deployment = instance_pools.deployment
        and usage.usage_hour = instance_pools.cost_hour
        and usage.instance_id = instance_pools.instance_id

    union all

    select
        pool_shares.pool_key, floating.team, floating.model,
        pool_shares.capacity_share as token_share,
        pool_shares.capacity_share as unit_share,
        floating.requests, floating.input_tokens, floating.cached_input_tokens, floating.output_tokens,
        floating.weighted_tokens, floating.allocation_units
    from floating
    inner join pool_shares
        on floating.deployment = pool_shares.deployment and floating.usage_hour = pool_shares.cost_hour
    where not pool_shares.serves_the_hour

    union all

    select
        pool_shares.pool_key, usage.team, usage.model,
        0.0,
        1.0,
        usage.requests, usage.input_tokens, usage.cached_input_tokens, usage.output_tokens,
        usage.weighted_tokens, usage.allocation_units
    from usage
    inner join pool_shares
        on usage.deployment = pool_shares.deployment and usage.usage_hour = pool_shares.cost_hour
    where pool_shares.serves_the_hour

),

pool_usage as (

    select
        pool_key, team, model,
        {{ exact_sum("requests * token_share") }} as requests,
        {{ exact_sum("input_tokens * token_share") }} as input_tokens,
        {{ exact_sum("cached_input_tokens * token_share") }} as cached_input_tokens,
        {{ exact_sum("output_tokens * token_share") }} as output_tokens,
        {{ exact_sum("weighted_tokens * token_share") }} as weighted_tokens,
        {{ exact_sum("allocation_units * unit_share") }} as allocation_units
    from placed
    group by pool_key, team, model

),

pool_units as (

    select pool_key, {{ exact_sum("allocation_units") }} as allocation_units
    from pool_usage
    group by pool_key

)

select
    pool_usage.pool_key,
    pool_usage.team,
    pool_usage.model,
    case
        when pool_units.allocation_units > 0 then pool_usage.allocation_units / pool_units.allocation_units
        else 0.0
    end as cost_share,
    pool_usage.requests,
    pool_usage.input_tokens,
    pool_usage.cached_input_tokens,
    pool_usage.output_tokens,
    pool_usage.weighted_tokens,
    pool_usage.allocation_units
from pool_usage
inner join pool_units on pool_usage.pool_key = pool_units.pool_key

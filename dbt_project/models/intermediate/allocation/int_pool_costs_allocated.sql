-- The allocation (README "How the money is allocated", steps 3-5; ALLOCATION.md): every dollar of every cost pool, and of
-- the shared overhead spread onto it, lands in exactly one row and one of four columns:
--   allocated   pool cost of an hour with usage, split over team × model by the allocation key
--               (var cpt_allocation_key); tokens go to the pool of the instance their log names, else
--               over the hour's pools by GPU capacity;
--   idle        pool cost of an hour without usage, charged by var cpt_idle_policy: share_by_usage (the
--               deployment's users for the month, by their month's units), owner (seeds/deployment_owners.csv)
--               or central (var cpt_central_team). A deployment with no usage all month charges its owner;
--   shared      the pool's share of its cluster's shared overhead, split like the pool's own cost;
--   unallocated cost nobody can be charged for: idle cost of a deployment without users or owner, shared
--               overhead of a cluster-hour with no GPU pool to carry it. Charged to var('cpt_unallocated_team').
{%- set idle = idle_policy() %}
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

owners as (

    select deployment, owner_team from {{ ref('deployment_owners') }}

),

deployment_hour_capacity as (

    select deployment, cost_hour, {{ exact_sum("gpu_hours") }} as gpu_hours, count(*) as pools
    from pools
    group by deployment, cost_hour

),

instance_pools as (

    -- The pool each GPU instance of a deployment-hour belongs to (one: the first by tier, region, hardware).
    select deployment, cost_hour, instance_id, region, pricing_tier, hardware
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
    where pool_rank = 1

),

pinned as (

    -- Usage whose log names an instance the bill knows: it goes to that instance's pool (rule 3).
    select
        usage.*,
        instance_pools.region as pool_region,
        instance_pools.pricing_tier as pool_tier,
        instance_pools.hardware as pool_hardware
    from usage
    inner join instance_pools
        on usage.deployment = instance_pools.deployment
        and usage.usage_hour = instance_pools.cost_hour
        and usage.instance_id = instance_pools.instance_id

),

floating as (

    -- All other usage follows GPU capacity over the deployment-hour's pools.
    select usage.*
    from usage
    left join instance_pools
        on usage.deployment = instance_pools.deployment
        and usage.usage_hour = instance_pools.cost_hour
        and usage.instance_id = instance_pools.instance_id
    where instance_pools.instance_id is null

),

pool_usage_parts as (

    -- Tokens (token_share) and allocation units (unit_share) landing on each pool.
    select
        pinned.deployment, pinned.usage_hour as cost_hour, pinned.pool_region as region,
        pinned.pool_tier as pricing_tier, pinned.pool_hardware as hardware, pinned.team, pinned.model,
        1.0 as token_share,
        1.0 as unit_share,
        pinned.requests, pinned.input_tokens, pinned.cached_input_tokens, pinned.output_tokens,
        pinned.weighted_tokens, pinned.allocation_units
    from pinned

    union all

    -- Other usage follows GPU capacity (evenly over the pools when the hour has no GPU capacity at all).
    select
        pools.deployment, pools.cost_hour, pools.region, pools.pricing_tier, pools.hardware,
        floating.team, floating.model,
        case
            when capacity.gpu_hours > 0 then pools.gpu_hours / capacity.gpu_hours
            else 1.0 / capacity.pools
        end,
        case
            when capacity.gpu_hours > 0 then pools.gpu_hours / capacity.gpu_hours
            else 1.0 / capacity.pools
        end,
        floating.requests, floating.input_tokens, floating.cached_input_tokens, floating.output_tokens,
        floating.weighted_tokens, floating.allocation_units
    from floating
    inner join pools
        on floating.deployment = pools.deployment and floating.usage_hour = pools.cost_hour
    inner join deployment_hour_capacity as capacity
        on pools.deployment = capacity.deployment and pools.cost_hour = capacity.cost_hour
    where not (pools.gpu_hours = 0 and capacity.gpu_hours > 0)

    union all

    -- A pool without GPU hours beside GPU pools (a volume, a credit without an instance) serves the whole
    -- deployment-hour: its cost follows all of the hour's units, and it holds no tokens.
    select
        pools.deployment, pools.cost_hour, pools.region, pools.pricing_tier, pools.hardware,
        usage.team, usage.model,
        0.0,
        1.0,
        usage.requests, usage.input_tokens, usage.cached_input_tokens, usage.output_tokens,
        usage.weighted_tokens, usage.allocation_units
    from usage
    inner join pools
        on usage.deployment = pools.deployment and usage.usage_hour = pools.cost_hour
    inner join deployment_hour_capacity as capacity
        on pools.deployment = capacity.deployment and pools.cost_hour = capacity.cost_hour
    where pools.gpu_hours = 0 and capacity.gpu_hours > 0

),

pool_usage as (

    select
        deployment, cost_hour, region, pricing_tier, hardware, team, model,
        {{ exact_sum("requests * token_share") }} as requests,
        {{ exact_sum("input_tokens * token_share") }} as input_tokens,
        {{ exact_sum("cached_input_tokens * token_share") }} as cached_input_tokens,
        {{ exact_sum("output_tokens * token_share") }} as output_tokens,
        {{ exact_sum("weighted_tokens * token_share") }} as weighted_tokens,
        {{ exact_sum("allocation_units * unit_share") }} as allocation_units
    from pool_usage_parts
    group by deployment, cost_hour, region, pricing_tier, hardware, team, model

),

pool_units as (

    select deployment, cost_hour, region, pricing_tier, hardware, {{ exact_sum("allocation_units") }} as allocation_units
    from pool_usage
    group by deployment, cost_hour, region, pricing_tier, hardware

),

monthly_usage as (

    select deployment, usage_month, team, model, {{ exact_sum("allocation_units") }} as allocation_units
    from usage
    group by deployment, usage_month, team, model

),

monthly_usage_total as (

    select deployment, usage_month, {{ exact_sum("allocation_units") }} as allocation_units
    from monthly_usage
    group by deployment, usage_month

),

busy as (

    -- Every team × model with usage on a pool. A pool whose usage carries no units (say, only prompt tokens
    -- under the output_tokens key) keeps the tokens here at no cost and is idle below.
    select
        pools.cost_hour,
        pools.deployment,
        pools.region,
        pools.pricing_tier,
        pools.hardware,
        pool_usage.team,
        pool_usage.model,
        'usage' as allocation_basis,
        case
            when pool_units.allocation_units > 0 then pool_usage.allocation_units / pool_units.allocation_units
            else 0.0
        end as cost_share,
        pool_usage.requests,
        pool_usage.input_tokens,
        pool_usage.cached_input_tokens,
        pool_usage.output_tokens,
        pool_usage.weighted_tokens,
        pools.gpu_hours,
        pools.pool_cost,
        pools.shared_cost
    from pools_with_shared as pools
    inner join pool_usage
        on pools.deployment = pool_usage.deployment
        and pools.cost_hour = pool_usage.cost_hour
        and pools.region = pool_usage.region
        and pools.pricing_tier = pool_usage.pricing_tier
        and pools.hardware = pool_usage.hardware
    inner join pool_units
        on pools.deployment = pool_units.deployment
        and pools.cost_hour = pool_units.cost_hour
        and pools.region = pool_units.region
        and pools.pricing_tier = pool_units.pricing_tier
        and pools.hardware = pool_units.hardware

),

idle_pools as (

    select pools.*
    from pools_with_shared as pools
    left join pool_units
        on pools.deployment = pool_units.deployment
        and pools.cost_hour = pool_units.cost_hour
        and pools.region = pool_units.region
        and pools.pricing_tier = pool_units.pricing_tier
        and pools.hardware = pool_units.hardware
    where coalesce(pool_units.allocation_units, 0) <= 0

),

idle_by_usage as (

    select
        idle_pools.cost_hour,
        idle_pools.deployment,
        idle_pools.region,
        idle_pools.pricing_tier,
        idle_pools.hardware,
        monthly_usage.team,
        monthly_usage.model,
        monthly_usage.allocation_units / monthly_total.allocation_units as cost_share,
        idle_pools.gpu_hours,
        idle_pools.pool_cost,
        idle_pools.shared_cost
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
        idle_pools.*,
        {{ "'" ~ var('cpt_central_team') ~ "'" if idle == "central" else "owners.owner_team" }} as team
    from idle_pools
    left join monthly_usage_total as monthly_total
        on idle_pools.deployment = monthly_total.deployment and idle_pools.cost_month = monthly_total.usage_month
    left join owners
        on idle_pools.deployment = owners.deployment
    where {{ "coalesce(monthly_total.allocation_units, 0) = 0" if idle == "share_by_usage" else "1 = 1" }}

),

idle as (

    select
        cost_hour, deployment, region, pricing_tier, hardware, team, model, 'idle' as allocation_basis,
        cost_share, gpu_hours, pool_cost, shared_cost
    from idle_by_usage

    union all

    select
        cost_hour, deployment, region, pricing_tier, hardware, team, '(none)', 'idle',
        1.0, gpu_hours, pool_cost, shared_cost
    from idle_to_one_team
    where team is not null

),

unused as (

    select * from idle_to_one_team where team is null

),

unpriced as (

    -- Usage of a deployment-hour with no cost pool at all (a deployment missing from the bill).
    select floating.*
    from floating
    left join deployment_hour_capacity as capacity
        on floating.deployment = capacity.deployment and floating.usage_hour = capacity.cost_hour
    where capacity.deployment is null

),

unplaced_shared as (

    select * from {{ ref('int_shared_costs_spread') }}
    where deployment is null

),

allocated_rows as (

    select
        cost_hour, deployment, region, pricing_tier, hardware, team, model, allocation_basis,
        requests,
        input_tokens,
        cached_input_tokens,
        output_tokens,
        weighted_tokens,
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

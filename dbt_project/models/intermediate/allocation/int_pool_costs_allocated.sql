-- The allocation (README "How the money is allocated", steps 3-6; ALLOCATION.md): every dollar of every cost pool,
-- and of the shared overhead spread onto it, lands in exactly one row and one of four columns:
--   allocated   pool cost of an hour with usage, split over team × model by the allocation key
--               (int_pool_usage_shares);
--   idle        pool cost of an hour without usage, charged by the idle policy (int_pool_idle_shares);
--   shared      the pool's share of its cluster's shared overhead (int_shared_costs_spread), split like the
--               pool's own cost;
--   unallocated cost nobody can be charged for: idle cost of a deployment without users or owner, shared
--               overhead of a cluster-hour with no GPU pool to carry it. Charged to var('cpt_unallocated_team').
-- Tokens of an hour with no cost pool (a deployment missing from the bill) keep their own "unpriced" rows.

with

pool_overhead as (

    select pool_key, {{ exact_sum("shared_cost") }} as shared_cost
    from {{ ref('int_shared_costs_spread') }}
    where pool_key is not null
    group by pool_key

),

pools as (

    select
        pools.pool_key,
        pools.deployment,
        pools.cost_hour,
        pools.region,
        pools.pricing_tier,
        pools.hardware,
        pools.pool_cost,
        pools.gpu_hours,
        coalesce(pool_overhead.shared_cost, 0) as shared_cost
    from {{ ref('int_cost_pools_aggregated') }} as pools
    left join pool_overhead on pools.pool_key = pool_overhead.pool_key

),

shares as (

    select
        pool_key, team, model, 'usage' as allocation_basis, cost_share,
        requests, input_tokens, cached_input_tokens, output_tokens, weighted_tokens
    from {{ ref('int_pool_usage_shares') }}

    union all

    select pool_key, team, model, allocation_basis, cost_share, 0.0, 0.0, 0.0, 0.0, 0.0
    from {{ ref('int_pool_idle_shares') }}

),

pool_rows as (

    select
        pools.cost_hour,
        pools.deployment,
        pools.region,
        pools.pricing_tier,
        pools.hardware,
        shares.team,
        shares.model,
        shares.allocation_basis,
        shares.requests,
        shares.input_tokens,
        shares.cached_input_tokens,
        shares.output_tokens,
        shares.weighted_tokens,
        pools.gpu_hours * shares.cost_share as gpu_hours,
        pools.pool_cost * shares.cost_share as direct_cost,
        pools.shared_cost * shares.cost_share as overhead_cost
    from shares
    inner join pools on shares.pool_key = pools.pool_key

),

priced_hours as (

    select distinct deployment, cost_hour from pools

),

unpriced as (

    -- Usage of a deployment-hour with no cost pool at all (a deployment missing from the bill).
    select usage.*
    from {{ ref('int_token_usage_aggregated') }} as usage
    left join priced_hours
        on usage.deployment = priced_hours.deployment and usage.usage_hour = priced_hours.cost_hour
    where priced_hours.deployment is null

),

unplaced_shared as (

    select * from {{ ref('int_shared_costs_spread') }}
    where pool_key is null

)

select
    cost_hour, deployment, region, pricing_tier, hardware, team, model, allocation_basis,
    requests, input_tokens, cached_input_tokens, output_tokens, weighted_tokens,
    gpu_hours,
    direct_cost,
    overhead_cost,
    case when allocation_basis = 'usage' then direct_cost else 0.0 end as allocated_cost,
    case when allocation_basis = 'idle' then direct_cost else 0.0 end as idle_cost,
    case when allocation_basis = 'unused' then 0.0 else overhead_cost end as shared_cost,
    case when allocation_basis = 'unused' then direct_cost + overhead_cost else 0.0 end as unallocated_cost
from pool_rows

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
    0.0, 0.0, shared_cost as overhead_cost, 0.0, 0.0, 0.0, shared_cost as unallocated_cost
from unplaced_shared

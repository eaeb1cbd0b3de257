-- Shared inference overhead (DESIGN.md "Allocation" rule 6): each hour's shared cost of a cluster is spread over
-- that cluster's GPU cost pools in proportion to their GPU cost (pool cost of pools with GPU hours).
-- Shared cost of an hour in which its cluster has no positive GPU cost cannot be placed: it is kept with
-- deployment = null and counts as unallocated downstream.

with

shared as (

    select shared_cluster as cluster, cost_hour, region, {{ exact_sum("effective_cost") }} as shared_cost
    from {{ ref('int_billing_lines_spread_hourly') }}
    where scope = 'shared'
    group by shared_cluster, cost_hour, region

),

gpu_pools as (

    select pools.*, deployments.cluster
    from {{ ref('int_cost_pools_aggregated') }} as pools
    inner join {{ ref('int_deployments_resolved') }} as deployments
        on pools.deployment = deployments.deployment
    where pools.gpu_hours > 0 and pools.pool_cost > 0

),

cluster_gpu_cost as (

    select cluster, cost_hour, {{ exact_sum("pool_cost") }} as gpu_cost
    from gpu_pools
    group by cluster, cost_hour

),

spread as (

    select
        gpu_pools.deployment,
        gpu_pools.cost_hour,
        gpu_pools.region,
        gpu_pools.pricing_tier,
        gpu_pools.hardware,
        shared.cluster,
        {{ exact_sum("shared.shared_cost * gpu_pools.pool_cost / cluster_gpu_cost.gpu_cost") }} as shared_cost
    from shared
    inner join cluster_gpu_cost
        on shared.cluster = cluster_gpu_cost.cluster and shared.cost_hour = cluster_gpu_cost.cost_hour
    inner join gpu_pools
        on shared.cluster = gpu_pools.cluster and shared.cost_hour = gpu_pools.cost_hour
    group by
        gpu_pools.deployment, gpu_pools.cost_hour, gpu_pools.region, gpu_pools.pricing_tier,
        gpu_pools.hardware, shared.cluster

),

unplaced as (

    select
        cast(null as varchar) as deployment,
        shared.cost_hour,
        shared.region,
        'shared' as pricing_tier,
        'non-gpu' as hardware,
        shared.cluster,
        shared.shared_cost
    from shared
    left join cluster_gpu_cost
        on shared.cluster = cluster_gpu_cost.cluster and shared.cost_hour = cluster_gpu_cost.cost_hour
    where cluster_gpu_cost.cluster is null

)

select * from spread
union all
select * from unplaced

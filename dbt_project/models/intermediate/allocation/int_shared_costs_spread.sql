-- Shared inference overhead (README "How the money is allocated", step 6): each hour's shared cost of a cluster is
-- spread over that cluster's GPU cost pools by var cpt_shared_policy:
--   gpu_cost  in proportion to their GPU cost (pool cost of pools with GPU hours and positive cost);
--   even      the same for every deployment of the cluster that ran GPUs that hour (evenly over its pools);
--   fixed     by var cpt_shared_fixed_ratios (deployment → ratio), normalised over the deployments present.
-- Shared cost of an hour in which its cluster has no pool to carry it cannot be placed: it is kept with
-- deployment = null and counts as unallocated downstream.
{%- set policy = shared_policy() %}

with

shared as (

    select shared_cluster as cluster, cost_hour, region, {{ exact_sum("effective_cost") }} as shared_cost
    from {{ ref('int_billing_lines_spread_hourly') }}
    where scope = 'shared'
    group by shared_cluster, cost_hour, region

),

candidate_pools as (

    select
        pools.*,
        deployments.cluster,
        count(*) over (partition by pools.deployment, pools.cost_hour) as deployment_pools
    from {{ ref('int_cost_pools_aggregated') }} as pools
    inner join {{ ref('int_deployments_resolved') }} as deployments
        on pools.deployment = deployments.deployment
    where pools.gpu_hours > 0 {{ "and pools.pool_cost > 0" if policy == "gpu_cost" else "" }}

),
{%- if policy == "fixed" %}

fixed_ratios as (

    {{ shared_fixed_ratios() }}

),
{%- endif %}

gpu_pools as (

    select
        candidate_pools.*,
        {%- if policy == "gpu_cost" %}
        candidate_pools.pool_cost as weight
        {%- elif policy == "even" %}
        1.0 / candidate_pools.deployment_pools as weight
        {%- else %}
        fixed_ratios.ratio / candidate_pools.deployment_pools as weight
        {%- endif %}
    from candidate_pools
    {%- if policy == "fixed" %}
    inner join fixed_ratios on candidate_pools.deployment = fixed_ratios.deployment
    where fixed_ratios.ratio > 0
    {%- endif %}

),

cluster_weight as (

    select cluster, cost_hour, {{ exact_sum("weight") }} as total_weight
    from gpu_pools
    group by cluster, cost_hour

),

spread as (

    select
        gpu_pools.pool_key,
        gpu_pools.deployment,
        gpu_pools.cost_hour,
        gpu_pools.region,
        gpu_pools.pricing_tier,
        gpu_pools.hardware,
        shared.cluster,
        {{ exact_sum("shared.shared_cost * gpu_pools.weight / cluster_weight.total_weight") }} as shared_cost
    from shared
    inner join cluster_weight
        on shared.cluster = cluster_weight.cluster and shared.cost_hour = cluster_weight.cost_hour
    inner join gpu_pools
        on shared.cluster = gpu_pools.cluster and shared.cost_hour = gpu_pools.cost_hour
    group by
        gpu_pools.pool_key, gpu_pools.deployment, gpu_pools.cost_hour, gpu_pools.region, gpu_pools.pricing_tier,
        gpu_pools.hardware, shared.cluster

),

unplaced as (

    select
        cast(null as string) as pool_key,
        cast(null as string) as deployment,
        shared.cost_hour,
        shared.region,
        'shared' as pricing_tier,
        'non-gpu' as hardware,
        shared.cluster,
        shared.shared_cost
    from shared
    left join cluster_weight
        on shared.cluster = cluster_weight.cluster and shared.cost_hour = cluster_weight.cost_hour
    where cluster_weight.cluster is null

)

select * from spread
union all
select * from unplaced

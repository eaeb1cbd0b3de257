-- One row per deployment × hour: what the deployment cost that hour, what it served, whether it was busy, and
-- what the same hours would have cost at public on-demand prices.

with

on_demand as (

    select deployment, cost_hour, {{ exact_sum("on_demand_cost") }} as on_demand_cost
    from {{ ref('int_cost_pools_aggregated') }}
    group by deployment, cost_hour

),

hours as (

select
    allocation.deployment,
    allocation.cost_hour as usage_hour,
    cast(allocation.cost_hour as date) as usage_date,
    {{ exact_sum("allocation.direct_cost") }} as direct_cost,
    {{ exact_sum("allocation.overhead_cost") }} as shared_cost,
    {{ exact_sum("allocation.direct_cost + allocation.overhead_cost") }} as total_cost,
    {{ exact_sum("allocation.idle_cost") }} as idle_cost,
    {{ exact_sum("allocation.unallocated_cost") }} as unallocated_cost,
    {{ exact_sum("allocation.requests") }} as requests,
    {{ exact_sum("allocation.input_tokens") }} as input_tokens,
    {{ exact_sum("allocation.cached_input_tokens") }} as cached_input_tokens,
    {{ exact_sum("allocation.output_tokens") }} as output_tokens,
    {{ exact_sum("allocation.weighted_tokens") }} as weighted_tokens,
    {{ exact_sum("allocation.gpu_hours") }} as gpu_hours,
    {{ exact_sum("allocation.weighted_tokens") }} > 0 as is_busy
from {{ ref('int_pool_costs_allocated') }} as allocation
where allocation.allocation_basis <> 'unplaced_shared'
group by allocation.deployment, allocation.cost_hour

)

select
    hours.*,
    coalesce(on_demand.on_demand_cost, 0.0) as on_demand_equivalent_cost
from hours
left join on_demand
    on hours.deployment = on_demand.deployment and hours.usage_hour = on_demand.cost_hour

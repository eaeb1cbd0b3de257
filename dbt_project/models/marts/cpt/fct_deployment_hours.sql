-- One row per deployment × hour: what the deployment cost that hour, what it served, whether it was busy, how
-- close to its capacity it ran, and what the same hours would have cost at public on-demand prices.
-- Capacity: the deployment's own highest output tokens per GPU-hour in any hour of the warehouse (its busiest
-- hour is 1.0). busy (an hour that served a request) and throughput utilization (tokens against that capacity)
-- answer different questions: a fleet can be busy every hour and still run at a tenth of what it can serve.

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
    {{ money_sum("allocation.direct_cost") }} as direct_cost,
    {{ money_sum("allocation.overhead_cost") }} as shared_cost,
    {{ money_sum("allocation.idle_cost") }} as idle_cost,
    {{ money_sum("allocation.unallocated_cost") }} as unallocated_cost,
    {{ whole(exact_sum("allocation.requests")) }} as requests,
    {{ whole(exact_sum("allocation.input_tokens")) }} as input_tokens,
    {{ whole(exact_sum("allocation.cached_input_tokens")) }} as cached_input_tokens,
    {{ whole(exact_sum("allocation.output_tokens")) }} as output_tokens,
    {{ quantity(exact_sum("allocation.weighted_tokens")) }} as weighted_tokens,
    {{ quantity(exact_sum("allocation.gpu_hours")) }} as gpu_hours
from {{ ref('int_pool_costs_allocated') }} as allocation
where allocation.allocation_basis <> 'unplaced_shared'
group by allocation.deployment, allocation.cost_hour

),

capacity as (

    select deployment, max(output_tokens / gpu_hours) as peak_output_tokens_per_gpu_hour
    from hours
    where gpu_hours > 0
    group by deployment

)

{%- set capacity_expression = double_product("hours.gpu_hours", "capacity.peak_output_tokens_per_gpu_hour") %}

select
    hours.deployment,
    hours.usage_hour,
    hours.usage_date,
    hours.direct_cost,
    hours.shared_cost,
    {{ money("hours.direct_cost + hours.shared_cost") }} as total_cost,
    hours.idle_cost,
    hours.unallocated_cost,
    hours.requests,
    hours.input_tokens,
    hours.cached_input_tokens,
    hours.output_tokens,
    hours.weighted_tokens,
    hours.gpu_hours,
    hours.weighted_tokens > 0 as is_busy,
    {{ quantity("capacity.peak_output_tokens_per_gpu_hour") }} as peak_output_tokens_per_gpu_hour,
    {{ quantity(capacity_expression) }} as output_token_capacity,
    {{ quantity("hours.output_tokens / nullif(" ~ capacity_expression ~ ", 0)") }} as throughput_utilization,
    {{ money("coalesce(on_demand.on_demand_cost, 0.0)") }} as on_demand_equivalent_cost
from hours
left join capacity on hours.deployment = capacity.deployment
left join on_demand
    on hours.deployment = on_demand.deployment and hours.usage_hour = on_demand.cost_hour

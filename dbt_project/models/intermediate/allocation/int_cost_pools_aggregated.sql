-- Cost pools (README "How the money is allocated", step 2): EffectiveCost per deployment × hour × region × pricing
-- tier × hardware, with the GPU hours the pool provides (rule 3: tokens are split over pools by GPU capacity).
-- GPU hours count each resource once per hour: a VM billed as a GPU SKU (in GPU-hours) plus a core/RAM SKU (in
-- VM-hours) ran for the smaller of the two quantities, times its GPU count.
-- pool_key names the pool in one column: every later step joins on it rather than on the five.

with

lines as (

    select
        spread.*,
        coalesce(hardware_specs.instance_type, 'non-gpu') as hardware,
        coalesce(hardware_specs.gpu_count, 0) as gpu_count
    from {{ ref('int_billing_lines_spread_hourly') }} as spread
    left join {{ ref('hardware_specs') }} as hardware_specs
        on spread.instance_type = hardware_specs.instance_type
    where spread.scope = 'deployment'

),

pool_cost as (

    select
        deployment,
        cost_hour,
        region,
        pricing_tier,
        hardware,
        {{ exact_sum("effective_cost") }} as pool_cost,
        {{ exact_sum("on_demand_cost") }} as on_demand_cost,
        count(*) as billing_lines
    from lines
    group by deployment, cost_hour, region, pricing_tier, hardware

),

resource_gpu_hours as (

    select
        deployment,
        cost_hour,
        region,
        pricing_tier,
        hardware,
        resource_id,
        min(consumed_hours) * max(gpu_count) as gpu_hours
    from lines
    where gpu_count > 0 and consumed_hours > 0
    group by deployment, cost_hour, region, pricing_tier, hardware, resource_id

),

pool_gpu_hours as (

    select deployment, cost_hour, region, pricing_tier, hardware, {{ exact_sum("gpu_hours") }} as gpu_hours
    from resource_gpu_hours
    group by deployment, cost_hour, region, pricing_tier, hardware

)

select
    concat_ws(
        '|', pool_cost.deployment, cast(pool_cost.cost_hour as string), pool_cost.region, pool_cost.pricing_tier,
        pool_cost.hardware
    ) as pool_key,
    pool_cost.deployment,
    pool_cost.cost_hour,
    pool_cost.region,
    pool_cost.pricing_tier,
    pool_cost.hardware,
    pool_cost.pool_cost,
    pool_cost.on_demand_cost,
    coalesce(pool_gpu_hours.gpu_hours, 0) as gpu_hours,
    pool_cost.billing_lines
from pool_cost
left join pool_gpu_hours
    on pool_cost.deployment = pool_gpu_hours.deployment
    and pool_cost.cost_hour = pool_gpu_hours.cost_hour
    and pool_cost.region = pool_gpu_hours.region
    and pool_cost.pricing_tier = pool_gpu_hours.pricing_tier
    and pool_cost.hardware = pool_gpu_hours.hardware

-- What-if: each deployment's month re-priced, the same served tokens under other ways of buying or running its
-- capacity. Grain: one row per deployment × month × scenario. Prices come from the bill itself: its public
-- on-demand rates (CUR pricing_public_on_demand_cost; GCP list cost, spot hours scaled by the catalog's
-- on-demand ÷ spot ratio) and, per provider and tier, the ratio to on demand the bill shows that month; a tier the
-- bill does not hold is priced from seeds/pricing_assumptions.csv (price_source says which). Shared overhead is
-- kept as it was in every scenario. Every sum is order-free (exact_sum, DECIMAL): the same bill gives the same
-- scenarios to the last digit however the rows arrive.
--   as_billed    what was charged: the deployment's own billed cost + its shared overhead (equals its chargeback);
--   on_demand    every hour of its capacity at the public on-demand rate;
--   <tier>       every hour at that tier's ratio to on demand (spot, savings_plan, reserved, committed_use);
--   autoscaled   at the prices paid, each hour only the GPUs its output tokens needed at
--                var('cpt_whatif_target_utilization') of the configuration's capacity (whole instances, at least
--                var('cpt_whatif_min_instances'), never more than it ran); cost that is not GPU-hours (volumes,
--                fees) kept as billed.

{%- set target = var('cpt_whatif_target_utilization') %}
{%- set min_instances = var('cpt_whatif_min_instances') %}

with

deployments as (

    select deployment, provider from {{ ref('int_deployments_resolved') }}

),

pools as (

    select
        pools.*,
        cast({{ dbt.date_trunc('month', 'pools.cost_hour') }} as date) as month,
        deployments.provider,
        coalesce(hardware.gpu_count, 0) as gpus_per_instance
    from {{ ref('int_cost_pools_aggregated') }} as pools
    inner join deployments on pools.deployment = deployments.deployment
    left join {{ ref('hardware_specs') }} as hardware on pools.hardware = hardware.instance_type

),

observed_ratios as (

    select
        provider,
        month,
        pricing_tier,
        {{ exact_sum("pool_cost") }} / {{ exact_sum("on_demand_cost") }} as ratio_to_on_demand
    from pools
    where gpus_per_instance > 0 and on_demand_cost > 0 and pricing_tier <> 'on_demand'
    group by provider, month, pricing_tier

),

instance_sizes as (

    select deployment, month, max(gpus_per_instance) as gpus_per_instance
    from pools
    group by deployment, month

),

months as (

    select
        hours.deployment,
        cast({{ dbt.date_trunc('month', 'hours.usage_hour') }} as date) as month,
        sum(hours.direct_cost) as direct_cost,
        sum(hours.shared_cost) as shared_cost,
        sum(hours.total_cost) as total_cost,
        sum(hours.on_demand_equivalent_cost) as on_demand_cost,
        sum(hours.gpu_hours) as gpu_hours,
        sum(hours.output_tokens) as output_tokens
    from {{ ref('fct_deployment_hours') }} as hours
    group by hours.deployment, cast({{ dbt.date_trunc('month', 'hours.usage_hour') }} as date)

),

autoscaled_hours as (

    select
        hourly.deployment,
        cast({{ dbt.date_trunc('month', 'hourly.usage_hour') }} as date) as month,
        hourly.direct_cost,
        hourly.gpu_hours,
        sizes.gpus_per_instance * greatest(
            {{ min_instances }},
            ceil(
                hourly.output_tokens / 3600.0
                / nullif(hourly.capacity_output_tokens_per_gpu_second * {{ target }}, 0)
                / sizes.gpus_per_instance
            )
        ) as needed_gpu_hours
    from {{ ref('fct_deployment_efficiency_hourly') }} as hourly
    inner join instance_sizes as sizes
        on hourly.deployment = sizes.deployment
        and cast({{ dbt.date_trunc('month', 'hourly.usage_hour') }} as date) = sizes.month
    where sizes.gpus_per_instance > 0

),

autoscaled as (

    select
        deployment,
        month,
        {{ exact_sum("least(needed_gpu_hours, gpu_hours)") }} as gpu_hours,
        {{ money_sum("direct_cost") }} as gpu_hour_cost,
        {{ exact_sum("direct_cost * least(needed_gpu_hours, gpu_hours) / gpu_hours") }} as scaled_cost
    from autoscaled_hours
    group by deployment, month

),

tiers as (

    select
        months.deployment,
        months.month,
        assumptions.pricing_tier,
        coalesce(observed.ratio_to_on_demand, assumptions.ratio_to_on_demand) as ratio_to_on_demand,
        case when observed.ratio_to_on_demand is not null then 'bill' else 'pricing_assumptions' end as price_source
    from months
    inner join deployments on months.deployment = deployments.deployment
    inner join {{ ref('pricing_assumptions') }} as assumptions on deployments.provider = assumptions.provider
    left join observed_ratios as observed
        on deployments.provider = observed.provider
        and months.month = observed.month
        and assumptions.pricing_tier = observed.pricing_tier

),

scenarios as (

    select
        deployment, month, 'as_billed' as scenario, 'what was charged' as description,
        'bill' as price_source, cast(null as double) as ratio_to_on_demand,
        gpu_hours, total_cost as cost
    from months

    union all

    select
        deployment, month, 'on_demand', 'every hour at the public on-demand rate',
        'bill', 1.0, gpu_hours, on_demand_cost + shared_cost
    from months

    union all

    select
        months.deployment, months.month, tiers.pricing_tier, concat('every hour on ', tiers.pricing_tier),
        tiers.price_source, tiers.ratio_to_on_demand, months.gpu_hours,
        months.on_demand_cost * tiers.ratio_to_on_demand + months.shared_cost
    from months
    inner join tiers on months.deployment = tiers.deployment and months.month = tiers.month

    union all

    select
        months.deployment, months.month, 'autoscaled',
        concat(
            'at the prices paid, only the GPUs needed at ', cast(round(100 * {{ target }}) as varchar),
            ' % of capacity, at least {{ min_instances }} instance(s)'
        ),
        'bill', cast(null as double), autoscaled.gpu_hours,
        months.total_cost - autoscaled.gpu_hour_cost + autoscaled.scaled_cost
    from months
    inner join autoscaled on months.deployment = autoscaled.deployment and months.month = autoscaled.month

)

select
    scenarios.deployment,
    scenarios.month,
    scenarios.scenario,
    scenarios.description,
    scenarios.price_source,
    cast(scenarios.ratio_to_on_demand as double) as ratio_to_on_demand,
    cast({{ target }} as double) as target_utilization,
    cast({{ min_instances }} as integer) as min_instances,
    {{ quantity("scenarios.gpu_hours") }} as gpu_hours,
    {{ money("scenarios.cost") }} as cost,
    cast(months.output_tokens as bigint) as output_tokens,
    {{ money("1e6 * scenarios.cost / nullif(months.output_tokens, 0)") }} as cpt_micro_usd_per_output_token,
    {{ money("months.total_cost - scenarios.cost") }} as saving_vs_actual,
    {{ quantity("(months.total_cost - scenarios.cost) / nullif(months.total_cost, 0)") }} as saving_share
from scenarios
inner join months on scenarios.deployment = months.deployment and scenarios.month = months.month

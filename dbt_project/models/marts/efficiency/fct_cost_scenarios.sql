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
--   other_region:<region>
--                the same instance-hours in another region, at that region's list price (AWS Price List API,
--                stg_aws__list_prices) and the same discount to list the deployment paid (its GPU instances' billed
--                cost ÷ their hours at its own region's list price);
--   other_gpu:<instance type>
--                another GPU type in its own region: each hour the instances of that type its output tokens needed
--                at the target utilization (as autoscaled), its capacity scaled by the GPUs' memory bandwidth
--                (hardware_specs: decoding is bound by it), at that type's list price and the same discount to list;
--                only types whose instance holds the model — the weights (parameters × bytes per parameter of the
--                quantization) and a fifth more for the KV cache — or at least the memory it runs on now.
--   The last two cover deployment-months that ran one GPU instance type in one region, with list prices for it.

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

fleets as (

    select
        deployment,
        month,
        hardware as instance_type,
        region,
        max(gpus_per_instance) as gpus_per_instance,
        {{ exact_sum("pool_cost") }} as gpu_cost,
        {{ exact_sum("gpu_hours") }} as gpu_hours
    from pools
    where gpus_per_instance > 0
    group by deployment, month, hardware, region

),

list_prices as (

    select
        provider,
        instance_type,
        region,
        effective_hourly_rate as on_demand_hourly
    from {{ ref('stg_aws__list_prices') }}
    where offer = 'on_demand' and effective_hourly_rate > 0

),

-- Deployment-months on one GPU instance type in one region: the only ones another region or GPU can re-price.
single_fleets as (

    select
        deployment,
        month,
        instance_type,
        region,
        gpus_per_instance,
        gpu_cost,
        gpu_hours,
        gpu_hours / gpus_per_instance as instance_hours
    from (
        select
            fleets.*,
            count(*) over (partition by deployment, month) as fleets_in_month
        from fleets
    ) as counted
    where fleets_in_month = 1

),

-- One GPU instance type in one region, with its list price there: what the other region and GPU scenarios re-price.
priced_fleets as (

    select
        fleets.deployment,
        fleets.month,
        deployments.provider,
        fleets.instance_type,
        fleets.region,
        fleets.gpus_per_instance,
        fleets.gpu_cost,
        fleets.gpu_hours,
        fleets.instance_hours,
        own_price.on_demand_hourly,
        fleets.gpu_cost / (fleets.instance_hours * own_price.on_demand_hourly) as ratio_to_list,
        hardware.gpu_type,
        hardware.gpu_count * hardware.gpu_memory_gb as instance_memory_gb,
        hardware.gpu_memory_bandwidth_gb_s
    from single_fleets as fleets
    inner join deployments on fleets.deployment = deployments.deployment
    inner join list_prices as own_price
        on deployments.provider = own_price.provider
        and fleets.instance_type = own_price.instance_type
        and fleets.region = own_price.region
    inner join {{ ref('hardware_specs') }} as hardware on fleets.instance_type = hardware.instance_type
    where fleets.gpu_hours > 0

),

other_regions as (

    select
        priced_fleets.deployment,
        priced_fleets.month,
        alternative.region,
        priced_fleets.instance_type,
        priced_fleets.gpu_type,
        alternative.on_demand_hourly,
        priced_fleets.ratio_to_list,
        priced_fleets.gpu_hours,
        priced_fleets.gpu_cost,
        priced_fleets.instance_hours * alternative.on_demand_hourly * priced_fleets.ratio_to_list as scenario_gpu_cost
    from priced_fleets
    inner join list_prices as alternative
        on priced_fleets.provider = alternative.provider
        and priced_fleets.instance_type = alternative.instance_type
        and priced_fleets.region <> alternative.region

),

-- The memory a configuration needs: its weights at the quantization's bytes per parameter, and a fifth more.
config_memory as (

    select
        config_id,
        1.2 * total_params_b * case
            when lower(quantization) in ('fp8', 'int8', 'w8a8', 'fp8_e4m3') then 1.0
            when lower(quantization) in ('int4', 'awq', 'gptq', 'w4a16', 'nf4') then 0.5
            else 2.0
        end as needed_memory_gb
    from {{ ref('dim_deployment_configs') }}

),

sized_hours as (

    select
        hourly.deployment,
        cast({{ dbt.date_trunc('month', 'hourly.usage_hour') }} as date) as month,
        hourly.output_tokens,
        hourly.capacity_output_tokens_per_gpu_second as capacity,
        config_memory.needed_memory_gb
    from {{ ref('fct_deployment_efficiency_hourly') }} as hourly
    left join config_memory on hourly.config_id = config_memory.config_id
    where hourly.gpu_hours > 0

),

other_gpus as (

    select
        priced_fleets.deployment,
        priced_fleets.month,
        priced_fleets.region,
        alternative.instance_type,
        hardware.gpu_type,
        alternative.on_demand_hourly,
        priced_fleets.ratio_to_list,
        priced_fleets.gpu_cost,
        hardware.gpu_count as gpus_per_instance,
        cast(hardware.gpu_memory_bandwidth_gb_s as double) / priced_fleets.gpu_memory_bandwidth_gb_s
            as throughput_ratio,
        priced_fleets.instance_memory_gb,
        hardware.gpu_count * hardware.gpu_memory_gb as alternative_memory_gb
    from priced_fleets
    inner join list_prices as alternative
        on priced_fleets.provider = alternative.provider
        and priced_fleets.region = alternative.region
    inner join {{ ref('hardware_specs') }} as hardware on alternative.instance_type = hardware.instance_type
    where hardware.gpu_type <> priced_fleets.gpu_type and hardware.gpu_count > 0

),

other_gpu_hours as (

    select
        other_gpus.deployment,
        other_gpus.month,
        other_gpus.instance_type,
        other_gpus.gpus_per_instance,
        other_gpus.on_demand_hourly * other_gpus.ratio_to_list as instance_hour_cost,
        case
            when
                sized_hours.capacity is not null
                and other_gpus.alternative_memory_gb >= least(
                    other_gpus.instance_memory_gb,
                    coalesce(sized_hours.needed_memory_gb, other_gpus.instance_memory_gb)
                )
                then 1
            else 0
        end as is_sized,
        other_gpus.gpus_per_instance * greatest(
            {{ min_instances }},
            ceil(
                sized_hours.output_tokens / 3600.0
                / (sized_hours.capacity * other_gpus.throughput_ratio * {{ target }})
                / other_gpus.gpus_per_instance
            )
        ) as needed_gpu_hours
    from other_gpus
    inner join sized_hours on other_gpus.deployment = sized_hours.deployment and other_gpus.month = sized_hours.month

),

-- A GPU type is a scenario when every hour of the month could be sized on it (a capacity known, the model fits).
other_gpu_months as (

    select
        deployment,
        month,
        instance_type,
        {{ exact_sum("needed_gpu_hours") }} as gpu_hours,
        {{ exact_sum("needed_gpu_hours / gpus_per_instance * instance_hour_cost") }} as scenario_gpu_cost
    from other_gpu_hours
    group by deployment, month, instance_type
    having min(is_sized) = 1

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
        cast(null as string) as region, cast(null as string) as instance_type,
        cast(null as double) as list_price_per_instance_hour, cast(null as double) as ratio_to_list,
        cast(null as double) as throughput_ratio,
        gpu_hours, total_cost as cost
    from months

    union all

    select
        deployment, month, 'on_demand', 'every hour at the public on-demand rate',
        'bill', 1.0, null, null, null, null, null, gpu_hours, on_demand_cost + shared_cost
    from months

    union all

    select
        months.deployment, months.month, tiers.pricing_tier, concat('every hour on ', tiers.pricing_tier),
        tiers.price_source, tiers.ratio_to_on_demand, null, null, null, null, null, months.gpu_hours,
        months.on_demand_cost * tiers.ratio_to_on_demand + months.shared_cost
    from months
    inner join tiers on months.deployment = tiers.deployment and months.month = tiers.month

    union all

    select
        months.deployment, months.month, 'autoscaled',
        concat(
            'at the prices paid, only the GPUs needed at ', cast(round(100 * {{ target }}) as string),
            ' % of capacity, at least {{ min_instances }} instance(s)'
        ),
        'bill', cast(null as double), null, null, null, null, null, autoscaled.gpu_hours,
        months.total_cost - autoscaled.gpu_hour_cost + autoscaled.scaled_cost
    from months
    inner join autoscaled on months.deployment = autoscaled.deployment and months.month = autoscaled.month

    union all

    select
        months.deployment, months.month, concat('other_region:', other.region),
        concat('the same instance-hours in ', other.region, ' at its list price and the discount paid'),
        'aws_price_list', cast(null as double), other.region, other.instance_type, other.on_demand_hourly,
        other.ratio_to_list, cast(null as double), other.gpu_hours,
        months.total_cost - other.gpu_cost + other.scenario_gpu_cost
    from months
    inner join other_regions as other on months.deployment = other.deployment and months.month = other.month

    union all

    select
        months.deployment, months.month, concat('other_gpu:', other.instance_type),
        concat(
            other.gpu_type, ' (', other.instance_type, '): the instances each hour needed at ',
            cast(round(100 * {{ target }}) as string), ' % of capacity, at its list price and the discount paid'
        ),
        'aws_price_list', cast(null as double), other.region, other.instance_type, other.on_demand_hourly,
        other.ratio_to_list, other.throughput_ratio, sized.gpu_hours,
        months.total_cost - other.gpu_cost + sized.scenario_gpu_cost
    from months
    inner join other_gpus as other on months.deployment = other.deployment and months.month = other.month
    inner join other_gpu_months as sized
        on other.deployment = sized.deployment
        and other.month = sized.month
        and other.instance_type = sized.instance_type

)

select
    scenarios.deployment,
    scenarios.month,
    scenarios.scenario,
    scenarios.description,
    scenarios.price_source,
    cast(scenarios.ratio_to_on_demand as double) as ratio_to_on_demand,
    coalesce(scenarios.region, single_fleets.region) as region,
    coalesce(scenarios.instance_type, single_fleets.instance_type) as instance_type,
    hardware.gpu_type,
    cast(scenarios.list_price_per_instance_hour as double) as list_price_per_instance_hour,
    cast(scenarios.ratio_to_list as double) as ratio_to_list,
    cast(scenarios.throughput_ratio as double) as throughput_ratio,
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
left join single_fleets on scenarios.deployment = single_fleets.deployment and scenarios.month = single_fleets.month
left join {{ ref('hardware_specs') }} as hardware
    on coalesce(scenarios.instance_type, single_fleets.instance_type) = hardware.instance_type

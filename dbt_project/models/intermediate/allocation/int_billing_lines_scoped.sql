-- Every billing line with its scope (README "How the money is allocated", step 1) and the attributes its cost pool
-- needs.
-- Credits, refunds and fees that name a resource inherit the pricing tier and instance type of that resource's
-- usage in the same period, so that they follow the usage they apply to (rule 2).
-- on_demand_cost is what a usage line would have cost at public on-demand prices: ListCost (AWS: the public
-- on-demand cost, spot included; GCP: cost_at_list), except GCP spot, whose list price is the spot price and is
-- scaled by the catalog's on-demand / spot price ratio for the same machine part and region.

with

lines as (

    select * from {{ ref('int_billing_line_items_unioned') }}

),

resource_usage as (

    select
        resource_id,
        billing_period,
        max(pricing_tier) as usage_pricing_tier,
        max(instance_type) as usage_instance_type,
        max(region_id) as usage_region_id
    from lines
    where charge_category = 'Usage' and resource_id is not null
    group by resource_id, billing_period

),

sku_prices as (

    select * from {{ ref('stg_gcp__list_prices') }}

),

-- Catalogs that price spot as its own SKU ("Spot Preemptible <the on-demand SKU's description>"): the on-demand
-- price over the spot price, by provider, SKU description and region.
spot_ratios as (

    select
        spot.provider,
        spot.description as spot_description,
        spot.region,
        on_demand.unit_price / spot.unit_price as on_demand_ratio
    from sku_prices as spot
    inner join sku_prices as on_demand
        on spot.provider = on_demand.provider
        and replace(spot.description, 'Spot Preemptible ', '') = on_demand.description
        and spot.region = on_demand.region
        and on_demand.usage_type = 'OnDemand'
    where spot.usage_type = 'Preemptible' and spot.unit_price > 0

),

scoped as (

    select
        lines.line_item_key,
        lines.provider,
        lines.billing_account_id,
        lines.billing_period,
        lines.charge_category,
        lines.resource_id,
        lines.deployment,
        lines.cluster,
        lines.shared_cluster,
        case
            when lines.charge_category = 'Tax' then 'tax'
            when lines.deployment is not null then 'deployment'
            when lines.shared_cluster is not null then 'shared'
            else 'out_of_scope'
        end as scope,
        coalesce(lines.region_id, resource_usage.usage_region_id, 'global') as region,
        coalesce(lines.pricing_tier, resource_usage.usage_pricing_tier, 'other') as pricing_tier,
        coalesce(lines.instance_type, resource_usage.usage_instance_type) as instance_type,
        case when lines.consumed_unit = 'Hours' then lines.consumed_quantity end as consumed_hours,
        lines.billed_cost,
        lines.effective_cost,
        case
            when lines.charge_category <> 'Usage' then 0.0
            else coalesce(lines.list_cost, 0.0) * coalesce(spot_ratios.on_demand_ratio, 1.0)
        end as on_demand_cost,
        lines.charge_period_start,
        lines.charge_period_end,
        greatest(
            1,
            {{ dbt.datediff(dbt.date_trunc('hour', 'lines.charge_period_start'), 'lines.charge_period_end', 'hour') }}
        ) as charge_hours
    from lines
    left join resource_usage
        on lines.resource_id = resource_usage.resource_id
        and lines.billing_period = resource_usage.billing_period
    left join spot_ratios
        on lines.provider = spot_ratios.provider
        and lines.pricing_tier = 'spot'
        and lines.charge_description = spot_ratios.spot_description
        and lines.region_id = spot_ratios.region

)

select * from scoped

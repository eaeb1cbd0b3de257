-- Every billing line with its scope (DESIGN.md "Allocation" rule 1) and the attributes its cost pool needs.
-- Credits, refunds and fees that name a resource inherit the pricing tier and instance type of that resource's
-- usage in the same period, so that they follow the usage they apply to (rule 2).

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

scoped as (

    select
        lines.line_item_key,
        lines.provider,
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
        lines.charge_period_start,
        lines.charge_period_end,
        greatest(
            1, {{ dbt.datediff(dbt.date_trunc('hour', 'lines.charge_period_start'), 'lines.charge_period_end', 'hour') }}
        ) as charge_hours
    from lines
    left join resource_usage
        on lines.resource_id = resource_usage.resource_id
        and lines.billing_period = resource_usage.billing_period

)

select * from scoped

-- In-scope billing lines spread evenly over the hours their charge period covers: an hourly line stays as it
-- is, a daily storage line becomes 24 rows, a monthly credit one row per hour of the month. Cost pools are hourly.

with

in_scope as (

    select * from {{ ref('int_billing_lines_scoped') }}
    where scope in ('deployment', 'shared')

),

hourly as (

    select
        line_item_key,
        provider,
        scope,
        deployment,
        cluster,
        shared_cluster,
        region,
        pricing_tier,
        instance_type,
        resource_id,
        {{ dbt.date_trunc('hour', 'charge_period_start') }} as cost_hour,
        effective_cost,
        on_demand_cost,
        consumed_hours
    from in_scope
    where charge_hours = 1

),

numbers as (

    select n from {{ numbers(5) }} as numbers

),

multi_hour as (

    select
        in_scope.line_item_key,
        in_scope.provider,
        in_scope.scope,
        in_scope.deployment,
        in_scope.cluster,
        in_scope.shared_cluster,
        in_scope.region,
        in_scope.pricing_tier,
        in_scope.instance_type,
        in_scope.resource_id,
        {{ dbt.dateadd('hour', 'numbers.n', dbt.date_trunc('hour', 'in_scope.charge_period_start')) }} as cost_hour,
        in_scope.effective_cost / in_scope.charge_hours as effective_cost,
        in_scope.on_demand_cost / in_scope.charge_hours as on_demand_cost,
        in_scope.consumed_hours / in_scope.charge_hours as consumed_hours
    from in_scope
    inner join numbers on in_scope.charge_hours > numbers.n
    where in_scope.charge_hours > 1

)

select * from hourly
union all
select * from multi_hour

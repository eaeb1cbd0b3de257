{{ config(meta={"dagster": {"ref": {"name": "int_billing_lines_spread_hourly"}}}) }}

-- Spreading a line over the hours it covers keeps its cost: in-scope EffectiveCost before and after spreading.

with

lines as (
    select sum(effective_cost) as cost from {{ ref('int_billing_lines_scoped') }}
    where scope in ('deployment', 'shared')
),

spread as (
    select sum(effective_cost) as cost from {{ ref('int_billing_lines_spread_hourly') }}
)

select lines.cost as line_cost, spread.cost as spread_cost
from lines cross join spread
where abs(coalesce(lines.cost, 0) - coalesce(spread.cost, 0)) > 1e-9 * greatest(abs(coalesce(lines.cost, 0)), 1)

-- One row per team charged anything: teams in the token logs, owners charged for idle capacity, the central
-- team of the idle policy, and the team that carries unallocated cost.

with

teams as (

    select team from {{ ref('int_token_usage_hourly') }}
    union
    select team from {{ ref('int_pool_costs_allocated') }}

)

select team, team = '{{ var("cpt_unallocated_team") }}' as is_unallocated
from teams

union all

select '{{ var("cpt_unallocated_team") }}' as team, true as is_unallocated
where not exists (
    select 1 from teams
    where team = '{{ var("cpt_unallocated_team") }}'
)

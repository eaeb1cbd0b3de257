-- One row per team that appears in the token logs, plus the team that carries unallocated cost.

select team, false as is_unallocated
from {{ ref('int_inference_requests_attributed') }}
where team <> '{{ var("cpt_unallocated_team") }}'
group by team

union all

select '{{ var("cpt_unallocated_team") }}' as team, true as is_unallocated

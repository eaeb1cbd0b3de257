-- The allocation policies and weights this build ran with (dbt vars, set per run from Dagster's run config or
-- `cpt run`'s options; ALLOCATION.md explains each): what a month's chargeback was computed under.

select 'cpt_allocation_key' as setting, '{{ var("cpt_allocation_key") }}' as setting_value,
    'What splits a pool-hour''s cost over its users.' as meaning
union all
select 'cpt_input_token_weight', '{{ var("cpt_input_token_weight") }}',
    'Weight of an uncached input token, relative to one output token (weighted_tokens key).'
union all
select 'cpt_cached_input_token_weight', '{{ var("cpt_cached_input_token_weight") }}',
    'Weight of a cached input token, relative to one output token.'
union all
select 'cpt_idle_policy', '{{ var("cpt_idle_policy") }}', 'Who pays for pool-hours without usage.'
union all
select 'cpt_central_team', '{{ var("cpt_central_team") }}', 'The team that pays idle capacity under the central policy.'
union all
select 'cpt_shared_policy', '{{ var("cpt_shared_policy") }}', 'How shared cluster overhead is spread over GPU pools.'
union all
select 'cpt_unallocated_team', '{{ var("cpt_unallocated_team") }}',
    'The team that carries cost nobody can be charged for.'
union all
select 'cpt_reporting_currency', '{{ var("cpt_reporting_currency") }}', 'The currency every amount is reported in.'

-- Savings opportunities: for each deployment and month, every what-if scenario (fct_cost_scenarios) that would
-- have cost less than what was charged, ranked by the saving within the month across the fleet. Grain: month ×
-- deployment × scenario with a positive saving.

select
    month,
    cast(row_number() over (partition by month order by saving_vs_actual desc, deployment asc, scenario asc) as integer)
        as rank_in_month,
    deployment,
    scenario,
    case scenario
        when 'autoscaled' then 'scale in: run only the GPUs the traffic needs'
        when 'spot' then 'move interruption-tolerant traffic to spot capacity'
        when 'savings_plan' then 'cover steady use with a savings plan'
        when 'reserved' then 'cover steady use with reserved instances'
        when 'committed_use' then 'cover steady use with a committed-use discount'
        else scenario
    end as recommendation,
    description,
    price_source,
    saving_vs_actual,
    saving_share,
    cost as scenario_cost,
    cpt_micro_usd_per_output_token as scenario_cpt_micro_usd
from {{ ref('fct_cost_scenarios') }}
where scenario <> 'as_billed' and saving_vs_actual > 0

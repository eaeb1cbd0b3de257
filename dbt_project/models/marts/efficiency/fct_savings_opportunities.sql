-- Savings opportunities: for each deployment and month, every what-if scenario (fct_cost_scenarios) that would
-- have cost less than what was charged, ranked by the saving within the month across the fleet. Grain: month ×
-- deployment × scenario saving at least a cent, to the cent. A smaller "saving" is a scenario priced as billed, its
-- cost a double's last bits away from the bill's: not an opportunity. Savings equal to the cent rank by deployment
-- and scenario, so the ranks do not hang on those last bits either.

select
    month,
    cast(
        row_number() over (
            partition by month order by {{ to_the_cent("saving_vs_actual") }} desc, deployment asc, scenario asc
        )
        as integer
    ) as rank_in_month,
    deployment,
    scenario,
    case
        when scenario = 'autoscaled' then 'scale in: run only the GPUs the traffic needs'
        when scenario = 'spot' then 'move interruption-tolerant traffic to spot capacity'
        when scenario = 'savings_plan' then 'cover steady use with a savings plan'
        when scenario = 'reserved' then 'cover steady use with reserved instances'
        when scenario = 'committed_use' then 'cover steady use with a committed-use discount'
        when scenario like 'other_region:%' then concat('run it in ', region, ', where its instances list cheaper')
        when scenario like 'other_gpu:%' then concat('serve it on ', gpu_type, ' (', instance_type, ')')
        else scenario
    end as recommendation,
    description,
    price_source,
    saving_vs_actual,
    saving_share,
    cost as scenario_cost,
    cpt_micro_usd_per_output_token as scenario_cpt_micro_usd
from {{ ref('fct_cost_scenarios') }}
where scenario <> 'as_billed' and {{ to_the_cent("saving_vs_actual") }} >= 0.01

-- Cost-Per-Token by month × model × team × pricing tier: the grain of `cpt show` and of a monthly CPT report.
-- Sums of fct_cpt_daily; the ratios are computed from the month's sums (macros/cpt_metrics.sql), never from the
-- daily ratios.

with

monthly as (

    select
        cast({{ dbt.date_trunc('month', 'usage_date') }} as date) as month,
        model,
        team,
        pricing_tier,
        cast(sum(requests) as bigint) as requests,
        cast(sum(input_tokens) as bigint) as input_tokens,
        cast(sum(cached_input_tokens) as bigint) as cached_input_tokens,
        cast(sum(output_tokens) as bigint) as output_tokens,
        sum(weighted_tokens) as weighted_tokens,
        sum(weighted_input_tokens) as weighted_input_tokens,
        sum(allocated_cost) as allocated_cost,
        sum(idle_cost) as idle_cost,
        sum(shared_cost) as shared_cost,
        sum(unallocated_cost) as unallocated_cost,
        sum(total_cost) as total_cost,
        sum(priced_cost) as priced_cost
    from {{ ref('fct_cpt_daily') }}
    group by cast({{ dbt.date_trunc('month', 'usage_date') }} as date), model, team, pricing_tier

)

select
    monthly.*,
    {{ cpt_ratios("priced_cost", "output_tokens", "input_tokens", "weighted_tokens", "weighted_input_tokens") }}
from monthly

-- Cost-Per-Token facts: one row per day × deployment × model × team × region × pricing tier × hardware.
-- Money is exact DECIMAL (macros/published_types.sql). Requests and tokens are whole: a deployment-hour's tokens
-- are split over its cost pools by GPU capacity, and the split is rounded per day × deployment × model × team by
-- largest remainder, so every row is whole and the rows sum exactly to the logs.
-- CPT = all-in priced cost ÷ output tokens. The input/output split shares a row's priced cost by the allocation
-- key (input weight zero under the output_tokens key): cost per 1M input tokens × input tokens + cost per 1M
-- output tokens × output tokens = priced cost. Ratios are kept with their numerators and denominators, so that
-- any grain recomputes them from sums instead of summing ratios.

with

allocation as (

    select * from {{ ref('int_pool_costs_allocated') }}

),

daily as (

    select
        cast(cost_hour as date) as usage_date,
        deployment,
        model,
        team,
        region,
        pricing_tier,
        hardware,
        {{ exact_sum("requests") }} as requests,
        {{ exact_sum("input_tokens") }} as input_tokens,
        {{ exact_sum("cached_input_tokens") }} as cached_input_tokens,
        {{ exact_sum("output_tokens") }} as output_tokens,
        {{ exact_sum("gpu_hours") }} as gpu_hours,
        {{ exact_sum("case when allocation_basis = 'usage' then gpu_hours else 0 end") }} as busy_gpu_hours,
        {{ money_sum("allocated_cost") }} as allocated_cost,
        {{ money_sum("idle_cost") }} as idle_cost,
        {{ money_sum("shared_cost") }} as shared_cost,
        {{ money_sum("unallocated_cost") }} as unallocated_cost
    from allocation
    group by cast(cost_hour as date), deployment, model, team, region, pricing_tier, hardware

),

{%- set request_grain = "usage_date, deployment, model, team" %}
{#- Equal remainders (a request split evenly over two pools) are broken by a hash of the day and the pool, not by
    the pool's name, so that the odd units do not fall on the same pool every day. -#}
{%- set pool_order = positive_hash("concat_ws('|', cast(usage_date as string), region, pricing_tier, hardware)")
    ~ ", region, pricing_tier, hardware" %}

whole_counts as (

    select
        *,
        {{ largest_remainder("requests", request_grain, pool_order) }} as whole_requests,
        {{ largest_remainder("input_tokens", request_grain, pool_order) }} as whole_input_tokens,
        {{ largest_remainder("cached_input_tokens", request_grain, pool_order) }} as whole_cached_input_tokens,
        {{ largest_remainder("output_tokens", request_grain, pool_order) }} as whole_output_tokens
    from daily

),

costed as (

    select
        whole_counts.*,
        {{ money("allocated_cost + idle_cost + shared_cost + unallocated_cost") }} as total_cost,
        -- Tokens no cost pool priced (no bill for their deployment-hour) have no cost per token: null, not zero.
        case when pricing_tier <> 'unpriced'
            then {{ money("allocated_cost + idle_cost + shared_cost + unallocated_cost") }}
        end as priced_cost,
        output_tokens
            + {{ input_token_weight() }} * (input_tokens - cached_input_tokens)
            + {{ cached_input_token_weight() }} * cached_input_tokens as weighted_tokens,
        {{ input_token_weight() }} * (input_tokens - cached_input_tokens)
            + {{ cached_input_token_weight() }} * cached_input_tokens as weighted_input_tokens
    from whole_counts

),

latency as (

    select usage_date, deployment, model, team, p50_latency_ms, p99_latency_ms, p50_ttft_ms, p99_ttft_ms
    from {{ ref('int_request_latency_daily') }}

),

configs as (

    select config_id, deployment, valid_from, valid_to from {{ ref('dim_deployment_configs') }}

)

select
    costed.usage_date,
    costed.deployment,
    costed.model,
    costed.team,
    costed.region,
    costed.pricing_tier,
    costed.hardware,
    costed.whole_requests as requests,
    costed.whole_input_tokens as input_tokens,
    costed.whole_cached_input_tokens as cached_input_tokens,
    costed.whole_output_tokens as output_tokens,
    {{ quantity("costed.weighted_tokens") }} as weighted_tokens,
    {{ quantity("costed.weighted_input_tokens") }} as weighted_input_tokens,
    {{ quantity("costed.gpu_hours") }} as gpu_hours,
    {{ quantity("costed.busy_gpu_hours") }} as busy_gpu_hours,
    {{ quantity("costed.busy_gpu_hours / nullif(costed.gpu_hours, 0)") }} as busy_hour_share,
    costed.allocated_cost,
    costed.idle_cost,
    costed.shared_cost,
    costed.unallocated_cost,
    costed.total_cost,
    costed.priced_cost,
    {{ cpt_ratios("costed.priced_cost", "costed.whole_output_tokens", "costed.whole_input_tokens",
        "costed.weighted_tokens", "costed.weighted_input_tokens") }},
    latency.p50_latency_ms,
    latency.p99_latency_ms,
    latency.p50_ttft_ms,
    latency.p99_ttft_ms,
    configs.config_id
from costed
left join configs
    -- a configuration takes effect at midnight: one per deployment-day
    on costed.deployment = configs.deployment
    and cast(costed.usage_date as timestamp) >= configs.valid_from
    and (configs.valid_to is null or cast(costed.usage_date as timestamp) < configs.valid_to)
left join latency
    on costed.usage_date = latency.usage_date
    and costed.deployment = latency.deployment
    and costed.model = latency.model
    and costed.team = latency.team

-- Cost-Per-Token facts: one row per day × deployment × model × team × region × pricing tier × hardware.
-- CPT = total cost / output tokens. The input/output split divides a row's cost by the token weights
-- (zero for input under the output_tokens key), so that cost per input token × input tokens + cost per output
-- token × output tokens = total cost. Utilization = the share of the row's GPU hours that served requests.

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
        {{ exact_sum("allocated_cost") }} as allocated_cost,
        {{ exact_sum("idle_cost") }} as idle_cost,
        {{ exact_sum("shared_cost") }} as shared_cost,
        {{ exact_sum("unallocated_cost") }} as unallocated_cost
    from allocation
    group by cast(cost_hour as date), deployment, model, team, region, pricing_tier, hardware

),

latency as (

    select usage_date, deployment, model, team, p50_latency_ms, p99_latency_ms, p50_ttft_ms, p99_ttft_ms
    from {{ ref('int_request_latency_daily') }}

),

costed as (

    select
        daily.*,
        daily.allocated_cost + daily.idle_cost + daily.shared_cost + daily.unallocated_cost as total_cost,
        case when daily.pricing_tier <> 'unpriced'
            then daily.allocated_cost + daily.idle_cost + daily.shared_cost + daily.unallocated_cost
        end as priced_cost,
        daily.output_tokens
            + {{ input_token_weight() }} * (daily.input_tokens - daily.cached_input_tokens)
            + {{ cached_input_token_weight() }} * daily.cached_input_tokens as weighted_tokens,
        {{ input_token_weight() }} * (daily.input_tokens - daily.cached_input_tokens)
            + {{ cached_input_token_weight() }} * daily.cached_input_tokens as weighted_input_tokens
    from daily

)

select
    costed.usage_date,
    costed.deployment,
    costed.model,
    costed.team,
    costed.region,
    costed.pricing_tier,
    costed.hardware,
    costed.requests,
    costed.input_tokens,
    costed.cached_input_tokens,
    costed.output_tokens,
    costed.weighted_tokens,
    costed.weighted_input_tokens,
    costed.gpu_hours,
    costed.busy_gpu_hours / nullif(costed.gpu_hours, 0) as utilization,
    costed.allocated_cost,
    costed.idle_cost,
    costed.shared_cost,
    costed.unallocated_cost,
    costed.total_cost,
    -- Tokens no cost pool priced (no bill for their deployment-hour) have no cost per token: null, not zero.
    1e6 * costed.priced_cost / nullif(costed.output_tokens, 0) as cpt_micro_usd_per_output_token,
    1e6 * costed.priced_cost * costed.weighted_input_tokens / nullif(costed.weighted_tokens, 0)
        / nullif(costed.input_tokens, 0) as usd_per_1m_input_tokens,
    1e6 * costed.priced_cost * costed.output_tokens / nullif(costed.weighted_tokens, 0)
        / nullif(costed.output_tokens, 0) as usd_per_1m_output_tokens,
    1e6 * costed.priced_cost / nullif(costed.input_tokens + costed.output_tokens, 0) as usd_per_1m_total_tokens,
    latency.p50_latency_ms,
    latency.p99_latency_ms,
    latency.p50_ttft_ms,
    latency.p99_ttft_ms
from costed
left join latency
    on costed.usage_date = latency.usage_date
    and costed.deployment = latency.deployment
    and costed.model = latency.model
    and costed.team = latency.team

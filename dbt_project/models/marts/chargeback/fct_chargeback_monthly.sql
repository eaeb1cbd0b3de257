-- The monthly chargeback: one row per month × provider × team × model × deployment × pricing tier × region ×
-- hardware, with its tokens, its cost exact (DECIMAL(38, 12)) and in cents (the *_usd columns, rounded by largest
-- remainder: the lines of a month and provider sum exactly to the invoice with the items of
-- fct_chargeback_reconciliation, and each line's parts to its total). A closed month's rows are the ones frozen at
-- its close, never recomputed: what changed since is in fct_chargeback_adjustments.

with

closed_months as (

    select month from {{ ref('stg_closed__months') }}

),

cents as (

    select * from {{ ref('int_chargeback_cents') }}
    where item = 'chargeback'

),

computed as (

    select
        lines.month,
        lines.provider,
        lines.team,
        lines.model,
        lines.deployment,
        lines.pricing_tier,
        lines.region,
        lines.hardware,
        lines.requests,
        lines.input_tokens,
        lines.cached_input_tokens,
        lines.output_tokens,
        lines.weighted_tokens,
        lines.weighted_input_tokens,
        lines.gpu_hours,
        lines.allocated_cost,
        lines.idle_cost,
        lines.shared_cost,
        lines.unallocated_cost,
        lines.total_cost,
        {{ from_cents("cents.allocated_cents") }} as allocated_usd,
        {{ from_cents("cents.idle_cents") }} as idle_usd,
        {{ from_cents("cents.shared_cents") }} as shared_usd,
        {{ from_cents("cents.unallocated_cents") }} as unallocated_usd,
        {{ from_cents("cents.amount_cents") }} as total_usd,
        {{ cpt_ratios("lines.total_cost", "lines.output_tokens", "lines.input_tokens",
            "lines.weighted_tokens", "lines.weighted_input_tokens") }}
    from {{ ref('int_chargeback_lines') }} as lines
    inner join cents
        on lines.month = cents.month
        and lines.provider = cents.provider
        and lines.team = cents.team
        and lines.model = cents.model
        and lines.deployment = cents.deployment
        and lines.pricing_tier = cents.pricing_tier
        and lines.region = cents.region
        and lines.hardware = cents.hardware
    where lines.month not in (select closed_months.month from closed_months)

),

frozen as (

    select
        month, provider, team, model, deployment, pricing_tier, region, hardware,
        requests, input_tokens, cached_input_tokens, output_tokens, weighted_tokens, weighted_input_tokens, gpu_hours,
        allocated_cost, idle_cost, shared_cost, unallocated_cost, total_cost,
        allocated_usd, idle_usd, shared_usd, unallocated_usd, total_usd,
        cpt_micro_usd_per_output_token, input_usd_per_1m_input_tokens, output_usd_per_1m_output_tokens
    from {{ ref('stg_closed__chargeback') }}

)

select computed.*, false as is_closed from computed
union all
select frozen.*, true as is_closed from frozen

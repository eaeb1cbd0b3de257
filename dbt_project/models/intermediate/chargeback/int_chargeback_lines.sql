-- The month's chargeback lines, exact. Grain: one row per month × provider × team × model × deployment × pricing
-- tier × region × hardware. The sums of the published daily facts (fct_cpt_daily: whole tokens, exact money), so
-- a month's lines carry the tokens and the cost of its CPT facts, and their cost is the in-scope usage cost of
-- fct_reconciliation_monthly. Tokens without a cost pool (pricing tier "unpriced") carry no money and are left
-- out. A line's provider is the provider of its deployment's (or its shared cluster's) billing lines.

with

cluster_providers as (

    select
        concat('shared:', shared_cluster) as deployment,
        max(provider) as provider
    from {{ ref('int_billing_lines_scoped') }}
    where scope = 'shared'
    group by shared_cluster

),

daily as (

    select
        cast({{ dbt.date_trunc('month', 'facts.usage_date') }} as date) as month,
        coalesce(deployments.provider, cluster_providers.provider, 'unknown') as provider,
        facts.*
    from {{ ref('fct_cpt_daily') }} as facts
    left join {{ ref('int_deployments_resolved') }} as deployments
        on facts.deployment = deployments.deployment
    left join cluster_providers
        on facts.deployment = cluster_providers.deployment
    where facts.pricing_tier <> 'unpriced'

)

select
    month,
    provider,
    team,
    model,
    deployment,
    pricing_tier,
    region,
    hardware,
    cast(sum(requests) as bigint) as requests,
    cast(sum(input_tokens) as bigint) as input_tokens,
    cast(sum(cached_input_tokens) as bigint) as cached_input_tokens,
    cast(sum(output_tokens) as bigint) as output_tokens,
    {{ quantity("sum(weighted_tokens)") }} as weighted_tokens,
    {{ quantity("sum(weighted_input_tokens)") }} as weighted_input_tokens,
    {{ quantity("sum(gpu_hours)") }} as gpu_hours,
    {{ quantity("sum(busy_gpu_hours)") }} as busy_gpu_hours,
    {{ money_sum("allocated_cost") }} as allocated_cost,
    {{ money_sum("idle_cost") }} as idle_cost,
    {{ money_sum("shared_cost") }} as shared_cost,
    {{ money_sum("unallocated_cost") }} as unallocated_cost,
    {{ money_sum("total_cost") }} as total_cost
from daily
group by month, provider, team, model, deployment, pricing_tier, region, hardware

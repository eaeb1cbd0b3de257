{{ config(meta={"dagster": {"ref": {"name": "fct_cpt_daily"}}}) }}

-- Every token of every request (and every counted token of a deployment without request logs) lands in the
-- CPT facts exactly once (per month).

with

logged as (
    select
        {{ dbt.date_trunc('month', 'usage_hour') }} as usage_month,
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens,
        sum(requests) as requests
    from {{ ref('int_token_usage_aggregated') }}
    group by {{ dbt.date_trunc('month', 'usage_hour') }}
),

facts as (
    select
        {{ dbt.date_trunc('month', 'usage_date') }} as usage_month,
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens,
        sum(requests) as requests
    from {{ ref('fct_cpt_daily') }}
    group by {{ dbt.date_trunc('month', 'usage_date') }}
)

select logged.*, facts.input_tokens as fact_input_tokens, facts.output_tokens as fact_output_tokens
from logged
left join facts on logged.usage_month = facts.usage_month
where abs(logged.input_tokens - coalesce(facts.input_tokens, 0)) > 1e-6 * greatest(logged.input_tokens, 1)
    or abs(logged.output_tokens - coalesce(facts.output_tokens, 0)) > 1e-6 * greatest(logged.output_tokens, 1)
    or abs(logged.requests - coalesce(facts.requests, 0)) > 1e-6 * greatest(logged.requests, 1)

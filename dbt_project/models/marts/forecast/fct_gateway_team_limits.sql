-- What the gateway should enforce for each team with a budget, for the month that is still open (the month of the
-- day after the last day with data): the bodies of LiteLLM's POST /team/update (`cpt` writes them to
-- warehouse/gateway/litellm_team_update.jsonl after each publish).
-- max_budget: the team's monthly budget (USD), reset every month (budget_duration 1mo).
-- tpm_limit: the tokens (input + output) the budget still buys at the forecast CPT, spread evenly over the
-- minutes left in the month, times the team's peak-to-mean ratio of hourly tokens over the last 28 days, so that
-- its usual busiest hour still passes while a sustained rate cannot outrun the budget by more than that ratio.
-- team_id: the LiteLLM team id seeds/team_mappings.csv maps to the team, else the team's name.

with

open_month as (

    select
        status.*,
        projection.days_forecast
    from {{ ref('fct_budget_status') }} as status
    inner join {{ ref('fct_month_end_projection') }} as projection
        on
            status.month = projection.month
            and projection.series_level = 'team'
            and status.team = projection.series_key
    where
        status.model = '*'
        and status.month = {{ dbt.date_trunc('month', dbt.dateadd('day', '1', 'status.as_of_date')) }}

),

as_of as (

    select max(as_of_date) as as_of_date from open_month

),

hourly as (

    select
        usage.team,
        usage.usage_hour,
        {{ exact_sum('usage.input_tokens + usage.output_tokens') }} as tokens
    from {{ ref('int_token_usage_hourly') }} as usage
    inner join as_of
        on usage.usage_date > {{ dbt.dateadd('day', '-28', 'as_of.as_of_date') }}
    group by usage.team, usage.usage_hour

),

peaks as (

    select
        team,
        max(tokens) / ({{ exact_sum('tokens') }} / (28.0 * 24)) as peak_to_mean
    from hourly
    group by team
    having sum(tokens) > 0

),

gateway_ids as (

    select
        team,
        min(match_value) as team_id
    from {{ ref('team_mappings') }}
    where match_field = 'team_id'
    group by team

)

select
    open_month.month,
    open_month.team,
    coalesce(gateway_ids.team_id, open_month.team) as team_id,
    open_month.budget_usd as max_budget,
    '1mo' as budget_duration,
    open_month.budget_left,
    open_month.input_tokens_left_at_forecast_cpt + open_month.output_tokens_left_at_forecast_cpt as tokens_left,
    open_month.days_forecast * 1440 as minutes_left,
    {{ quantity('coalesce(peaks.peak_to_mean, 1)') }} as peak_to_mean,
    cast(ceil(
        (open_month.input_tokens_left_at_forecast_cpt + open_month.output_tokens_left_at_forecast_cpt)
        / nullif(open_month.days_forecast * 1440.0, 0) * coalesce(peaks.peak_to_mean, 1)
    ) as bigint) as tpm_limit,
    open_month.as_of_date
from open_month
left join peaks on open_month.team = peaks.team
left join gateway_ids on open_month.team = gateway_ids.team

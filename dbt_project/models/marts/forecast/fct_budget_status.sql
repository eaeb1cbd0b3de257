-- Budgets (seeds/budgets.csv) against what was spent and what is projected, for the as-of month and every later
-- month the forecast covers; the budget turned into the tokens it still buys.
-- Probability of exceeding: the month-end total taken as normal around the projection with the standard deviation
-- its 95 % upper bound implies ((hi_95 − projection) ÷ 1.96); 1 once actual spend is over, 0 or 1 when nothing is
-- left to forecast. Tokens left: the budget left ÷ a cost per token, at the current CPT (the last 28 days to the
-- as-of day) and at the forecast one (the month's forecast cost ÷ its forecast tokens). A cost per token is all-in
-- (cost ÷ output tokens, cost ÷ input tokens), so the budget left buys the output tokens left together with the
-- input tokens left, at the team's mix of the two.

with

projection as (

    select * from {{ ref('fct_month_end_projection') }}

),

budget_lines as (

    select
        team,
        model,
        month as budget_month,
        budget_usd
    from {{ ref('budgets') }}

),

projection_months as (

    select distinct month from projection

),

as_of as (

    select max(as_of_date) as as_of_date from projection

),

budgets as (

    -- a budget for a named month wins over the every-month ('*') one of the same team and model
    select
        months.month,
        budget_lines.team,
        budget_lines.model,
        {{ money('budget_lines.budget_usd') }} as budget_usd,
        row_number() over (
            partition by months.month, budget_lines.team, budget_lines.model
            order by case when budget_lines.budget_month = '*' then 1 else 0 end
        ) as precedence
    from budget_lines
    inner join projection_months as months
        on
            budget_lines.budget_month = '*'
            or budget_lines.budget_month = substr(cast(months.month as string), 1, 7)

),

recent as (

    -- the last 28 days to the as-of day: the current cost per token
    select
        daily.series_level,
        daily.series_key,
        {{ exact_sum('daily.cost') }} as cost,
        {{ exact_sum('daily.input_tokens') }} as input_tokens,
        {{ exact_sum('daily.output_tokens') }} as output_tokens
    from {{ ref('int_forecast_series_daily') }} as daily
    inner join as_of
        on daily.usage_date > {{ dbt.dateadd('day', '-28', 'as_of.as_of_date') }}
    where daily.series_level in ('team', 'team_model')
    group by daily.series_level, daily.series_key

),

forecast_month as (

    select
        series_level,
        series_key,
        {{ dbt.date_trunc('month', 'forecast_date') }} as month,
        {{ exact_sum("case when measure = 'cost' then yhat end") }} as cost,
        {{ exact_sum("case when measure = 'input_tokens' then yhat end") }} as input_tokens,
        {{ exact_sum("case when measure = 'output_tokens' then yhat end") }} as output_tokens
    from {{ ref('stg_forecast__series_forecasts') }}
    where series_level in ('team', 'team_model')
    group by series_level, series_key, {{ dbt.date_trunc('month', 'forecast_date') }}

),

status as (

    select
        projection.month,
        budgets.team,
        budgets.model,
        projection.as_of_date,
        projection.month_complete,
        projection.days_forecast,
        budgets.budget_usd,
        projection.actual_cost,
        projection.projected_cost,
        projection.projected_lo_80,
        projection.projected_hi_80,
        projection.projected_lo_95,
        projection.projected_hi_95,
        cast(projection.projected_hi_95 - projection.projected_cost as double) / 1.959963984540054 as projected_sd,
        greatest(budgets.budget_usd - projection.actual_cost, 0) as budget_left,
        1e6 * recent.cost / nullif(recent.output_tokens, 0) as current_cpt,
        1e6 * forecast_month.cost / nullif(forecast_month.output_tokens, 0) as forecast_cpt,
        -- tokens a dollar buys (not dollars a token costs: budget × tokens ÷ cost keeps round quotas round)
        recent.output_tokens / nullif(recent.cost, 0) as current_output_tokens_per_usd,
        recent.input_tokens / nullif(recent.cost, 0) as current_input_tokens_per_usd,
        forecast_month.output_tokens / nullif(forecast_month.cost, 0) as forecast_output_tokens_per_usd,
        forecast_month.input_tokens / nullif(forecast_month.cost, 0) as forecast_input_tokens_per_usd
    from budgets
    inner join projection
        on
            budgets.month = projection.month
            and projection.series_level = case when budgets.model = '*' then 'team' else 'team_model' end
            and projection.series_key
            = case when budgets.model = '*' then budgets.team else budgets.team || '|' || budgets.model end
    left join recent
        on
            projection.series_level = recent.series_level
            and projection.series_key = recent.series_key
    left join forecast_month
        on
            projection.series_level = forecast_month.series_level
            and projection.series_key = forecast_month.series_key
            and projection.month = forecast_month.month
    where budgets.precedence = 1

)

select
    cast(month as date) as month,
    team,
    model,
    as_of_date,
    month_complete,
    budget_usd,
    actual_cost as spent_to_date,
    projected_cost,
    projected_lo_80,
    projected_hi_80,
    projected_lo_95,
    projected_hi_95,
    {{ quantity(
        "case
            when actual_cost > budget_usd then 1
            when projected_sd <= 0 or days_forecast = 0 then case when projected_cost > budget_usd then 1 else 0 end
            else " ~ normal_cdf("cast(projected_cost - budget_usd as double) / projected_sd") ~ "
        end"
    ) }} as probability_over_budget,
    case
        when actual_cost > budget_usd then 'over_budget'
        when projected_cost > budget_usd then 'projected_over'
        when projected_hi_95 > budget_usd then 'at_risk'
        else 'within'
    end as status,
    budget_left,
    {{ money('current_cpt') }} as current_cpt_micro_usd_per_output_token,
    {{ money('forecast_cpt') }} as forecast_cpt_micro_usd_per_output_token,
    {% for unit in ["output", "input"] %}{% for basis in ["current", "forecast"] %}
    cast(floor(cast(budget_left as double) * {{ basis }}_{{ unit }}_tokens_per_usd) as bigint)
        as {{ unit }}_tokens_left_at_{{ basis }}_cpt{{ "," if not loop.last or unit == "output" }}
    {% endfor %}{% endfor %}
from status

-- The daily history every forecast learns from: cost, input and output tokens per day for the total, each team,
-- each team × model (budgets may be per model), each model and each deployment — one row per series and day of
-- the whole history (a day without rows is a zero, not a gap; a series that started later has zeros before, which
-- the forecast step drops and notes). Cost as double: forecasts are estimates, the exact money stays in the facts.

with

daily as (

    select
        usage_date,
        team,
        model,
        deployment,
        total_cost,
        input_tokens,
        output_tokens
    from {{ ref('fct_cpt_daily') }}

),

by_series as (

    {#- level, its key, its team and model columns, what it groups by -#}
    {% for level, key, team, model, grouping in [
        ("total", "'total'", "null", "null", []),
        ("team", "team", "team", "null", ["team"]),
        ("team_model", "team || '|' || model", "team", "model", ["team", "model"]),
        ("model", "model", "null", "model", ["model"]),
        ("deployment", "deployment", "null", "null", ["deployment"]),
    ] %}
    select
        '{{ level }}' as series_level,
        {{ key }} as series_key,
        cast({{ team }} as string) as team,
        cast({{ model }} as string) as model,
        usage_date,
        {{ exact_sum("total_cost") }} as cost,
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens
    from daily
    group by {% for column in grouping %}{{ column }}, {% endfor %}usage_date
    {{ "union all" if not loop.last }}
    {% endfor %}

),

series as (

    select
        series_level,
        series_key,
        max(team) as team,
        max(model) as model
    from by_series
    group by series_level, series_key

),

days as (

    select
        min(usage_date) as first_day,
        max(usage_date) as as_of_date
    from daily

),

calendar as (

    select
        series.series_level,
        series.series_key,
        series.team,
        series.model,
        cast({{ dbt.dateadd('day', 'numbers.n', 'days.first_day') }} as date) as usage_date
    from series
    cross join days
    inner join {{ numbers(5) }} as numbers
        on numbers.n <= {{ dbt.datediff('days.first_day', 'days.as_of_date', 'day') }}

)

select
    calendar.series_level,
    calendar.series_key,
    calendar.team,
    calendar.model,
    calendar.usage_date,
    coalesce(by_series.cost, 0) as cost,
    cast(coalesce(by_series.input_tokens, 0) as double) as input_tokens,
    cast(coalesce(by_series.output_tokens, 0) as double) as output_tokens
from calendar
left join by_series
    on
        calendar.series_level = by_series.series_level
        and calendar.series_key = by_series.series_key
        and calendar.usage_date = by_series.usage_date

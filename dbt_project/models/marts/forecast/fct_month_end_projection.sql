-- Month-end projection of the bill, per team, team × model and in total: the actual cost to date + the forecast
-- for the rest of the month, for the month of the last day with data and every later month the 90-day forecast
-- covers whole. The interval of the rest is the sum of the daily bounds: exact if the days' errors move together,
-- wider than needed if they are independent — a forecast's errors on neighbouring days are strongly correlated,
-- so the sum is the honest side to err on.

with

series as (

    select distinct
        series_level,
        series_key,
        team,
        model
    from {{ ref('int_forecast_series_daily') }}
    where series_level in ('total', 'team', 'team_model')

),

forecasts as (

    select
        series_level,
        series_key,
        forecast_date,
        as_of_date,
        {{ dbt.date_trunc('month', 'forecast_date') }} as month,
        yhat,
        lo_80,
        hi_80,
        lo_95,
        hi_95
    from {{ ref('stg_forecast__series_forecasts') }}
    where measure = 'cost' and series_level in ('total', 'team', 'team_model')

),

as_of as (

    select
        max(as_of_date) as as_of_date,
        {{ dbt.date_trunc('month', 'max(as_of_date)') }} as as_of_month,
        cast(extract(day from max(as_of_date)) as integer) as days_to_as_of
    from forecasts

),

last_forecast as (

    select max(forecast_date) as last_forecast_date from forecasts

),

months as (

    -- the as-of month and every month the forecast covers to its last day
    select distinct forecasts.month
    from forecasts
    cross join last_forecast
    where
        {{ dbt.dateadd('day', '-1', dbt.dateadd('month', '1', 'forecasts.month')) }}
        <= last_forecast.last_forecast_date
    union
    -- no forecast yet: no month
    select as_of_month from as_of
    where as_of_month is not null

),

current_days as (

    select
        daily.usage_date,
        daily.team,
        daily.model,
        daily.total_cost,
        {{ dbt.date_trunc('month', 'daily.usage_date') }} as month
    from {{ ref('fct_cpt_daily') }} as daily
    cross join as_of
    where daily.usage_date >= as_of.as_of_month

),

actual as (

    -- exact money from the facts (the series' double sums are for the models)
    {% for level, key, grouping in [
        ("total", "'total'", []),
        ("team", "team", ["team"]),
        ("team_model", "team || '|' || model", ["team", "model"]),
    ] %}
    select
        '{{ level }}' as series_level,
        {{ key }} as series_key,
        month,
        {{ money_sum('total_cost') }} as actual_cost
    from current_days
    group by {% for column in grouping %}{{ column }}, {% endfor %}month
    {{ "union all" if not loop.last }}
    {% endfor %}

),

forecast_rest as (

    select
        series_level,
        series_key,
        month,
        {{ exact_sum('yhat') }} as forecast_cost,
        {{ exact_sum('lo_80') }} as forecast_lo_80,
        {{ exact_sum('hi_80') }} as forecast_hi_80,
        {{ exact_sum('lo_95') }} as forecast_lo_95,
        {{ exact_sum('hi_95') }} as forecast_hi_95,
        count(*) as days_forecast
    from forecasts
    group by series_level, series_key, month

)

select
    cast(months.month as date) as month,
    series.series_level,
    series.series_key,
    series.team,
    series.model,
    as_of.as_of_date,
    case
        when months.month = as_of.as_of_month
            then as_of.days_to_as_of
        else 0
    end as days_actual,
    coalesce(forecast_rest.days_forecast, 0) as days_forecast,
    coalesce(forecast_rest.days_forecast, 0) = 0 as month_complete,
    {{ money('coalesce(actual.actual_cost, 0)') }} as actual_cost,
    {{ money('coalesce(forecast_rest.forecast_cost, 0)') }} as forecast_cost,
    {#- decimal + decimal: a complete month's projection is its actual cost to the last digit #}
    {% for column, rest in [
        ("projected_cost", "forecast_cost"),
        ("projected_lo_80", "forecast_lo_80"),
        ("projected_hi_80", "forecast_hi_80"),
        ("projected_lo_95", "forecast_lo_95"),
        ("projected_hi_95", "forecast_hi_95"),
    ] %}
    {{ money('coalesce(actual.actual_cost, 0)') }}
    + {{ money('coalesce(forecast_rest.' ~ rest ~ ', 0)') }} as {{ column }}
    {{- "," if not loop.last }}
    {% endfor %}
from series
cross join months
cross join as_of
left join actual
    on
        series.series_level = actual.series_level
        and series.series_key = actual.series_key
        and months.month = actual.month
left join forecast_rest
    on
        series.series_level = forecast_rest.series_level
        and series.series_key = forecast_rest.series_key
        and months.month = forecast_rest.month

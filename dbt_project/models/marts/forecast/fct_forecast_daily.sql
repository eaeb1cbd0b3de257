-- Daily forecasts for the next 90 days of cost, input and output tokens per series (the total, each team, team ×
-- model, model and deployment), with 80 % and 95 % prediction intervals, and the cost per token they imply.
-- CPT is not forecast on its own: it is the cost forecast ÷ the output-token forecast, so it always agrees with
-- them. Its bounds pair opposite ends (cost low ÷ tokens high, cost high ÷ tokens low): the ratio stays inside them
-- whenever cost and tokens stay inside theirs — a conservative range, not a calibrated interval.

with

forecasts as (

    select * from {{ ref('stg_forecast__series_forecasts') }}

),

wide as (

    select
        series_level,
        series_key,
        forecast_date,
        max(as_of_date) as as_of_date,
        {% for measure in ["cost", "input_tokens", "output_tokens"] %}
        max(case when measure = '{{ measure }}' then method end) as {{ measure }}_method,
        {% for column in ["yhat", "lo_80", "hi_80", "lo_95", "hi_95"] %}
        max(case when measure = '{{ measure }}' then {{ column }} end) as {{ measure }}_{{ column }}
        {{- "," if not loop.last }}
        {% endfor %}{{ "," if not loop.last }}
        {% endfor %}
    from forecasts
    group by series_level, series_key, forecast_date

)

select
    series_level,
    series_key,
    forecast_date,
    as_of_date,
    cost_method,
    {{ money('cost_yhat') }} as cost,
    {{ money('cost_lo_80') }} as cost_lo_80,
    {{ money('cost_hi_80') }} as cost_hi_80,
    {{ money('cost_lo_95') }} as cost_lo_95,
    {{ money('cost_hi_95') }} as cost_hi_95,
    input_tokens_method,
    {{ quantity('input_tokens_yhat') }} as input_tokens,
    {{ quantity('input_tokens_lo_80') }} as input_tokens_lo_80,
    {{ quantity('input_tokens_hi_80') }} as input_tokens_hi_80,
    {{ quantity('input_tokens_lo_95') }} as input_tokens_lo_95,
    {{ quantity('input_tokens_hi_95') }} as input_tokens_hi_95,
    output_tokens_method,
    {{ quantity('output_tokens_yhat') }} as output_tokens,
    {{ quantity('output_tokens_lo_80') }} as output_tokens_lo_80,
    {{ quantity('output_tokens_hi_80') }} as output_tokens_hi_80,
    {{ quantity('output_tokens_lo_95') }} as output_tokens_lo_95,
    {{ quantity('output_tokens_hi_95') }} as output_tokens_hi_95,
    {{ money('1e6 * cost_yhat / nullif(output_tokens_yhat, 0)') }} as cpt_micro_usd_per_output_token,
    {{ money('1e6 * cost_lo_80 / nullif(output_tokens_hi_80, 0)') }} as cpt_lo_80,
    {{ money('1e6 * cost_hi_80 / nullif(output_tokens_lo_80, 0)') }} as cpt_hi_80,
    {{ money('1e6 * cost_lo_95 / nullif(output_tokens_hi_95, 0)') }} as cpt_lo_95,
    {{ money('1e6 * cost_hi_95 / nullif(output_tokens_lo_95, 0)') }} as cpt_hi_95
from wide

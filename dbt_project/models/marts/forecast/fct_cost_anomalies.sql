-- Days whose cost, tokens or CPT per team and per deployment fell outside the 95 % interval of what the series'
-- model expected from the days before (its in-sample one-step forecast; the robust residual rule for short
-- series: the median of the week before ± 1.96 robust standard deviations). CPT is checked against the ratio of
-- the cost and output-token expectations, its bounds pairing opposite ends (as in fct_forecast_daily). The first
-- 14 days a series was learnt from are left out: a model has not learnt the weekly shape yet.
-- Likely driver: for a token measure, tokens up or down; for cost and CPT the largest of three moves beyond 10 %
-- ("unexplained" if none): tokens (output tokens against their expectation), price (cost per GPU-hour against its
-- mean over the 28 days before), idle (idle cost's share of cost against that mean, in points).

with

fitted as (

    select *
    from {{ ref('stg_forecast__series_fitted') }}
    where series_level in ('team', 'deployment')

),

series_start as (

    -- the first day the model learnt from (a series that started mid-way starts there)
    select
        series_level,
        series_key,
        min(usage_date) as first_day
    from fitted
    group by series_level, series_key

),

pairs as (

    -- cost and output tokens of the same series and day, for CPT and for the token driver
    select
        cost.series_level,
        cost.series_key,
        cost.usage_date,
        cost.method,
        cost.actual as cost_actual,
        cost.yhat as cost_expected,
        cost.lo_95 as cost_lo_95,
        cost.hi_95 as cost_hi_95,
        tokens.actual as output_tokens_actual,
        tokens.yhat as output_tokens_expected,
        tokens.lo_95 as output_tokens_lo_95,
        tokens.hi_95 as output_tokens_hi_95
    from fitted as cost
    inner join fitted as tokens
        on
            cost.series_level = tokens.series_level
            and cost.series_key = tokens.series_key
            and cost.usage_date = tokens.usage_date
            and tokens.measure = 'output_tokens'
    where cost.measure = 'cost'

),

checks as (

    select series_level, series_key, usage_date, measure, method, actual, yhat as expected, lo_95, hi_95
    from fitted
    union all
    select
        series_level,
        series_key,
        usage_date,
        'cpt' as measure,
        method,
        1e6 * cost_actual / nullif(output_tokens_actual, 0) as actual,
        1e6 * cost_expected / nullif(output_tokens_expected, 0) as expected,
        1e6 * cost_lo_95 / nullif(output_tokens_hi_95, 0) as lo_95,
        1e6 * cost_hi_95 / nullif(output_tokens_lo_95, 0) as hi_95
    from pairs

),

outside as (

    select checks.*
    from checks
    inner join series_start
        on
            checks.series_level = series_start.series_level
            and checks.series_key = series_start.series_key
    where
        checks.usage_date >= {{ dbt.dateadd('day', '14', 'series_start.first_day') }}
        and checks.actual is not null
        and checks.expected is not null
        and (checks.actual < checks.lo_95 or (checks.hi_95 is not null and checks.actual > checks.hi_95))

),

daily_drivers as (

    {% for level in ["team", "deployment"] %}
    select
        '{{ level }}' as series_level,
        {{ level }} as series_key,
        usage_date,
        cast(sum(total_cost) as double) / nullif(sum(gpu_hours), 0) as cost_per_gpu_hour,
        cast(sum(idle_cost) as double) / nullif(cast(sum(total_cost) as double), 0) as idle_share
    from {{ ref('fct_cpt_daily') }}
    group by {{ level }}, usage_date
    {{ "union all" if not loop.last }}
    {% endfor %}

),

usual as (

    select
        series_level,
        series_key,
        usage_date,
        cost_per_gpu_hour,
        idle_share,
        avg(cost_per_gpu_hour) over (
            partition by series_level, series_key order by usage_date rows between 28 preceding and 1 preceding
        ) as usual_cost_per_gpu_hour,
        avg(idle_share) over (
            partition by series_level, series_key order by usage_date rows between 28 preceding and 1 preceding
        ) as usual_idle_share
    from daily_drivers

),

moves as (

    select
        outside.*,
        pairs.output_tokens_actual / nullif(pairs.output_tokens_expected, 0) - 1 as tokens_change,
        usual.cost_per_gpu_hour / nullif(usual.usual_cost_per_gpu_hour, 0) - 1 as price_change,
        usual.idle_share - usual.usual_idle_share as idle_share_change,
        abs(coalesce(pairs.output_tokens_actual / nullif(pairs.output_tokens_expected, 0) - 1, 0)) as tokens_move,
        abs(coalesce(usual.cost_per_gpu_hour / nullif(usual.usual_cost_per_gpu_hour, 0) - 1, 0)) as price_move,
        abs(coalesce(usual.idle_share - usual.usual_idle_share, 0)) as idle_move
    from outside
    left join pairs
        on
            outside.series_level = pairs.series_level
            and outside.series_key = pairs.series_key
            and outside.usage_date = pairs.usage_date
    left join usual
        on
            outside.series_level = usual.series_level
            and outside.series_key = usual.series_key
            and outside.usage_date = usual.usage_date

)

select
    usage_date,
    series_level,
    series_key,
    measure,
    method,
    {{ quantity('actual') }} as actual,
    {{ quantity('expected') }} as expected,
    {{ quantity('lo_95') }} as expected_lo_95,
    {{ quantity('hi_95') }} as expected_hi_95,
    case when actual > expected then 'above' else 'below' end as direction,
    {{ quantity('tokens_change') }} as tokens_change,
    {{ quantity('price_change') }} as price_change,
    {{ quantity('idle_share_change') }} as idle_share_change,
    case
        when measure in ('input_tokens', 'output_tokens') and actual > expected then 'tokens up'
        when measure in ('input_tokens', 'output_tokens') then 'tokens down'
        when greatest(tokens_move, price_move, idle_move) < 0.1 then 'unexplained'
        when tokens_move >= price_move and tokens_move >= idle_move and tokens_change > 0 then 'tokens up'
        when tokens_move >= price_move and tokens_move >= idle_move then 'tokens down'
        when price_move >= idle_move and price_change > 0 then 'price up'
        when price_move >= idle_move then 'price down'
        when idle_share_change > 0 then 'idle up'
        else 'idle down'
    end as likely_driver
from moves

-- How good each candidate model was on each series, from rolling-origin backtests (origins a week apart, scored at
-- 7 and 30 days ahead), beside the seasonal naive baseline's score on the same series and horizon. The chosen model
-- is the one with the lowest MASE at the longest horizon scored; beats_seasonal_naive says where it did not win.

with

accuracy as (

    select * from {{ ref('stg_forecast__series_accuracy') }}

),

baseline as (

    select
        series_level,
        series_key,
        measure,
        horizon_days,
        mase as seasonal_naive_mase
    from accuracy
    where model = 'seasonal_naive'

)

select
    accuracy.series_level,
    accuracy.series_key,
    accuracy.measure,
    accuracy.model,
    accuracy.horizon_days,
    accuracy.as_of_date,
    cast(accuracy.origins as integer) as origins,
    cast(accuracy.points as integer) as points,
    {{ quantity('accuracy.mape') }} as mape,
    {{ quantity('accuracy.mase') }} as mase,
    {{ quantity('accuracy.coverage_80') }} as coverage_80,
    {{ quantity('accuracy.coverage_95') }} as coverage_95,
    accuracy.chosen,
    {{ quantity('baseline.seasonal_naive_mase') }} as seasonal_naive_mase,
    accuracy.mase < baseline.seasonal_naive_mase as beats_seasonal_naive,
    methods.note
from accuracy
left join baseline
    on
        accuracy.series_level = baseline.series_level
        and accuracy.series_key = baseline.series_key
        and accuracy.measure = baseline.measure
        and accuracy.horizon_days = baseline.horizon_days
left join {{ ref('stg_forecast__series_methods') }} as methods
    on
        accuracy.series_level = methods.series_level
        and accuracy.series_key = methods.series_key
        and accuracy.measure = methods.measure

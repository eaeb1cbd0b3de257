-- Every forecast series and measure: the method that forecast it, the odd-history rules applied, the days learnt.
select
    series_level,
    series_key,
    measure,
    method,
    note,
    cast(history_days as integer) as history_days,
    as_of_date
from {{ ref('stg_forecast__series_methods') }}

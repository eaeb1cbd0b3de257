select * from {{ source('forecast', 'series_forecasts') }}

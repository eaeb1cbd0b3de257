select * from {{ source('forecast', 'series_methods') }}

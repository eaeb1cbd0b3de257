select * from {{ source('forecast', 'series_accuracy') }}

select * from {{ source('forecast', 'series_fitted') }}

select * from {{ source('closed', 'adjustments') }}

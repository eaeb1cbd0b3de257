select * from {{ source('closed', 'months') }}

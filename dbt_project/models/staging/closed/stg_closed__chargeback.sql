select * from {{ source('closed', 'chargeback') }}

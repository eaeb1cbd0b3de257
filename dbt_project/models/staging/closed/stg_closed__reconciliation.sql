select * from {{ source('closed', 'reconciliation') }}

{{ config(meta={"dagster": {"ref": {"name": "int_billing_line_items_unioned"}}}) }}

-- Two exports (say a legacy CUR and a CUR 2.0 export) delivering the same payer's month would count every
-- dollar twice. Each payer account's month must come from exactly one delivery.

select provider, billing_account_id, billing_period, count(distinct delivery_id) as deliveries
from {{ ref('int_billing_line_items_unioned') }}
group by provider, billing_account_id, billing_period
having count(distinct delivery_id) > 1

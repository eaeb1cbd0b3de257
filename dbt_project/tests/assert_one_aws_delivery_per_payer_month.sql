{{ config(meta={"dagster": {"ref": {"name": "int_billing_line_items_unioned"}}}) }}

-- Two AWS exports (say a legacy CUR and a CUR 2.0 export) delivering the same payer's month would count every
-- dollar twice. Each AWS payer account's month must come from exactly one delivery. (GCP is read by usage day,
-- one delivery per day, and the two GCP sources, files and BigQuery, are never configured together.)

select provider, billing_account_id, billing_period, count(distinct delivery_id) as deliveries
from {{ ref('int_billing_line_items_unioned') }}
where provider = 'aws'
group by provider, billing_account_id, billing_period
having count(distinct delivery_id) > 1

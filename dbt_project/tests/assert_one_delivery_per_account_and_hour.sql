{{ config(meta={"dagster": {"ref": {"name": "int_billing_line_items_unioned"}}}) }}

-- Two deliveries of one billing account's month holding charges of the same hours count every dollar twice: a
-- legacy CUR and a CUR 2.0 export of one payer, a provider's own cost export and its FOCUS export. Sources that
-- deliver a month in parts (GCP's BigQuery export, a delivery per usage day) deliver disjoint hours, so the rule
-- is the same for every provider: one delivery per account and charge hour.

with

deliveries as (

    select
        provider,
        billing_account_id,
        billing_period,
        delivery_id,
        min(charge_period_start) as first_charge,
        max(charge_period_start) as last_charge
    from {{ ref('int_billing_line_items_unioned') }}
    group by provider, billing_account_id, billing_period, delivery_id

)

select
    deliveries.provider,
    deliveries.billing_account_id,
    deliveries.billing_period,
    deliveries.delivery_id,
    other.delivery_id as overlapping_delivery_id
from deliveries
inner join deliveries as other
    on deliveries.billing_account_id = other.billing_account_id
    and deliveries.billing_period = other.billing_period
    and deliveries.delivery_id < other.delivery_id
    and deliveries.first_charge <= other.last_charge
    and deliveries.last_charge >= other.first_charge

-- What billing is in the warehouse, delivery by delivery: each provider's delivery (AWS executionId / assemblyId,
-- or a digest of the files of a GCP export) with its files, line count and amounts in the billing currency.
-- A re-delivered month replaces the earlier delivery in bronze, so only the delivery in force appears here.

select
    provider,
    billing_period,
    delivery_id,
    source_file,
    billing_currency,
    count(*) as line_items,
    {{ money_sum('billed_cost_in_billing_currency') }} as billed_cost_in_billing_currency,
    {{ money_sum('effective_cost_in_billing_currency') }} as effective_cost_in_billing_currency
from {{ ref('int_billing_line_items_unioned') }}
group by provider, billing_period, delivery_id, source_file, billing_currency

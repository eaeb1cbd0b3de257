-- Every provider's bronze billing lines with their FOCUS 1.2 columns exactly as ingest wrote them (names, types,
-- billing currency), and the line's key: what the published focus_billing table is made from.

with

lines as (

    select * from {{ source('bronze_aws', 'aws_billing_line_items') }}
    union all by name
    select * from {{ source('bronze_gcp', 'gcp_billing_line_items') }}
    union all by name
    select * from {{ source('bronze_azure', 'azure_billing_line_items') }}
    union all by name
    select * from {{ source('bronze_oci', 'oci_billing_line_items') }}
    union all by name
    select * from {{ source('bronze_focus_exports', 'focus_billing_line_items') }}

)

select
    concat(x_BillingPeriod, '/', x_DeliveryId, '/', x_SourceFile, '/', cast(x_SourceRow as varchar))
        as line_item_key,
    *
from lines

-- Every provider's bronze billing lines with their FOCUS 1.2 columns exactly as ingest wrote them (names, types,
-- billing currency), and the line's key: what the published focus_billing table is made from. The columns are the
-- ones this model's yml documents: a FOCUS export's own x_ columns stay in bronze.
{%- set columns = model.columns.keys() | reject('equalto', 'line_item_key') | list %}

with

lines as (

    {% for table in ['aws_billing_line_items', 'gcp_billing_line_items', 'azure_billing_line_items',
                     'oci_billing_line_items', 'focus_billing_line_items'] -%}
    {%- set source_name = 'bronze_focus_exports' if table == 'focus_billing_line_items'
                          else 'bronze_' ~ table.split('_')[0] -%}
    select {{ columns | join(', ') }}
    from {{ source(source_name, table) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select
    concat(x_BillingPeriod, '/', x_DeliveryId, '/', x_SourceFile, '/', cast(x_SourceRow as string))
        as line_item_key,
    *
from lines

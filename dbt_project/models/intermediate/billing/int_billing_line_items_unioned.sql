-- Every provider's billing lines in one relation, amounts converted to the reporting currency.
-- Each staging model is focus_line_items_renamed, so the columns line up. A line billed in another currency is
-- converted with its billing period's rate from seeds/currency_rates.csv; without a rate the converted amounts
-- are null and the not_null tests stop the build (ingest refuses such a file first).

with

lines as (

    select * from {{ ref('stg_aws__billing_line_items') }}
    union all
    select * from {{ ref('stg_gcp__billing_line_items') }}
    union all
    select * from {{ ref('stg_azure__billing_line_items') }}
    union all
    select * from {{ ref('stg_oci__billing_line_items') }}
    union all
    select * from {{ ref('stg_focus_exports__billing_line_items') }}

),

rates as (

    select month, currency, rate
    from {{ ref('currency_rates') }}
    where reporting_currency = '{{ var("cpt_reporting_currency") }}'

),

converted as (

    select
        lines.*,
        case when lines.billing_currency = '{{ var("cpt_reporting_currency") }}' then 1.0 else rates.rate end
            as reporting_rate
    from lines
    left join rates
        on lines.billing_period = rates.month and lines.billing_currency = rates.currency

)

select
    {% for column in billing_line_item_dimension_columns() -%}
    converted.{{ column }},
    {% endfor -%}
    converted.reporting_rate,
    converted.billed_cost as billed_cost_in_billing_currency,
    converted.effective_cost as effective_cost_in_billing_currency,
    converted.billed_cost * converted.reporting_rate as billed_cost,
    converted.effective_cost * converted.reporting_rate as effective_cost,
    converted.list_cost * converted.reporting_rate as list_cost,
    converted.contracted_cost * converted.reporting_rate as contracted_cost
from converted

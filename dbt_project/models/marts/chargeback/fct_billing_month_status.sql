-- What the bill of each month and provider looks like now, for closing months: whether the provider has issued
-- its invoice (AWS fills the invoice id of every line once the month's invoice is issued; until then the CUR is an
-- estimate), the last day charged, and whether the month is closed. The rule that decides when a month may close
-- is in `cpt close` (ingest/reports/closing.py); this table holds the facts it reads. Grain: month × provider.

with

lines as (

    select
        cast(concat(billing_period, '-01') as date) as month,
        provider,
        invoice_id,
        charge_period_end,
        billed_cost
    from {{ ref('int_billing_line_items_unioned') }}

),

closed_months as (

    select month, closed_at from {{ ref('stg_closed__months') }}

)

select
    lines.month,
    lines.provider,
    count(*) as billing_lines,
    cast(sum(case when lines.invoice_id is null or lines.invoice_id = '' then 1 else 0 end) as bigint)
        as lines_without_invoice_id,
    max(lines.charge_period_end) as last_charge_period_end,
    {{ money_sum("lines.billed_cost") }} as invoice_billed_cost,
    max(closed_months.closed_at) is not null as is_closed
from lines
left join closed_months on lines.month = closed_months.month
group by lines.month, lines.provider

{{ config(meta={"dagster": {"ref": {"name": "fct_chargeback_reconciliation"}}}) }}

-- Money identity of the monthly statement, to the cent: per month × provider, the invoice (each billing account's
-- total rounded to the cent) = chargeback + out-of-scope + tax + commitment amortization + invoice-month shift,
-- and the chargeback item = Σ the month's lines of fct_chargeback_monthly. Rows returned are failures.

with

items as (

    select
        month,
        provider,
        sum(case when item = 'invoice' then amount_usd else 0 end) as invoice_usd,
        sum(case when item <> 'invoice' then amount_usd else 0 end) as parts_usd,
        sum(case when item = 'chargeback' then amount_usd else 0 end) as chargeback_usd
    from {{ ref('fct_chargeback_reconciliation') }}
    group by month, provider

),

lines as (

    select month, provider, sum(total_usd) as lines_usd
    from {{ ref('fct_chargeback_monthly') }}
    group by month, provider

)

select items.*, lines.lines_usd
from items
left join lines on items.month = lines.month and items.provider = lines.provider
where items.invoice_usd <> items.parts_usd
    or items.chargeback_usd <> coalesce(lines.lines_usd, 0)

-- The chargeback reconciled to the invoice, in cents. Grain: one row per month × provider × item × billing
-- account (null for the items counted per provider). Per month × provider:
--   Σ invoice = chargeback + out_of_scope + tax + commitment_amortization + invoice_month_shift,
-- exactly in amount_usd (cents, largest remainder; each billing account's invoice rounded to the cent) and in
-- amount (exact). chargeback is the sum of the month's lines of fct_chargeback_monthly. A closed month's rows are
-- the ones frozen at its close.

with

closed_months as (

    select month from {{ ref('stg_closed__months') }}

),

cents as (

    select * from {{ ref('int_chargeback_cents') }}
    where month not in (select closed_months.month from closed_months)

),

items as (

    select
        billing_month as month,
        provider,
        'invoice' as item,
        billing_account_id,
        invoice_billed_cost as amount,
        cast(round(invoice_billed_cost * 100) as bigint) as amount_cents
    from {{ ref('fct_invoice_accounts_monthly') }}
    where billing_month not in (select closed_months.month from closed_months)

    union all

    select month, provider, item, billing_account_id, {{ money_sum("amount") }}, sum(amount_cents)
    from cents
    group by month, provider, item, billing_account_id

),

computed as (

    select
        month,
        provider,
        item,
        billing_account_id,
        {{ money("amount") }} as amount,
        {{ from_cents("amount_cents") }} as amount_usd
    from items

),

frozen as (

    select month, provider, item, billing_account_id, amount, amount_usd
    from {{ ref('stg_closed__reconciliation') }}

)

select computed.*, false as is_closed from computed
union all
select frozen.*, true as is_closed from frozen

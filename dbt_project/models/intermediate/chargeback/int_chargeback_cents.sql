-- The month's statement in cents: every chargeback line and every item between the chargeback and the invoice,
-- rounded to the cent by largest remainder so that, per month × provider, the lines sum exactly to the invoice
-- (each billing account's invoice rounded to the cent, as the provider issues it). Grain: one row per line.
--   item chargeback               a line of int_chargeback_lines (team × model × deployment × tier × …);
--   item out_of_scope, tax        per billing account, BilledCost;
--   item commitment_amortization  per billing account, in-scope BilledCost − EffectiveCost (commitments billed
--                                 up front or as a fee, charged back as their amortized usage);
--   item invoice_month_shift      per provider, in-scope EffectiveCost on this invoice − of this month's hours.
-- Exactly: Σ chargeback + out_of_scope + tax + commitment_amortization + invoice_month_shift = invoice.
-- A chargeback line's allocated, idle, shared and unallocated parts are rounded the same way to its total.

with

lines as (

    select * from {{ ref('int_chargeback_lines') }}

),

accounts as (

    select * from {{ ref('fct_invoice_accounts_monthly') }}

),

account_items as (

    select billing_month as month, provider, billing_account_id, 'out_of_scope' as item,
        out_of_scope_billed_cost as amount
    from accounts
    union all
    select billing_month, provider, billing_account_id, 'tax', tax_billed_cost
    from accounts
    union all
    select billing_month, provider, billing_account_id, 'commitment_amortization',
        in_scope_billed_cost - in_scope_effective_cost
    from accounts

),

usage_totals as (

    select month, provider, {{ money_sum("total_cost") }} as usage_cost
    from lines
    group by month, provider

),

invoice_totals as (

    select
        billing_month as month,
        provider,
        {{ money_sum("in_scope_effective_cost") }} as in_scope_effective_cost,
        sum(cast(round(invoice_billed_cost * 100) as bigint)) as invoice_cents
    from accounts
    group by billing_month, provider

),

provider_months as (

    select month, provider from usage_totals
    union
    select month, provider from invoice_totals

),

shifts as (

    select
        provider_months.month,
        provider_months.provider,
        coalesce(invoice_totals.in_scope_effective_cost, 0) - coalesce(usage_totals.usage_cost, 0) as amount
    from provider_months
    left join invoice_totals
        on provider_months.month = invoice_totals.month and provider_months.provider = invoice_totals.provider
    left join usage_totals
        on provider_months.month = usage_totals.month and provider_months.provider = usage_totals.provider

),

items as (

    select
        month, provider, 'chargeback' as item, cast(null as string) as billing_account_id,
        team, model, deployment, pricing_tier, region, hardware,
        total_cost as amount, allocated_cost, idle_cost, shared_cost, unallocated_cost
    from lines
    union all
    select
        month, provider, item, billing_account_id,
        null, null, null, null, null, null,
        {{ money("amount") }}, null, null, null, null
    from account_items
    where round(amount, 9) <> 0  -- not the 1e-12 noise of sums of doubles
    union all
    select
        month, provider, 'invoice_month_shift', null,
        null, null, null, null, null, null,
        {{ money("amount") }}, null, null, null, null
    from shifts
    where round(amount, 9) <> 0

),

keyed as (

    select
        items.*,
        concat_ws(
            '|', items.item, items.billing_account_id, items.team, items.model, items.deployment,
            items.pricing_tier, items.region, items.hardware
        ) as line_key,
        coalesce(invoice_totals.invoice_cents, 0) as invoice_cents
    from items
    left join invoice_totals
        on items.month = invoice_totals.month and items.provider = invoice_totals.provider

),

rounded as (

    select
        *,
        {{ largest_remainder_to("amount * 100", "month, provider", "line_key", "invoice_cents") }} as amount_cents
    from keyed

),

parts as (

    select line_key, month, provider, amount_cents, 'allocated' as part, allocated_cost as amount
    from rounded
    where item = 'chargeback'
    union all
    select line_key, month, provider, amount_cents, 'idle', idle_cost
    from rounded
    where item = 'chargeback'
    union all
    select line_key, month, provider, amount_cents, 'shared', shared_cost
    from rounded
    where item = 'chargeback'
    union all
    select line_key, month, provider, amount_cents, 'unallocated', unallocated_cost
    from rounded
    where item = 'chargeback'

),

parts_rounded as (

    select
        line_key,
        month,
        provider,
        part,
        {{ largest_remainder_to("amount * 100", "month, provider, line_key", "part", "amount_cents") }} as part_cents
    from parts

),

parts_wide as (

    select
        month,
        provider,
        line_key,
        sum(case when part = 'allocated' then part_cents else 0 end) as allocated_cents,
        sum(case when part = 'idle' then part_cents else 0 end) as idle_cents,
        sum(case when part = 'shared' then part_cents else 0 end) as shared_cents,
        sum(case when part = 'unallocated' then part_cents else 0 end) as unallocated_cents
    from parts_rounded
    group by month, provider, line_key

)

select
    rounded.month,
    rounded.provider,
    rounded.item,
    rounded.billing_account_id,
    rounded.team,
    rounded.model,
    rounded.deployment,
    rounded.pricing_tier,
    rounded.region,
    rounded.hardware,
    rounded.line_key,
    rounded.amount,
    rounded.amount_cents,
    rounded.invoice_cents,
    parts_wide.allocated_cents,
    parts_wide.idle_cents,
    parts_wide.shared_cents,
    parts_wide.unallocated_cents
from rounded
left join parts_wide
    on rounded.month = parts_wide.month
    and rounded.provider = parts_wide.provider
    and rounded.line_key = parts_wide.line_key

-- The invoice split by scope. Grain: one row per billing month × provider × billing account.
-- invoice = in-scope + out-of-scope + tax, in BilledCost (what the invoice says) and EffectiveCost (amortized).

select
    cast(concat(billing_period, '-01') as date) as billing_month,
    provider,
    billing_account_id,
    {{ money_sum("billed_cost") }} as invoice_billed_cost,
    {{ money_sum("case when scope in ('deployment', 'shared') then billed_cost else 0 end") }} as in_scope_billed_cost,
    {{ money_sum("case when scope = 'out_of_scope' then billed_cost else 0 end") }} as out_of_scope_billed_cost,
    {{ money_sum("case when scope = 'tax' then billed_cost else 0 end") }} as tax_billed_cost,
    {{ money_sum("case when scope in ('deployment', 'shared') then effective_cost else 0 end") }}
        as in_scope_effective_cost,
    {{ money_sum("case when scope = 'out_of_scope' then effective_cost else 0 end") }} as out_of_scope_effective_cost
from {{ ref('int_billing_lines_scoped') }}
group by billing_period, provider, billing_account_id

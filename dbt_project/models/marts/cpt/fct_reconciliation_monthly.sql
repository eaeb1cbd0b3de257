-- Reconciliation to the invoice. Grain: one row per month × provider.
--   invoice_billed_cost = in_scope_billed_cost + out_of_scope_billed_cost + tax_billed_cost   (invoice_difference)
--   amortization_difference = in-scope EffectiveCost − in-scope BilledCost of the invoice month: commitment
--     purchases spread over the usage they cover, and unused commitment, which the invoice bills differently.
--   allocated + idle + shared + unallocated = in-scope EffectiveCost of the month's cost hours
--     (allocation_difference)
--   invoice_month_shift = in-scope EffectiveCost on this month's invoice − in-scope EffectiveCost of this month's
--     hours (usage billed on another month's invoice; zero when every charge falls in its own month).
-- A cost row's provider is the provider of its deployment's (or its shared cluster's) billing lines.

with

invoice as (

    select
        billing_month as month,
        provider,
        count(*) as billing_accounts,
        {{ money_sum("invoice_billed_cost") }} as invoice_billed_cost,
        {{ money_sum("in_scope_billed_cost") }} as in_scope_billed_cost,
        {{ money_sum("out_of_scope_billed_cost") }} as out_of_scope_billed_cost,
        {{ money_sum("tax_billed_cost") }} as tax_billed_cost,
        {{ money_sum("in_scope_effective_cost") }} as in_scope_effective_cost
    from {{ ref('fct_invoice_accounts_monthly') }}
    group by billing_month, provider

),

usage_cost as (

    select
        cast({{ dbt.date_trunc('month', 'cost_hour') }} as date) as month,
        provider,
        {{ money_sum("effective_cost") }} as in_scope_usage_cost
    from {{ ref('int_billing_lines_spread_hourly') }}
    group by cast({{ dbt.date_trunc('month', 'cost_hour') }} as date), provider

),

cluster_providers as (

    select shared_cluster as cluster, max(provider) as provider
    from {{ ref('int_billing_lines_scoped') }}
    where scope = 'shared'
    group by shared_cluster

),

charged_rows as (

    select
        cast({{ dbt.date_trunc('month', 'allocated.cost_hour') }} as date) as month,
        coalesce(deployments.provider, cluster_providers.provider) as provider,
        allocated.allocated_cost,
        allocated.idle_cost,
        allocated.shared_cost,
        allocated.unallocated_cost
    from {{ ref('int_pool_costs_allocated') }} as allocated
    left join {{ ref('int_deployments_resolved') }} as deployments
        on allocated.deployment = deployments.deployment
    left join cluster_providers
        on allocated.deployment = concat('shared:', cluster_providers.cluster)
    where allocated.allocation_basis <> 'unpriced'

),

charged as (

    select
        month,
        provider,
        {{ money_sum("allocated_cost") }} as allocated_cost,
        {{ money_sum("idle_cost") }} as idle_cost,
        {{ money_sum("shared_cost") }} as shared_cost,
        {{ money_sum("unallocated_cost") }} as unallocated_cost
    from charged_rows
    group by month, provider

),

months as (

    select month, provider from invoice
    union
    select month, provider from usage_cost

),

joined as (

    select
        months.month,
        months.provider,
        coalesce(invoice.billing_accounts, 0) as billing_accounts,
        coalesce(invoice.invoice_billed_cost, 0) as invoice_billed_cost,
        coalesce(invoice.in_scope_billed_cost, 0) as in_scope_billed_cost,
        coalesce(invoice.out_of_scope_billed_cost, 0) as out_of_scope_billed_cost,
        coalesce(invoice.tax_billed_cost, 0) as tax_billed_cost,
        coalesce(invoice.in_scope_effective_cost, 0) as in_scope_effective_cost,
        coalesce(usage_cost.in_scope_usage_cost, 0) as in_scope_usage_cost,
        coalesce(charged.allocated_cost, 0) as allocated_cost,
        coalesce(charged.idle_cost, 0) as idle_cost,
        coalesce(charged.shared_cost, 0) as shared_cost,
        coalesce(charged.unallocated_cost, 0) as unallocated_cost
    from months
    left join invoice on months.month = invoice.month and months.provider = invoice.provider
    left join usage_cost on months.month = usage_cost.month and months.provider = usage_cost.provider
    left join charged on months.month = charged.month and months.provider = charged.provider

)

select
    month,
    provider,
    billing_accounts,
    invoice_billed_cost,
    in_scope_billed_cost,
    out_of_scope_billed_cost,
    tax_billed_cost,
    {{ money("invoice_billed_cost - (in_scope_billed_cost + out_of_scope_billed_cost + tax_billed_cost)") }}
        as invoice_difference,
    in_scope_effective_cost,
    {{ money("in_scope_effective_cost - in_scope_billed_cost") }} as amortization_difference,
    {{ money("in_scope_effective_cost - in_scope_usage_cost") }} as invoice_month_shift,
    in_scope_usage_cost,
    allocated_cost,
    idle_cost,
    shared_cost,
    unallocated_cost,
    {{ money("allocated_cost + idle_cost + shared_cost + unallocated_cost - in_scope_usage_cost") }}
        as allocation_difference
from joined

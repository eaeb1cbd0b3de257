-- Every billing line of every provider as a FOCUS 1.2 dataset, for FinOps tools: the FOCUS columns with their
-- FOCUS names and types (amounts in the billing currency as exact DECIMAL(38, 12); timestamps UTC), this project's x_
-- columns from the mapping, and the allocation at the line's grain: its scope and the deployment and cluster
-- its tags name. Lineage (delivery, file, row) stays in internal.int_billing_line_items_unioned.

with

lines as (

    select * from {{ ref('stg_focus__billing_line_items') }}

),

scoped as (

    select line_item_key, scope, deployment, cluster, shared_cluster
    from {{ ref('int_billing_lines_scoped') }}

)

select
    lines.ProviderName,
    lines.PublisherName,
    lines.InvoiceIssuerName,
    lines.BillingAccountId,
    lines.BillingAccountName,
    lines.SubAccountId,
    lines.SubAccountName,
    lines.InvoiceId,
    cast(lines.BillingPeriodStart as {{ timestamp_tz() }}) as BillingPeriodStart,
    cast(lines.BillingPeriodEnd as {{ timestamp_tz() }}) as BillingPeriodEnd,
    cast(lines.ChargePeriodStart as {{ timestamp_tz() }}) as ChargePeriodStart,
    cast(lines.ChargePeriodEnd as {{ timestamp_tz() }}) as ChargePeriodEnd,
    lines.ChargeCategory,
    lines.ChargeClass,
    lines.ChargeDescription,
    lines.ChargeFrequency,
    lines.PricingCategory,
    lines.CommitmentDiscountCategory,
    lines.CommitmentDiscountId,
    lines.CommitmentDiscountType,
    lines.CommitmentDiscountStatus,
    {{ money("lines.BilledCost") }} as BilledCost,
    {{ money("lines.EffectiveCost") }} as EffectiveCost,
    {{ money("lines.ListCost") }} as ListCost,
    {{ money("lines.ContractedCost") }} as ContractedCost,
    lines.BillingCurrency,
    lines.ConsumedQuantity,
    lines.ConsumedUnit,
    lines.PricingQuantity,
    lines.PricingUnit,
    lines.RegionId,
    lines.AvailabilityZone,
    lines.ResourceId,
    lines.ResourceType,
    lines.ServiceName,
    lines.ServiceCategory,
    lines.ServiceSubcategory,
    lines.SkuId,
    lines.Tags,
    lines.x_InstanceType,
    lines.x_PricingTier,
    lines.x_ProviderLineItemType,
    scoped.scope as x_CptScope,
    scoped.deployment as x_CptDeployment,
    coalesce(scoped.cluster, scoped.shared_cluster) as x_CptCluster
from lines
inner join scoped on lines.line_item_key = scoped.line_item_key

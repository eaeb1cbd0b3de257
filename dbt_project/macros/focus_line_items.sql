{#- The staging shape of a bronze billing table (FOCUS columns, every provider alike): snake_case names grouped
    by kind, CPT tags resolved. One macro so that every provider's staging model is the same query. -#}
{% macro focus_line_items_renamed(relation) %}

with

source as (

    select * from {{ relation }}

),

renamed as (

    select

        ---------- ids
        concat(x_BillingPeriod, '/', x_DeliveryId, '/', x_SourceFile, '/', cast(x_SourceRow as string))
            as line_item_key,
        case ProviderName
            {%- for name, code in var('cpt_provider_codes').items() %}
            when '{{ name }}' then '{{ code }}'
            {%- endfor %}
            else replace(lower(ProviderName), ' ', '_')
        end as provider,
        BillingAccountId as billing_account_id,
        SubAccountId as sub_account_id,
        InvoiceId as invoice_id,
        ResourceId as resource_id,
        SkuId as sku_id,
        CommitmentDiscountId as commitment_discount_id,

        ---------- dimensions
        x_BillingPeriod as billing_period,
        ChargeCategory as charge_category,
        ChargeClass as charge_class,
        ChargeDescription as charge_description,
        PricingCategory as pricing_category,
        x_PricingTier as pricing_tier,
        x_ProviderLineItemType as provider_line_item_type,
        CommitmentDiscountCategory as commitment_discount_category,
        CommitmentDiscountType as commitment_discount_type,
        CommitmentDiscountStatus as commitment_discount_status,
        ServiceName as service_name,
        ServiceCategory as service_category,
        ServiceSubcategory as service_subcategory,
        RegionId as region_id,
        x_InstanceType as instance_type,
        BillingCurrency as billing_currency,
        ConsumedUnit as consumed_unit,
        Tags as tags,
        {{ tag_value('Tags', var('cpt_deployment_tag_keys')) }} as deployment,
        {{ tag_value('Tags', var('cpt_cluster_tag_keys')) }} as cluster,
        {{ tag_value('Tags', var('cpt_shared_tag_keys')) }} as shared_cluster,

        ---------- amounts
        BilledCost as billed_cost,
        EffectiveCost as effective_cost,
        ListCost as list_cost,
        ContractedCost as contracted_cost,
        ConsumedQuantity as consumed_quantity,

        ---------- timestamps (UTC)
        ChargePeriodStart as charge_period_start,
        ChargePeriodEnd as charge_period_end,
        BillingPeriodStart as billing_period_start,
        BillingPeriodEnd as billing_period_end,

        ---------- lineage
        x_DeliveryId as delivery_id,
        x_SourceFile as source_file,
        x_SourceRow as source_row

    from source

)

select * from renamed

{% endmacro %}

{#- The staging billing columns that are not amounts (amounts are converted to the reporting currency). -#}
{% macro billing_line_item_dimension_columns() -%}
  {{ return([
      'line_item_key', 'provider', 'billing_account_id', 'sub_account_id', 'invoice_id', 'resource_id', 'sku_id',
      'commitment_discount_id', 'billing_period', 'charge_category', 'charge_class', 'charge_description',
      'pricing_category', 'pricing_tier', 'provider_line_item_type', 'commitment_discount_category',
      'commitment_discount_type', 'commitment_discount_status', 'service_name', 'service_category',
      'service_subcategory', 'region_id', 'instance_type', 'billing_currency', 'consumed_unit', 'tags',
      'deployment', 'cluster', 'shared_cluster', 'consumed_quantity', 'charge_period_start', 'charge_period_end',
      'billing_period_start', 'billing_period_end', 'delivery_id', 'source_file', 'source_row',
  ]) }}
{%- endmacro %}

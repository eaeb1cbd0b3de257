"""FOCUS 1.2 column names and the bronze billing schema.

Every provider's billing rows become one table with FOCUS column names.
Columns prefixed ``x_`` are this project's extensions, allowed by the spec for provider or tool extras.
"""

from __future__ import annotations

from enum import StrEnum

import polars as pl


class Focus(StrEnum):
    """FOCUS 1.2 columns that bronze billing carries (spec column ids)."""

    ProviderName = "ProviderName"
    PublisherName = "PublisherName"
    InvoiceIssuerName = "InvoiceIssuerName"
    BillingAccountId = "BillingAccountId"
    BillingAccountName = "BillingAccountName"
    SubAccountId = "SubAccountId"
    SubAccountName = "SubAccountName"
    InvoiceId = "InvoiceId"
    BillingPeriodStart = "BillingPeriodStart"
    BillingPeriodEnd = "BillingPeriodEnd"
    ChargePeriodStart = "ChargePeriodStart"
    ChargePeriodEnd = "ChargePeriodEnd"
    ChargeCategory = "ChargeCategory"
    ChargeClass = "ChargeClass"
    ChargeDescription = "ChargeDescription"
    ChargeFrequency = "ChargeFrequency"
    PricingCategory = "PricingCategory"
    CommitmentDiscountCategory = "CommitmentDiscountCategory"
    CommitmentDiscountId = "CommitmentDiscountId"
    CommitmentDiscountType = "CommitmentDiscountType"
    CommitmentDiscountStatus = "CommitmentDiscountStatus"
    BilledCost = "BilledCost"
    EffectiveCost = "EffectiveCost"
    ListCost = "ListCost"
    ContractedCost = "ContractedCost"
    BillingCurrency = "BillingCurrency"
    ConsumedQuantity = "ConsumedQuantity"
    ConsumedUnit = "ConsumedUnit"
    PricingQuantity = "PricingQuantity"
    PricingUnit = "PricingUnit"
    RegionId = "RegionId"
    AvailabilityZone = "AvailabilityZone"
    ResourceId = "ResourceId"
    ResourceType = "ResourceType"
    ServiceName = "ServiceName"
    ServiceCategory = "ServiceCategory"
    ServiceSubcategory = "ServiceSubcategory"
    SkuId = "SkuId"
    Tags = "Tags"
    # Extensions (x_): what CPT needs beyond FOCUS.
    x_InstanceType = "x_InstanceType"
    x_PricingTier = "x_PricingTier"
    x_ProviderLineItemType = "x_ProviderLineItemType"


_TS = pl.Datetime("us")  # naive, always UTC: DuckDB then never applies a session time zone.

BILLING_SCHEMA: dict[str, pl.DataType] = {
    Focus.ProviderName: pl.String(),
    Focus.PublisherName: pl.String(),
    Focus.InvoiceIssuerName: pl.String(),
    Focus.BillingAccountId: pl.String(),
    Focus.BillingAccountName: pl.String(),
    Focus.SubAccountId: pl.String(),
    Focus.SubAccountName: pl.String(),
    Focus.InvoiceId: pl.String(),
    Focus.BillingPeriodStart: _TS,
    Focus.BillingPeriodEnd: _TS,
    Focus.ChargePeriodStart: _TS,
    Focus.ChargePeriodEnd: _TS,
    Focus.ChargeCategory: pl.String(),
    Focus.ChargeClass: pl.String(),
    Focus.ChargeDescription: pl.String(),
    Focus.ChargeFrequency: pl.String(),
    Focus.PricingCategory: pl.String(),
    Focus.CommitmentDiscountCategory: pl.String(),
    Focus.CommitmentDiscountId: pl.String(),
    Focus.CommitmentDiscountType: pl.String(),
    Focus.CommitmentDiscountStatus: pl.String(),
    Focus.BilledCost: pl.Float64(),
    Focus.EffectiveCost: pl.Float64(),
    Focus.ListCost: pl.Float64(),
    Focus.ContractedCost: pl.Float64(),
    Focus.BillingCurrency: pl.String(),
    Focus.ConsumedQuantity: pl.Float64(),
    Focus.ConsumedUnit: pl.String(),
    Focus.PricingQuantity: pl.Float64(),
    Focus.PricingUnit: pl.String(),
    Focus.RegionId: pl.String(),
    Focus.AvailabilityZone: pl.String(),
    Focus.ResourceId: pl.String(),
    Focus.ResourceType: pl.String(),
    Focus.ServiceName: pl.String(),
    Focus.ServiceCategory: pl.String(),
    Focus.ServiceSubcategory: pl.String(),
    Focus.SkuId: pl.String(),
    Focus.Tags: pl.String(),  # JSON object, as the spec defines it
    Focus.x_InstanceType: pl.String(),
    Focus.x_PricingTier: pl.String(),
    Focus.x_ProviderLineItemType: pl.String(),
}

# Lineage columns added by ingest (not part of the provider mapping).
LINEAGE_SCHEMA: dict[str, pl.DataType] = {
    "x_BillingPeriod": pl.String(),  # YYYY-MM: the partition a delivery replaces
    "x_DeliveryId": pl.String(),
    "x_SourceFile": pl.String(),
    "x_SourceRow": pl.Int64(),
}

BRONZE_BILLING_SCHEMA: dict[str, pl.DataType] = {**BILLING_SCHEMA, **LINEAGE_SCHEMA}

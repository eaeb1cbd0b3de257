"""CUR 2.0 (Data Exports) into bronze: amortization and pricing tiers from the line item types."""

import polars as pl
import pytest

from ingest.aws.line_items import UNUSED_RESERVATION, UNUSED_SAVINGS_PLAN
from ingest.schemas import AWS_BILLING_TABLE as AWS_TABLE
from tests.ingest.billing_support import load_aws, read_bronze


def test_amortization_and_tiers_follow_the_line_item_types(sample_month, tmp_path):
    load_aws(sample_month[0] / "aws", tmp_path)
    frame = read_bronze(tmp_path / "bronze", AWS_TABLE)
    by_type = frame.group_by("x_ProviderLineItemType").agg(
        pl.col("BilledCost").sum(), pl.col("EffectiveCost").sum(), pl.col("x_PricingTier").unique()
    )
    row = {r["x_ProviderLineItemType"]: r for r in by_type.to_dicts()}
    # Savings Plan: covered usage billed at on-demand and negated; the effective cost sits on covered usage.
    assert row["SavingsPlanCoveredUsage"]["BilledCost"] == pytest.approx(-row["SavingsPlanNegation"]["BilledCost"])
    assert row["SavingsPlanNegation"]["EffectiveCost"] == 0
    assert row["DiscountedUsage"]["BilledCost"] == 0 and row["DiscountedUsage"]["EffectiveCost"] > 0
    # Fees carry no amortized cost; the unused part of the Savings Plan is a Usage row of its own.
    assert row["SavingsPlanRecurringFee"]["EffectiveCost"] == 0 and row["RIFee"]["EffectiveCost"] == 0
    unused = frame.filter(pl.col("x_ProviderLineItemType") == UNUSED_SAVINGS_PLAN)
    assert unused.height == 744 and unused["CommitmentDiscountStatus"].unique().to_list() == ["Unused"]
    assert unused["BilledCost"].sum() == 0 and unused["EffectiveCost"].sum() > 0
    assert frame.filter(pl.col("x_ProviderLineItemType") == UNUSED_RESERVATION).height == 0  # the RI is fully used
    # Amortizing moves cost between lines and never creates or loses any.
    assert frame["EffectiveCost"].sum() == pytest.approx(frame["BilledCost"].sum(), rel=1e-12)
    assert set(row["Usage"]["x_PricingTier"]) >= {"on_demand", "spot"}
    assert frame.filter(pl.col("x_PricingTier") == "spot")["PricingCategory"].unique().to_list() == ["Dynamic"]

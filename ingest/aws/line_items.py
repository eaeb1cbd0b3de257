"""What every AWS cost-and-usage format shares once its columns carry CUR 2.0 names."""

from __future__ import annotations

import polars as pl

# Synthetic line item types (x_ like FOCUS extensions): AWS reports unused commitment inside the recurring fee
# line; FOCUS wants it as a Usage row of its own (CommitmentDiscountStatus "Unused", EffectiveCost = the unused
# part) while the fee row itself carries no EffectiveCost.
UNUSED_SAVINGS_PLAN = "x_SavingsPlanUnusedCommitment"
UNUSED_RESERVATION = "x_ReservationUnusedCommitment"


def expand_unused_commitments(frame: pl.DataFrame) -> pl.DataFrame:
    """Append one unused-commitment row per Savings Plan or reservation fee line that has an unused part."""
    kind = pl.col("line_item_line_item_type")
    sp_unused = pl.col("savings_plan_total_commitment_to_date").fill_null(0) - pl.col(
        "savings_plan_used_commitment"
    ).fill_null(0)
    ri_unused = pl.col("reservation_unused_amortized_upfront_fee_for_billing_period").fill_null(0) + pl.col(
        "reservation_unused_recurring_fee"
    ).fill_null(0)
    unused = pl.concat(
        [
            frame.filter((kind == "SavingsPlanRecurringFee") & (sp_unused.abs() > 1e-12)).with_columns(
                kind.str.replace(".*", UNUSED_SAVINGS_PLAN).alias("line_item_line_item_type")
            ),
            frame.filter((kind == "RIFee") & (ri_unused.abs() > 1e-12)).with_columns(
                kind.str.replace(".*", UNUSED_RESERVATION).alias("line_item_line_item_type")
            ),
        ]
    ).with_columns(
        pl.lit(0.0).alias("line_item_unblended_cost"),
        pl.lit(None, dtype=pl.Float64).alias("pricing_public_on_demand_cost"),
        pl.lit(None, dtype=pl.Float64).alias("line_item_usage_amount"),
    )
    return pl.concat([frame, unused.select(frame.columns)])

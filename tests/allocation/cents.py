"""The statement in cents (int_chargeback_cents), held to the invoice: what every chargeback test asserts."""

from __future__ import annotations

import polars as pl


def assert_cents_tie_to_the_invoice(models: dict[str, pl.DataFrame]) -> None:
    """Per month × provider, the lines' cents sum exactly to the billing accounts' invoices each rounded to the
    cent; no line is a cent or more from its exact amount (within the accounts' own rounding); each chargeback
    line's parts sum to it; the chargeback lines carry every dollar of the allocation."""
    cents, accounts = models["int_chargeback_cents"], models["fct_invoice_accounts_monthly"]
    invoices = accounts.group_by(pl.col("billing_month").alias("month"), "provider").agg(
        (pl.col("invoice_billed_cost") * 100).round(0).cast(pl.Int64).sum().alias("invoice_cents"),
        pl.len().alias("accounts"),
    )
    sums = cents.group_by("month", "provider").agg(pl.col("amount_cents").sum(), pl.col("amount").sum())
    both = sums.join(invoices, on=["month", "provider"], how="full", coalesce=True).fill_null(0)
    for row in both.iter_rows(named=True):
        assert row["amount_cents"] == row["invoice_cents"], row
    drift = cents.join(invoices, on=["month", "provider"], how="left").filter(
        (pl.col("amount") * 100 - pl.col("amount_cents")).abs() >= 1 + pl.col("accounts").fill_null(0)
    )
    assert drift.is_empty(), drift
    charged = cents.filter(pl.col("item") == "chargeback")
    parts = pl.col("allocated_cents") + pl.col("idle_cents") + pl.col("shared_cents") + pl.col("unallocated_cents")
    assert charged.filter(parts != pl.col("amount_cents")).is_empty()
    lines = models["int_chargeback_lines"]
    assert abs(lines["total_cost"].sum() - charged["amount"].sum()) <= 1e-9 * max(1.0, lines["total_cost"].abs().sum())

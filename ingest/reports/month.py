"""One month's chargeback as the reports show it, read from the published warehouse.

Amounts are the warehouse's cents (the *_usd columns, DECIMAL(38, 2)) as Python Decimals: every total a report
prints is a sum of those, so the reports add up to the invoice exactly as the warehouse does."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import polars as pl

from ingest import duck

TREND_MONTHS = 6  # months of CPT trend and month-over-month drawn up to the report's month
# What names a chargeback line within its month (team first, for the statements), and its amounts in cents.
LINE_KEYS = ("team", "provider", "model", "deployment", "pricing_tier", "region", "hardware")
USD_PARTS = ("allocated_usd", "idle_usd", "shared_usd", "unallocated_usd", "total_usd")


@dataclass(frozen=True)
class MonthData:
    month: dt.date
    lines: pl.DataFrame  # fct_chargeback_monthly of the month
    reconciliation: pl.DataFrame  # fct_chargeback_reconciliation of the month
    adjustments: pl.DataFrame  # fct_chargeback_adjustments posted into the month
    history: pl.DataFrame  # the lines of the TREND_MONTHS months up to this one (month, team, model, …)
    policies: pl.DataFrame  # dim_allocation_policies
    is_closed: bool

    @property
    def label(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def teams(self) -> list[str]:
        """Every team with a line or an adjustment this month."""
        return sorted(set(self.lines["team"]) | set(self.adjustments["team"]))

    def invoice_total(self) -> Decimal:
        return _sum(self.reconciliation.filter(pl.col("item") == "invoice")["amount_usd"])

    def item_total(self, item: str) -> Decimal:
        return _sum(self.reconciliation.filter(pl.col("item") == item)["amount_usd"])

    def chargeback_total(self) -> Decimal:
        return _sum(self.lines["total_usd"])

    def adjustments_total(self) -> Decimal:
        return _sum(self.adjustments["amount_usd"])

    def for_team(self, team: str) -> MonthData:
        """The same month with only `team`'s lines and adjustments (a team's statement shows nothing else)."""
        return MonthData(
            self.month,
            self.lines.filter(pl.col("team") == team),
            self.reconciliation.clear(),
            self.adjustments.filter(pl.col("team") == team),
            self.history.filter(pl.col("team") == team),
            self.policies,
            self.is_closed,
        )


def _sum(values: pl.Series) -> Decimal:
    return sum((Decimal(v) for v in values.to_list() if v is not None), Decimal("0.00"))


def months_with_data(warehouse: Path) -> list[dt.date]:
    with duck.connect(str(warehouse), read_only=True) as con:
        rows = con.sql(
            "select distinct month from analytics.fct_chargeback_reconciliation "
            "union select distinct month from analytics.fct_chargeback_monthly order by 1"
        ).fetchall()
    return [row[0] for row in rows]


def read_month(warehouse: Path, month: dt.date) -> MonthData:
    """The month's rows, sorted so that every report lists them in the same order run after run."""
    first = month - dt.timedelta(days=31 * (TREND_MONTHS - 1))
    with duck.connect(str(warehouse), read_only=True) as con:
        params = {"month": month}
        lines = con.sql(
            "select * from analytics.fct_chargeback_monthly where month = $month "
            "order by team, model, deployment, pricing_tier, region, hardware, provider",
            params=params,
        ).pl()
        reconciliation = con.sql(
            "select * from analytics.fct_chargeback_reconciliation where month = $month "
            "order by provider, billing_account_id nulls first, item",
            params=params,
        ).pl()
        adjustments = con.sql(
            "select * from analytics.fct_chargeback_adjustments where posting_month = $month "
            "order by restated_month, team, model, deployment, pricing_tier, region, hardware, provider",
            params=params,
        ).pl()
        history = con.sql(
            "select month, team, model, deployment, pricing_tier, total_usd, total_cost, idle_cost, output_tokens "
            "from analytics.fct_chargeback_monthly where month between $first and $month "
            "order by month, team, model, deployment, pricing_tier, region, hardware, provider",
            params={"first": first.replace(day=1), "month": month},
        ).pl()
        policies = con.sql("select * from analytics.dim_allocation_policies order by setting").pl()
    closed = bool(lines["is_closed"].any()) if lines.height else bool(reconciliation["is_closed"].any())
    return MonthData(month, lines, reconciliation, adjustments, history, policies, closed)

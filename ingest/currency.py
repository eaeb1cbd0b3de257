"""Billing currencies: which ones the warehouse can report, from the rates table dbt converts with.

The table lives in dbt_project/seeds/currency_rates.csv (dbt owns the conversion). Ingest only refuses, with the
file named, a delivery whose currency and month have no rate, so that different currencies are never added.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import polars as pl

RATES_FILE = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds" / "currency_rates.csv"
REPORTING_CURRENCY = "USD"


@cache
def rated(rates_file: Path = RATES_FILE, reporting: str = REPORTING_CURRENCY) -> frozenset[tuple[str, str]]:
    """(month YYYY-MM, currency) pairs that have a rate to the reporting currency."""
    rates = pl.read_csv(rates_file, schema_overrides={"month": pl.String, "rate": pl.Float64})
    rows = rates.filter((pl.col("reporting_currency") == reporting) & (pl.col("rate") > 0))
    return frozenset(zip(rows["month"].to_list(), rows["currency"].to_list(), strict=True))


def missing_rates(pairs: set[tuple[str, str]], reporting: str = REPORTING_CURRENCY) -> list[tuple[str, str]]:
    """The (month, currency) pairs of a delivery that cannot be converted to the reporting currency."""
    return sorted((m, c) for m, c in pairs if c != reporting and (m, c) not in rated(RATES_FILE, reporting))

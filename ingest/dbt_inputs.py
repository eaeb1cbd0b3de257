"""What dbt reads besides bronze, made present before a build: a source that never delivered, a forecast step
that has not run and a store with no closed month all read as typed empty tables."""

from __future__ import annotations

from ingest.bronze import ensure_all_tables
from ingest.forecast.store import ensure_files as ensure_forecast_files
from ingest.paths import DataLayout
from ingest.reports.store import ensure_files as ensure_closed_files


def prepare(layout: DataLayout) -> None:
    ensure_all_tables(layout.bronze)
    ensure_forecast_files(layout.forecasts)
    ensure_closed_files(layout.closed)

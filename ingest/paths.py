"""The on-disk layout of one warehouse: everything lives under one data directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DataLayout:
    data_dir: Path

    @property
    def landing(self) -> Path:
        return self.data_dir / "landing"

    @property
    def bronze(self) -> Path:
        return self.data_dir / "bronze"

    @property
    def build_warehouse(self) -> Path:
        """Where dbt builds; only Dagster's publish step reads it."""
        return self.data_dir / "warehouse" / "build" / "cpt.duckdb"

    @property
    def spark_tables(self) -> Path:
        """Where the Spark engine's local session keeps its tables (spark.sql.warehouse.dir of the spark target)."""
        return self.data_dir / "warehouse" / "spark" / "tables"

    @property
    def warehouse(self) -> Path:
        """The published warehouse that analysts and reports open (replaced atomically)."""
        return self.data_dir / "warehouse" / "cpt.duckdb"

    @property
    def dbt_artifacts(self) -> Path:
        """dbt's artifacts, a folder per invocation (manifest, run results, its log), and the parse it reuses."""
        return self.data_dir / "warehouse" / "dbt"

    @property
    def exports(self) -> Path:
        """The published warehouse's analytics tables as Parquet and CSV, with a manifest (after each publish)."""
        return self.data_dir / "warehouse" / "exports"

    @property
    def logs(self) -> Path:
        """The full log of each `cpt run` (its terminal shows progress and a summary)."""
        return self.data_dir / "logs"

    @property
    def forecasts(self) -> Path:
        """The forecast model's output (forecasts, in-sample fits, backtest scores) that dbt's forecast marts read."""
        return self.data_dir / "forecast"

    @property
    def charts(self) -> Path:
        """Forecast and budget charts (PNG), written after each publish."""
        return self.data_dir / "warehouse" / "charts"

    @property
    def gateway(self) -> Path:
        """Gateway limits (LiteLLM team update bodies) made from the budgets, written after each publish."""
        return self.data_dir / "warehouse" / "gateway"

    @property
    def alerts(self) -> Path:
        """Which alerts the webhook has accepted, so that each is posted once."""
        return self.data_dir / "alerts"

    @property
    def closed(self) -> Path:
        """Closed months: their frozen rows, report files and checksum manifest (ingest/reports/store.py)."""
        return self.data_dir / "closed"

    @property
    def reports(self) -> Path:
        """The monthly reports of open months, one folder per month (a closed month's are under closed/)."""
        return self.data_dir / "reports"

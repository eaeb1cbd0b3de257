"""The normalized billing as a FOCUS 1.2 dataset: the FOCUS columns plus this project's x_ columns.

Lineage columns (delivery, file, row) are dropped; timestamps are written as UTC ISO 8601 with a Z. Parquet keeps
column types (an all-digit account id stays a string); CSV is written too, for tools that want it.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ingest.focus import BILLING_SCHEMA, LINEAGE_SCHEMA


def focus_frame(bronze: pl.DataFrame) -> pl.DataFrame:
    return bronze.drop([c for c in LINEAGE_SCHEMA if c in bronze.columns]).select(list(BILLING_SCHEMA))


def export_focus(bronze_tables: list[Path], out_dir: Path, name: str) -> tuple[Path, Path]:
    """Write ``<name>.parquet`` and ``<name>.csv`` from bronze table folders; returns both paths."""
    frames = [pl.read_parquet(t / "**" / "*.parquet") for t in bronze_tables]
    frame = focus_frame(pl.concat(frames))
    out_dir.mkdir(parents=True, exist_ok=True)
    parquet = out_dir / f"{name}.parquet"
    frame.with_columns(
        pl.col(c).dt.replace_time_zone("UTC") for c, t in BILLING_SCHEMA.items() if t == pl.Datetime("us")
    ).write_parquet(parquet)
    csv = out_dir / f"{name}.csv"
    frame.with_columns(
        pl.col(c).dt.strftime("%Y-%m-%dT%H:%M:%SZ") for c, t in BILLING_SCHEMA.items() if t == pl.Datetime("us")
    ).write_csv(csv)
    return parquet, csv

"""AWS CUR 2.0 (Data Exports) parquet: ``…/data/BILLING_PERIOD=YYYY-MM/*.parquet``."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from ingest.billing import BillingFormat
from ingest.mapping import MappingError, RuleSet


def read_cur2(paths: list[Path], rules: RuleSet) -> pl.DataFrame:
    frame = pl.read_parquet(paths)
    missing = [c for c in rules.source_columns if c not in frame.columns]
    if missing:
        raise MappingError(f"missing CUR 2.0 columns {missing}")
    # MAP columns arrive as list<struct<key, value>>; everything else is cast to the declared type.
    return frame.select([pl.col(c).cast(t) for c, t in rules.source_columns.items()])


CUR2 = BillingFormat(
    name="aws_cur2",
    provider="aws",
    rules_file=Path(__file__).parent / "rules" / "cur2.toml",
    period_pattern=re.compile(r"BILLING_PERIOD=(\d{4}-\d{2})/"),
    file_suffixes=(".parquet",),
    read=read_cur2,
)

"""AWS Data Exports "FOCUS 1.2 with AWS columns" parquet: already FOCUS; the rules add this project's x_ columns."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ingest.billing import BillingFormat
from ingest.mapping import RuleSet


def read_focus(path: Path, rules: RuleSet, **_context) -> pl.DataFrame:
    return rules.conform(pl.read_parquet(path))


AWS_FOCUS = BillingFormat(
    name="aws_focus", provider="aws", rules_file=Path(__file__).parent / "rules" / "focus.toml", read=read_focus
)

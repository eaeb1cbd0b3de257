"""AWS CUR 2.0 (Data Exports) parquet: ``<prefix>/<export>/data/BILLING_PERIOD=YYYY-MM/*.parquet``."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ingest.aws.line_items import expand_unused_commitments
from ingest.billing import BillingFormat
from ingest.mapping import RuleSet

RULES = Path(__file__).parent / "rules" / "cur2.toml"


def read_cur2(path: Path, rules: RuleSet, **_context) -> pl.DataFrame:
    # MAP columns arrive as list<struct<key, value>>, which is what the rules' tags expect.
    return expand_unused_commitments(rules.conform(pl.read_parquet(path)))


CUR2 = BillingFormat(name="aws_cur2", provider="aws", rules_file=RULES, read=read_cur2)

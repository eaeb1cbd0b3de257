"""AWS legacy Cost and Usage Reports: CSV, CSV.gz or parquet, one folder per assembly.

Legacy columns are the CUR 2.0 columns under older names. AWS derived the CUR 2.0 names mechanically
("lineItem/UnblendedCost" → line_item_unblended_cost, "savingsPlan/SavingsPlanARN" → savings_plan_savings_plan_a_r_n),
so the reader applies the same rule and the CUR 2.0 rule set maps both. Tags arrive as one column per key
("resourceTags/user:team" in CSV, resource_tags_user_team in parquet) and are gathered into the resource_tags map.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from ingest.aws.cur2 import RULES
from ingest.aws.line_items import expand_unused_commitments
from ingest.billing import BillingFormat
from ingest.mapping import MappingError, RuleSet

_KV = pl.List(pl.Struct({"key": pl.String(), "value": pl.String()}))
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def cur2_name(legacy: str) -> str:
    """'lineItem/UnblendedCost' → 'line_item_unblended_cost' (AWS's own renaming rule)."""
    category, _, field = legacy.partition("/")
    return f"{_CAMEL.sub('_', category).lower()}_{_CAMEL.sub('_', field).lower()}"


def _tags(frame: pl.DataFrame, columns: dict[str, str]) -> pl.Expr:
    """A key/value list from one-column-per-tag columns ({column: tag key}); empty values are no tag."""
    if not columns:
        return pl.lit([], dtype=_KV)
    entries = [
        pl.when(pl.col(col).is_not_null() & (pl.col(col).cast(pl.String) != "")).then(
            pl.struct(pl.lit(key).alias("key"), pl.col(col).cast(pl.String).alias("value"))
        )
        for col, key in columns.items()
    ]
    return pl.concat_list(entries).list.drop_nulls()


def _read_one(path: Path) -> pl.DataFrame:
    name = path.name.lower()
    if name.endswith(".parquet"):
        frame = pl.read_parquet(path)
        tag_columns = {c: c.removeprefix("resource_tags_") for c in frame.columns if c.startswith("resource_tags_")}
    elif name.endswith((".csv", ".csv.gz")):
        frame = pl.read_csv(path, infer_schema_length=0)  # every column as text, typed by the rule set
        tag_columns = {c: c.removeprefix("resourceTags/") for c in frame.columns if c.startswith("resourceTags/")}
        frame = frame.rename({c: cur2_name(c) for c in frame.columns if "/" in c and c not in tag_columns})
    else:
        raise MappingError(f"not a legacy CUR data file (csv, csv.gz or parquet): {path.name}")
    return frame.with_columns(_tags(frame, tag_columns).alias("resource_tags")).drop(list(tag_columns))


def _parse_times(frame: pl.DataFrame, rules: RuleSet) -> pl.DataFrame:
    text_times = [
        c for c, t in rules.source_columns.items() if t == pl.Datetime("us") and frame.schema.get(c) == pl.String
    ]
    try:
        return frame.with_columns(
            pl.col(c).str.to_datetime(time_zone="UTC", strict=True).dt.replace_time_zone(None) for c in text_times
        )
    except pl.exceptions.PolarsError as exc:
        raise MappingError(f"unreadable timestamp in {text_times}: {str(exc)[:200]}") from exc


def read_legacy(path: Path, rules: RuleSet, **_context) -> pl.DataFrame:
    return expand_unused_commitments(rules.conform(_parse_times(_read_one(path), rules)))


LEGACY_CUR = BillingFormat(name="aws_legacy_cur", provider="aws", rules_file=RULES, read=read_legacy)

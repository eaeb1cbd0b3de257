"""The AWS FOCUS 1.2 export into bronze."""

import json

import polars as pl
import pytest

from ingest.focus import BILLING_SCHEMA
from ingest.schemas import AWS_BILLING_TABLE as AWS_TABLE
from tests.ingest.billing_support import (
    load_aws,
    read_bronze,
    usage_by_tier,
)


def test_aws_focus_export_round_trips(sample_month, tmp_path):
    """Our bronze, written the way AWS's FOCUS 1.2 export is, reads back to the same costs and tiers."""
    load_aws(sample_month[0] / "aws", tmp_path / "first")
    bronze = read_bronze(tmp_path / "first" / "bronze", AWS_TABLE)
    kv = pl.List(pl.Struct({"key": pl.String(), "value": pl.String()}))
    export = (
        bronze.select(list(BILLING_SCHEMA))
        .drop([c for c in BILLING_SCHEMA if c.startswith("x_")])
        .with_columns(
            pl.col("Tags")
            .str.json_decode(pl.Struct({"cpt:deployment": pl.String()}))
            .struct.field("cpt:deployment")
            .map_elements(lambda d: [{"key": "user:cpt:deployment", "value": d}] if d else [], return_dtype=kv)
            .alias("Tags"),
            pl.concat_str(pl.lit("USE1-BoxUsage:"), bronze["x_InstanceType"]).alias("x_UsageType"),
        )
    )
    bucket = tmp_path / "bucket"
    data = bucket / "focus/cpt-focus/data/BILLING_PERIOD=2026-10/cpt-focus-00001.snappy.parquet"
    data.parent.mkdir(parents=True)
    export.write_parquet(data)
    meta = bucket / "focus/cpt-focus/metadata/BILLING_PERIOD=2026-10/cpt-focus-Manifest.json"
    meta.parent.mkdir(parents=True)
    meta.write_text(
        json.dumps(
            {
                "executionId": "e-1",
                "columns": [{"name": c} for c in export.columns],
                "dataFiles": ["s3://b/focus/cpt-focus/data/BILLING_PERIOD=2026-10/cpt-focus-00001.snappy.parquet"],
            }
        )
    )
    loads = load_aws(bucket, tmp_path / "second")
    assert [x.format for x in loads] == ["aws_focus"]
    again = read_bronze(tmp_path / "second" / "bronze", AWS_TABLE)
    for column in ("BilledCost", "EffectiveCost"):
        assert again[column].sum() == pytest.approx(bronze[column].sum(), rel=1e-12)
    assert usage_by_tier(again) == pytest.approx(usage_by_tier(bronze), rel=1e-12)
    assert set(again["x_InstanceType"].drop_nulls()) == set(bronze["x_InstanceType"].drop_nulls())

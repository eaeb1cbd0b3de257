"""Legacy CUR (CSV, CSV.gz, parquet) through the CUR 2.0 rules, on the real anonymized sample."""

import gzip
import json
import shutil

import polars as pl
import pytest

from ingest.billing import BillingFileError
from ingest.schemas import AWS_BILLING_TABLE as AWS_TABLE
from tests.ingest.billing_support import (
    LEGACY_SAMPLE,
    legacy_delivery,
    load_aws,
    read_bronze,
)


def test_the_real_legacy_cur_sample_reproduces_its_known_totals(tmp_path):
    legacy_delivery(tmp_path / "bucket", LEGACY_SAMPLE)
    loads = load_aws(tmp_path / "bucket", tmp_path)
    assert [(x.format, x.billing_period, x.rows) for x in loads] == [("aws_legacy_cur", "2023-11", 1281)]
    frame = read_bronze(tmp_path / "bronze", AWS_TABLE)
    totals = {
        r["ChargeCategory"]: r["BilledCost"]
        for r in frame.group_by("ChargeCategory").agg(pl.col("BilledCost").sum()).to_dicts()
    }
    assert round(frame["BilledCost"].sum(), 10) == 1.6823086974
    assert round(totals["Usage"], 10) == 1.6023086974
    assert round(totals["Tax"], 10) == 0.08
    assert frame["ServiceCategory"].null_count() == 0 and frame["ChargePeriodStart"].null_count() == 0


def test_legacy_cur_parquet_uses_the_same_rules(tmp_path):
    csv = pl.read_csv(LEGACY_SAMPLE, infer_schema_length=0)
    from ingest.aws.legacy_cur import cur2_name

    typed = csv.rename({c: cur2_name(c) for c in csv.columns}).with_columns(
        pl.col("line_item_unblended_cost").cast(pl.Float64),
        pl.col("line_item_usage_amount").cast(pl.Float64),
        pl.lit("web").alias("resource_tags_user_team"),
    )
    path = tmp_path / "part.parquet"
    typed.write_parquet(path)
    gz = tmp_path / "dummy.csv.gz"
    gz.write_bytes(gzip.compress(b"x"))
    legacy_delivery(tmp_path / "bucket", gz)
    folder = next((tmp_path / "bucket").rglob("a1b2c3d4-*"))
    (folder / "legacy-cur-1.csv.gz").unlink()
    shutil.copyfile(path, folder / "legacy-cur-1.snappy.parquet")
    manifest = folder.parent / "legacy-cur-Manifest.json"
    doc = json.loads(manifest.read_text())
    doc["reportKeys"] = [k.replace("legacy-cur-1.csv.gz", "legacy-cur-1.snappy.parquet") for k in doc["reportKeys"]]
    manifest.write_text(json.dumps(doc))
    load_aws(tmp_path / "bucket", tmp_path)
    frame = read_bronze(tmp_path / "bronze", AWS_TABLE)
    assert round(frame["BilledCost"].sum(), 10) == 1.6823086974
    assert frame["Tags"].unique().to_list() == ['{"team":"web"}']


def test_a_corrupt_csv_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.csv.gz"
    bad.write_bytes(gzip.compress(b'lineItem/UnblendedCost,bill/PayerAccountId\n1.0\n"unterminated'))
    legacy_delivery(tmp_path / "bucket", bad)
    with pytest.raises(BillingFileError, match=r"aws_legacy_cur: legacy-cur-1\.csv\.gz"):
        load_aws(tmp_path / "bucket", tmp_path)

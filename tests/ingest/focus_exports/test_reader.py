"""Any FOCUS export into bronze: months found from the objects' keys, a re-run replacing its month, a bad file
refused with the last good month kept — from a local folder and from S3 (moto's server on 127.0.0.1)."""

import json
import os
import time

import polars as pl
import pytest

from ingest.billing import BillingFileError
from ingest.export_layouts import discover, ingest_exports, place
from ingest.focus_exports.reader import FOCUS_EXPORT
from ingest.landing.s3 import S3Source
from ingest.landing.sources import LocalFolderSource, SourceObject, index_by_key
from ingest.landing.zone import LandingZone
from ingest.schemas import FOCUS_BILLING_TABLE
from tests.fakes.s3 import BUCKET
from tests.ingest.focus_exports.support import focus_rows, write


def _load(root, tmp_path, **kw):
    landing, bronze = LandingZone(tmp_path / "landing"), tmp_path / "bronze"
    return ingest_exports(FOCUS_EXPORT, FOCUS_BILLING_TABLE, LocalFolderSource(root), "", landing, bronze, **kw)


def _bronze(tmp_path) -> pl.DataFrame:
    return pl.read_parquet(tmp_path / "bronze" / FOCUS_BILLING_TABLE / "**" / "data.parquet", missing_columns="insert")


@pytest.mark.parametrize(
    ("key", "export", "period", "run"),
    [
        ("azure/cpt-focus/20261001-20261031/6f1c-run/part_0_0001.csv.gz", "azure.cpt-focus", "2026-10", "6f1c-run"),
        ("aws/focus/data/BILLING_PERIOD=2026-09/focus-00001.snappy.parquet", "aws.focus.data", "2026-09", None),
        ("gcp/focus/year=2026/month=8/part-0.parquet", "gcp.focus", "2026-08", None),
        ("oci/FOCUS Reports/2026/10/05/0001.csv.gz", "oci.FOCUS Reports", "2026-10", None),
        ("exports/focus-2026-07.csv", "exports", "2026-07", None),
        ("focus_202606.parquet", "default", "2026-06", None),
    ],
)
def test_the_month_comes_from_the_layout_of_the_key(key, export, period, run):
    placed = place(key)
    assert (placed.export, placed.period, placed.run) == (export, period, run)


def test_a_key_with_no_month_fits_no_layout():
    assert place("exports/focus-latest.csv") is None


def test_every_version_and_file_type_loads_into_bronze(tmp_path):
    root = tmp_path / "source"
    write(focus_rows("1.0", "2026-08", "acct-a"), root / "a/focus-2026-08.csv")
    write(focus_rows("1.1", "2026-09", "acct-b"), root / "b/20260901-20260930/run-1/part_0.csv.gz")
    write(focus_rows("1.2", "2026-10", "acct-c"), root / "c/billing_period=2026-10/part-0.parquet")
    loads = _load(root, tmp_path)
    assert sorted((x.billing_period, x.action, x.rows) for x in loads) == [
        ("2026-08", "replaced", 4),
        ("2026-09", "replaced", 4),
        ("2026-10", "replaced", 4),
    ]
    bronze = _bronze(tmp_path)
    assert sorted(bronze["x_FocusVersion"].unique()) == ["1.0", "1.1", "1.2"]
    usage = bronze.filter(pl.col("ChargeCategory") == "Usage")
    assert usage.group_by("x_PricingTier").len().sort("x_PricingTier").rows() == [("on_demand", 6), ("reserved", 3)]
    # the instance type from the SKU's properties (FOCUS 1.1+); a 1.0 export has none to give
    by_version = usage.group_by("x_FocusVersion").agg(pl.col("x_InstanceType").unique()).sort("x_FocusVersion")
    assert by_version.rows() == [
        ("1.0", [None]),
        ("1.1", ["Standard_ND96isr_H100_v5"]),
        ("1.2", ["Standard_ND96isr_H100_v5"]),
    ]
    assert json.loads(usage["Tags"][0]) == {"cpt-cluster": "east", "cpt-deployment": "chat-h100", "team": "search"}
    assert set(bronze["x_SkuMeterCategory"]) == {"Virtual Machines"}  # the export's own x_ columns are kept
    assert bronze["BilledCost"].sum() == pytest.approx(3 * (3 * 98.32 + 1.5))


def test_a_new_run_of_a_month_replaces_it_and_a_repeat_changes_nothing(tmp_path):
    root = tmp_path / "source"
    month = root / "azure/cpt-focus/20261001-20261031"
    first = write(focus_rows("1.2", n=3), month / "run-a/part_0.csv.gz")
    os.utime(first, (time.time() - 3600, time.time() - 3600))
    _load(root, tmp_path)
    again = _load(root, tmp_path)
    assert [x.action for x in again] == ["skipped"]  # the same run: nothing read twice
    write(focus_rows("1.2", n=5), month / "run-b/part_0.csv.gz")  # the provider re-ran the export
    loads = _load(root, tmp_path)
    assert [(x.action, x.rows) for x in loads] == [("replaced", 6)]
    bronze = _bronze(tmp_path)
    assert bronze.height == 6 and bronze["x_DeliveryId"].unique().to_list() == ["azure.cpt-focus/2026-10/run-b"]


def test_a_bad_delivery_is_refused_and_the_last_good_month_kept(tmp_path):
    root = tmp_path / "source"
    path = write(focus_rows("1.2"), root / "exports/focus-2026-10.csv")
    _load(root, tmp_path)
    good = _bronze(tmp_path)
    broken = focus_rows("1.2").with_columns(pl.lit("Refund").alias("ChargeCategory"))
    write(broken, path)
    refused: list = []
    assert _load(root, tmp_path, refused=refused) == []
    assert "focus-2026-10.csv row 1: ChargeCategory = 'Refund' is not a value FOCUS defines" in refused[0].refused
    assert _bronze(tmp_path).equals(good)
    with pytest.raises(BillingFileError, match="row 1: ChargeCategory"):
        _load(root, tmp_path)


def test_a_file_whose_key_names_no_month_is_refused_by_name(tmp_path):
    root = tmp_path / "source"
    write(focus_rows("1.2"), root / "exports/focus-latest.csv")
    write(focus_rows("1.2", "2026-09"), root / "exports/focus-2026-09.csv")
    refused: list = []
    loads = _load(root, tmp_path, refused=refused)
    assert [x.billing_period for x in loads] == ["2026-09"]
    assert "exports/focus-latest.csv: no billing month in its path" in refused[0].refused


def test_without_write_times_the_later_run_name_wins():
    listing = index_by_key(
        [SourceObject(f"x/20261001-20261031/{run}/part.csv", 1) for run in ("2026-11-02T01", "2026-11-03T01")]
    )
    (delivery,), _ = discover(listing, FOCUS_EXPORT)
    assert delivery.data_keys == ("x/20261001-20261031/2026-11-03T01/part.csv",)


def test_from_s3(bucket, moto_server, tmp_path):
    local = write(focus_rows("1.1"), tmp_path / "part_0.csv.gz")
    bucket.upload_file(str(local), BUCKET, "billing/cpt-focus/20261001-20261031/run-1/part_0.csv.gz")
    source = S3Source(BUCKET, endpoint_url=moto_server[0], backoff_seconds=0.01)
    landing, bronze = LandingZone(tmp_path / "landing"), tmp_path / "bronze"
    loads = ingest_exports(FOCUS_EXPORT, FOCUS_BILLING_TABLE, source, "billing/", landing, bronze)
    assert [(x.billing_period, x.rows) for x in loads] == [("2026-10", 4)]
    assert _bronze(tmp_path)["x_FocusVersion"].unique().to_list() == ["1.1"]

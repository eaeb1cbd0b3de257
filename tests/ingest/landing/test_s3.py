"""The S3 billing source against moto's S3 server over real HTTP on 127.0.0.1 (started and stopped here),
with a proxy in front of it that injects throttling (503 SlowDown) and connection resets."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from ingest.aws.deliveries import ingest_aws_billing
from ingest.landing.s3 import S3Source
from ingest.landing.sources import UnsafeKeyError
from ingest.landing.uri import open_source
from ingest.landing.zone import LandingZone
from ingest.sample.cur2 import write_cur2_delivery
from ingest.schemas import AWS_BILLING_TABLE
from tests.fakes.fault_proxy import FaultProxy
from tests.fakes.s3 import BUCKET


def _upload(s3, root: Path, prefix: str = "") -> None:
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        s3.upload_file(str(path), BUCKET, prefix + path.relative_to(root).as_posix())


def _source(url: str) -> S3Source:
    return S3Source(BUCKET, endpoint_url=url, backoff_seconds=0.01)


def _bronze(root: Path) -> pl.DataFrame:
    return pl.read_parquet(root / AWS_BILLING_TABLE / "**" / "*.parquet")


def test_discovers_downloads_and_skips_what_is_already_landed(bucket, moto_server, sample_month, tmp_path):
    url, _ = moto_server
    _upload(bucket, sample_month[0] / "aws")
    zone, bronze = LandingZone(tmp_path / "landing"), tmp_path / "bronze"

    first = ingest_aws_billing(_source(url), "cur2/", zone, bronze)
    assert [(x.format, x.billing_period, x.skipped) for x in first] == [("aws_cur2", "2026-10", False)]
    assert first[0].billed_cost == pytest.approx(sample_month[1]["billed_by_provider_usd"]["aws"], rel=1e-12)
    manifest = zone.manifest("billing/aws")
    landed = {f.key: Path(f.path) for f in manifest}
    assert landed["cur2/cpt-demo/metadata/BILLING_PERIOD=2026-10/cpt-demo-Manifest.json"].exists()
    assert {f.source for f in manifest} == {f"s3://{BUCKET}"} and all(len(f.sha256) == 64 for f in manifest)

    again = ingest_aws_billing(_source(url), "cur2/", zone, bronze)
    assert again[0].skipped and len(zone.manifest("billing/aws")) == len(manifest)  # nothing fetched again


def test_three_deliveries_of_a_month_leave_exactly_the_last_one(bucket, moto_server, sample_month, tmp_path):
    url, _ = moto_server
    local = tmp_path / "bucket"
    table = pq.read_table(next((sample_month[0] / "aws").rglob("*.parquet")))
    zone, bronze = LandingZone(tmp_path / "landing"), tmp_path / "bronze"
    totals = []
    for delivery in range(3):  # each refresh restates the month: every cost grows by 1%
        frame = pl.from_arrow(table).with_columns(pl.col("line_item_unblended_cost") * (1 + delivery / 100))
        execution = write_cur2_delivery(local, frame.to_arrow().cast(table.schema), "2026-10")
        _upload(bucket, local)
        load = ingest_aws_billing(_source(url), "cur2/", zone, bronze)[0]
        assert load.delivery_id == execution and not load.skipped
        totals.append(load.billed_cost)
    stored = _bronze(bronze)
    assert stored.height == ingest_aws_billing(_source(url), "cur2/", zone, bronze)[0].rows
    assert stored["x_DeliveryId"].unique().to_list() == [execution]
    assert stored["BilledCost"].sum() == pytest.approx(totals[-1], rel=1e-12)
    assert totals[-1] == pytest.approx(totals[0] * 1.02, rel=1e-9)


def test_throttling_and_connection_resets_are_retried_then_succeed(bucket, moto_server, sample_month, tmp_path):
    _, port = moto_server
    _upload(bucket, sample_month[0] / "aws")
    with FaultProxy(port) as proxy:
        proxy.inject("GET", r"list-type=2", "slowdown")  # the listing is throttled once
        proxy.inject("GET", r"\.snappy\.parquet", "slowdown", "reset", "slowdown")  # the data file, three times
        proxy.inject("GET", r"-Manifest\.json", "reset")
        loads = ingest_aws_billing(_source(proxy.url), "cur2/", LandingZone(tmp_path / "l"), tmp_path / "b")
    assert loads[0].billed_cost == pytest.approx(sample_month[1]["billed_by_provider_usd"]["aws"], rel=1e-12)
    assert sorted(fault for _, _, fault in proxy.injected) == ["reset", "reset", "slowdown", "slowdown", "slowdown"]
    assert not proxy.faults
    data_gets = [p for m, p in proxy.requests if m == "GET" and ".snappy.parquet" in p]
    assert len(data_gets) == 4  # three faults, then the download that worked


def test_a_fault_that_never_clears_gives_up_with_the_error(bucket, moto_server, sample_month, tmp_path):
    _, port = moto_server
    _upload(bucket, sample_month[0] / "aws")
    with FaultProxy(port) as proxy:
        proxy.inject("GET", r"\.snappy\.parquet", *["slowdown"] * 30)
        source = S3Source(BUCKET, endpoint_url=proxy.url, attempts=2, backoff_seconds=0.01)
        with pytest.raises(Exception, match="SlowDown"):
            ingest_aws_billing(source, "cur2/", LandingZone(tmp_path / "l"), tmp_path / "b")
    assert not (tmp_path / "b" / AWS_BILLING_TABLE / "export=cpt-demo").exists()


@pytest.mark.parametrize("evil", ["../../outside.parquet", "/etc/cron.d/outside.parquet"])
def test_an_object_key_escaping_the_landing_folder_is_refused(bucket, moto_server, sample_month, tmp_path, evil):
    url, _ = moto_server
    root = sample_month[0] / "aws"
    _upload(bucket, root)
    manifest_key = "cur2/cpt-demo/metadata/BILLING_PERIOD=2026-10/cpt-demo-Manifest.json"
    doc = json.loads((root / manifest_key).read_text())
    doc["dataFiles"] = [f"s3://{BUCKET}/{evil}"]
    bucket.put_object(Bucket=BUCKET, Key=manifest_key, Body=json.dumps(doc).encode())
    with pytest.raises(UnsafeKeyError, match="would escape the landing folder"):
        ingest_aws_billing(_source(url), "cur2/", LandingZone(tmp_path / "l"), tmp_path / "b")
    assert not (tmp_path / "outside.parquet").exists() and not list(tmp_path.rglob("outside.parquet"))


def test_open_source_reads_s3_uris_and_folders(moto_server, tmp_path):
    source, prefix = open_source(f"s3://{BUCKET}/exports/cur")
    assert isinstance(source, S3Source) and source.bucket == BUCKET and prefix == "exports/cur"
    local, prefix = open_source(str(tmp_path))
    assert local.name == "local" and prefix == ""
    with pytest.raises(ValueError, match="unsupported source"):
        open_source("ftp://example/x")

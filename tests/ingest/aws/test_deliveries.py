"""AWS deliveries found from their manifests: a re-delivery replaces its month; a broken or doubtful one is refused
with the file named, and bronze keeps the last good month."""

import json
import shutil

import polars as pl
import pyarrow.parquet as pq
import pytest

from ingest.aws.deliveries import discover
from ingest.billing import BillingFileError
from ingest.landing.sources import LocalFolderSource
from ingest.sample.cur2 import write_cur2_delivery
from ingest.schemas import AWS_BILLING_TABLE as AWS_TABLE
from tests.ingest.billing_support import (
    copy_aws,
    load_aws,
    read_bronze,
    restate,
)


def test_redelivery_replaces_the_month_and_unchanged_delivery_is_skipped(sample_month, tmp_path):
    bucket = copy_aws(sample_month, tmp_path)
    first = load_aws(bucket, tmp_path)[0]
    again = load_aws(bucket, tmp_path)[0]
    assert again.skipped and again.delivery_id == first.delivery_id

    # AWS re-delivers the whole month with a restated line and a new execution id: replaced, never appended.
    path = next(bucket.rglob("*.parquet"))
    table = pq.read_table(path)
    restated = pl.from_arrow(table).with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.col("line_item_unblended_cost") + 100.0)
        .otherwise(pl.col("line_item_unblended_cost"))
        .alias("line_item_unblended_cost")
    )
    execution = write_cur2_delivery(bucket, restated.to_arrow().cast(table.schema), "2026-10")
    second = load_aws(bucket, tmp_path)[0]

    assert not second.skipped and second.delivery_id == execution != first.delivery_id
    assert second.billed_cost == pytest.approx(first.billed_cost + 100.0, rel=1e-12)
    stored = read_bronze(tmp_path / "bronze", AWS_TABLE)
    assert stored.height == first.rows
    assert stored["x_DeliveryId"].unique().to_list() == [execution]


def test_only_requested_months_are_loaded(sample_month, tmp_path):
    assert load_aws(sample_month[0] / "aws", tmp_path, periods={"2026-09"}) == []


def test_missing_columns_are_a_clear_error_naming_the_file_and_nothing_is_written(sample_month, tmp_path):
    bucket = copy_aws(sample_month, tmp_path)
    path = next(bucket.rglob("*.parquet"))
    write_cur2_delivery(bucket, pq.read_table(path).drop(["line_item_unblended_cost"]), "2026-10")
    with pytest.raises(BillingFileError, match=r"cpt-demo-00001\.snappy\.parquet.*line_item_unblended_cost"):
        load_aws(bucket, tmp_path)
    assert not (tmp_path / "bronze" / AWS_TABLE / "export=cpt-demo").exists()


def test_wrongly_typed_columns_are_a_clear_error(sample_month, tmp_path):
    bucket = copy_aws(sample_month, tmp_path)
    path = next(bucket.rglob("*.parquet"))
    table = pl.from_arrow(pq.read_table(path)).with_columns(pl.lit("twelve dollars").alias("line_item_unblended_cost"))
    write_cur2_delivery(bucket, table.to_arrow(), "2026-10")
    with pytest.raises(BillingFileError, match="line_item_unblended_cost does not hold Float64"):
        load_aws(bucket, tmp_path)


def test_a_corrupt_parquet_file_is_a_clear_error_and_the_good_month_stays(sample_month, tmp_path):
    bucket = copy_aws(sample_month, tmp_path)
    good = load_aws(bucket, tmp_path)[0]
    path = next(bucket.rglob("*.parquet"))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # truncated upload
    manifest = next(bucket.rglob("*-Manifest.json"))
    doc = json.loads(manifest.read_text())
    doc["executionId"] = "truncated-redelivery"
    manifest.write_text(json.dumps(doc))
    with pytest.raises(BillingFileError, match=r"aws_cur2: cpt-demo-00001\.snappy\.parquet"):
        load_aws(bucket, tmp_path)
    stored = read_bronze(tmp_path / "bronze", AWS_TABLE)
    assert stored["x_DeliveryId"].unique().to_list() == [good.delivery_id]  # last good delivery untouched


def test_a_manifest_naming_a_missing_object_is_a_clear_error(sample_month, tmp_path):
    bucket = copy_aws(sample_month, tmp_path)
    next(bucket.rglob("*.parquet")).unlink()
    with pytest.raises(BillingFileError, match=r"cpt-demo-Manifest\.json names objects that are not in the source"):
        load_aws(bucket, tmp_path)


def test_a_local_mirror_made_below_the_bucket_prefix_loads(sample_month, tmp_path):
    """`aws s3 sync s3://bucket/cur2 ./mirror`: the manifest still names `cur2/cpt-demo/data/…` (its full key), the
    mirror holds `cpt-demo/data/…`; the files are found from the manifest's export folder."""
    mirror = tmp_path / "mirror"
    shutil.copytree(sample_month[0] / "aws" / "cur2", mirror)
    manifest = json.loads(next(mirror.rglob("*-Manifest.json")).read_text())
    assert all(f.split("/", 3)[3].startswith("cur2/cpt-demo/data/") for f in manifest["dataFiles"])

    mirrored = load_aws(mirror, tmp_path / "mirrored")
    synced_whole = load_aws(sample_month[0] / "aws", tmp_path / "whole")

    assert [(x.billing_period, x.rows, x.billed_cost) for x in mirrored] == [
        (x.billing_period, x.rows, x.billed_cost) for x in synced_whole
    ]


def test_a_broken_manifest_is_a_clear_error(sample_month, tmp_path):
    bucket = copy_aws(sample_month, tmp_path)
    next(bucket.rglob("*-Manifest.json")).write_text("{not json")
    with pytest.raises(BillingFileError, match="is not valid JSON"):
        discover(LocalFolderSource(bucket))


def test_a_manifest_listing_a_file_twice_is_refused(sample_month, tmp_path):
    bucket = copy_aws(sample_month, tmp_path)
    manifest = next(bucket.rglob("*-Manifest.json"))
    doc = json.loads(manifest.read_text())
    doc["dataFiles"] = doc["dataFiles"] * 2
    manifest.write_text(json.dumps(doc))
    with pytest.raises(BillingFileError, match="more than once: its rows would be counted twice"):
        load_aws(bucket, tmp_path)
    assert not (tmp_path / "bronze" / AWS_TABLE / "export=cpt-demo").exists()


def test_a_second_export_of_the_same_bill_is_refused_until_one_is_removed(sample_month, tmp_path):
    bucket = copy_aws(sample_month, tmp_path)
    good = load_aws(bucket, tmp_path)[0]
    restate(bucket, lambda frame: frame, export="cpt-demo-copy")  # the same bill from a second export
    refused = []
    loads = load_aws(bucket, tmp_path, refused=refused)
    assert [x.action for x in loads] == ["skipped"]
    assert [x.action for x in refused] == ["refused"]
    assert "already loaded from aws_billing_line_items/export=cpt-demo/billing_period=2026-10" in refused[0].refused
    assert read_bronze(tmp_path / "bronze", AWS_TABLE)["BilledCost"].sum() == pytest.approx(good.billed_cost, rel=1e-12)

    # The team deletes the first export from the bucket: bronze follows, the copy takes over; the month once.
    shutil.rmtree(bucket / "cur2" / "cpt-demo")
    loads = load_aws(bucket, tmp_path)
    assert sorted(x.action for x in loads) == ["removed", "replaced"]
    stored = read_bronze(tmp_path / "bronze", AWS_TABLE)
    assert stored.height == good.rows
    assert stored["BilledCost"].sum() == pytest.approx(good.billed_cost, rel=1e-12)


def test_a_delivery_gone_from_the_source_leaves_bronze_but_an_empty_listing_never_empties_it(sample_month, tmp_path):
    bucket = copy_aws(sample_month, tmp_path)
    load_aws(bucket, tmp_path)
    shutil.rmtree(bucket / "cur2")
    (bucket / "other").mkdir()
    assert load_aws(bucket, tmp_path) == []  # nothing listed at all: a wrong prefix must not wipe bronze
    assert read_bronze(tmp_path / "bronze", AWS_TABLE).height > 0
    november = tmp_path / "november"
    restate(copy_aws(sample_month, tmp_path / "n"), lambda frame: frame)
    shutil.copytree(tmp_path / "n" / "bucket" / "cur2", bucket / "cur2")
    shutil.move(
        bucket / "cur2" / "cpt-demo" / "metadata" / "BILLING_PERIOD=2026-10",
        bucket / "cur2" / "cpt-demo" / "metadata" / "BILLING_PERIOD=2026-11",
    )
    del november
    loads = load_aws(bucket, tmp_path)
    assert sorted((x.billing_period, x.action) for x in loads) == [("2026-10", "removed"), ("2026-11", "replaced")]


def test_changed_content_under_the_same_execution_id_is_read_again_and_said(sample_month, tmp_path):
    bucket = copy_aws(sample_month, tmp_path)
    first = load_aws(bucket, tmp_path)[0]
    path = next(bucket.rglob("*.parquet"))
    table = pl.from_arrow(pq.read_table(path))
    pq.write_table(table.head(table.height - 10).to_arrow(), path, compression="snappy")  # same manifest, same id
    again = load_aws(bucket, tmp_path)[0]
    assert not again.skipped and again.delivery_id == first.delivery_id and again.rows == first.rows - 10
    assert "content changed under the same delivery id" in again.notes[0]

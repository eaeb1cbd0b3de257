"""What every billing delivery goes through (ingest/billing.py): the invoice reproduced, impossible amounts refused
against the account's history, negative usage kept and said. S3 delivery (moto over HTTP) is in landing/test_s3.py."""

import json

import polars as pl
import pyarrow.parquet as pq
import pytest

from ingest.billing import BillingFileError
from ingest.focus import BILLING_SCHEMA
from ingest.gcp.billing_export import ingest_gcp_billing
from ingest.landing.sources import LocalFolderSource
from ingest.landing.zone import LandingZone
from ingest.sample.cur2 import write_cur2_delivery
from ingest.schemas import AWS_BILLING_TABLE as AWS_TABLE
from tests.ingest.billing_support import (
    copy_aws,
    first_row,
    first_row_at,
    load_aws,
    read_bronze,
    restate,
)


def test_cur2_and_gcp_exports_reproduce_the_invoice(sample_month, tmp_path):
    root, truth = sample_month
    aws = load_aws(root / "aws", tmp_path)
    gcp = ingest_gcp_billing(
        LocalFolderSource(root / "gcp"), "", LandingZone(tmp_path / "landing"), tmp_path / "bronze"
    )

    assert [(x.format, x.billing_period) for x in aws + gcp] == [
        ("aws_cur2", "2026-10"),
        ("gcp_billing_export", "2026-10"),
    ]
    assert aws[0].billed_cost == pytest.approx(truth["billed_by_provider_usd"]["aws"], rel=1e-12)
    assert gcp[0].billed_cost == pytest.approx(truth["billed_by_provider_usd"]["gcp"], rel=1e-12)
    assert aws[0].delivery_id == json.loads(next((root / "aws").rglob("*-Manifest.json")).read_text())["executionId"]
    landed = next((tmp_path / "landing").rglob("*.parquet"))
    original = next((root / "aws").rglob("*.parquet"))
    assert landed.read_bytes() == original.read_bytes()  # the landing zone keeps the file byte for byte
    assert set(read_bronze(tmp_path / "bronze", AWS_TABLE).columns) >= set(BILLING_SCHEMA)


@pytest.mark.parametrize(
    "value, message",
    [
        (float("nan"), r"BilledCost = nan \(not a finite number; first: cpt-demo-00001\.snappy\.parquet row 1\)"),
        (float("inf"), r"BilledCost = inf \(not a finite number"),
        (float("-inf"), r"BilledCost = -inf \(not a finite number"),
        (1e300, r"1 lines exceed their ceiling \(first: cpt-demo-00001\.snappy\.parquet row 1, account"),
    ],
    ids=["nan", "inf", "-inf", "1e300"],
)
def test_a_restatement_with_impossible_amounts_is_refused_and_the_good_month_stays(
    sample_month, tmp_path, value, message
):
    bucket = copy_aws(sample_month, tmp_path)
    good = load_aws(bucket, tmp_path)[0]
    good_landed = {p: p.read_bytes() for p in (tmp_path / "landing").rglob("*.parquet")}
    restate(bucket, first_row("line_item_unblended_cost", value))
    with pytest.raises(BillingFileError, match=message):
        load_aws(bucket, tmp_path)
    stored = read_bronze(tmp_path / "bronze", AWS_TABLE)
    assert stored["x_DeliveryId"].unique().to_list() == [good.delivery_id]
    assert stored["BilledCost"].sum() == pytest.approx(good.billed_cost, rel=1e-12)
    assert all(p.read_bytes() == data for p, data in good_landed.items())  # the landed good version is kept
    assert len(list((tmp_path / "landing").rglob("*.parquet"))) == 2  # beside the refused one


def test_the_ceiling_follows_the_accounts_history_and_is_configurable(sample_month, tmp_path):
    from ingest.billing import AmountLimits

    bucket = copy_aws(sample_month, tmp_path)
    good = load_aws(bucket, tmp_path)[0]
    largest = read_bronze(tmp_path / "bronze", AWS_TABLE)["BilledCost"].abs().max()
    # Another month of the same account with one line 50× its largest: fine by default, refused at 10×.
    path = next(bucket.rglob("*.parquet"))
    table = pq.read_table(path)
    november = pl.from_arrow(table).with_columns(
        pl.col(c).dt.offset_by("1mo") for c in ("line_item_usage_start_date", "line_item_usage_end_date")
    )
    november = first_row("line_item_unblended_cost", largest * 50)(november)
    write_cur2_delivery(bucket, november.to_arrow().cast(table.schema), "2026-11")
    with pytest.raises(BillingFileError, match=r"> .*10 × the account's largest earlier line"):
        load_aws(bucket, tmp_path, periods={"2026-11"}, limits=AmountLimits(max_ratio_to_history=10))
    assert load_aws(bucket, tmp_path, periods={"2026-11"})[0].rows == good.rows


def test_negative_usage_lines_are_kept_as_corrections_and_said(sample_month, tmp_path):
    bucket = copy_aws(sample_month, tmp_path)
    path = next(bucket.rglob("*.parquet"))
    frame = pl.from_arrow(pq.read_table(path))
    usage = frame.with_row_index("n").filter(pl.col("line_item_line_item_type") == "Usage")["n"][0]
    restate(bucket, first_row_at(usage, "line_item_unblended_cost", -12.5))
    load = load_aws(bucket, tmp_path)[0]
    assert load.notes == (
        f"1 Usage lines have a negative amount (billed -12.50; first: cpt-demo-00001.snappy.parquet row {usage + 1}):"
        " kept as corrections, netted into their hour's cost pool",
    )

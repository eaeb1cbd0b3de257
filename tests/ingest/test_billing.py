import json
import shutil
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from ingest.aws.cur2 import CUR2
from ingest.billing import BillingFileError, ingest_billing
from ingest.gcp.billing_export import BILLING_EXPORT
from ingest.landing.sources import LocalFolderSource
from ingest.landing.zone import LandingZone

CUR2_PREFIX = "aws/cur2"
GCP_PREFIX = "gcp/billing_export"


def _bronze(root: Path) -> pl.DataFrame:
    return pl.read_parquet(root / "billing_line_items" / "**" / "*.parquet")


def _copy_source(sample_month, tmp_path) -> Path:
    src = tmp_path / "src"
    shutil.copytree(sample_month[0], src)
    return src


def test_cur2_and_gcp_exports_reproduce_the_invoice(sample_month, tmp_path):
    root, truth = sample_month
    source, zone, bronze = LocalFolderSource(root), LandingZone(tmp_path / "landing"), tmp_path / "bronze"
    aws = ingest_billing(source, CUR2_PREFIX, zone, bronze, CUR2)
    gcp = ingest_billing(source, GCP_PREFIX, zone, bronze, BILLING_EXPORT)

    assert [x.billing_period for x in aws + gcp] == ["2026-10", "2026-10"]
    assert aws[0].billed_cost == pytest.approx(truth["billed_by_provider_usd"]["aws"], rel=1e-12)
    assert gcp[0].billed_cost == pytest.approx(truth["billed_by_provider_usd"]["gcp"], rel=1e-12)
    frame = _bronze(bronze)
    assert frame.height == aws[0].rows + gcp[0].rows
    # The landing zone holds the files byte for byte.
    landed = next((tmp_path / "landing").rglob("*.parquet"))
    original = next(root.joinpath(CUR2_PREFIX).rglob("*.parquet"))
    assert landed.read_bytes() == original.read_bytes()


def test_amortization_and_tiers_follow_the_line_item_types(sample_month, tmp_path):
    root, _ = sample_month
    ingest_billing(LocalFolderSource(root), CUR2_PREFIX, LandingZone(tmp_path / "l"), tmp_path / "b", CUR2)
    frame = _bronze(tmp_path / "b")
    by_type = frame.group_by("x_ProviderLineItemType").agg(
        pl.col("BilledCost").sum(), pl.col("EffectiveCost").sum(), pl.col("x_PricingTier").unique()
    )
    row = {r["x_ProviderLineItemType"]: r for r in by_type.to_dicts()}
    # Savings Plan: covered usage is billed at on-demand and negated; the effective cost sits on covered usage.
    assert row["SavingsPlanCoveredUsage"]["BilledCost"] == pytest.approx(-row["SavingsPlanNegation"]["BilledCost"])
    assert row["SavingsPlanNegation"]["EffectiveCost"] == 0
    assert row["DiscountedUsage"]["BilledCost"] == 0 and row["DiscountedUsage"]["EffectiveCost"] > 0
    assert row["RIFee"]["EffectiveCost"] == 0  # fully used reservation: its fee is already on the usage
    assert set(row["Usage"]["x_PricingTier"]) >= {"on_demand", "spot"}
    spot = frame.filter(pl.col("x_PricingTier") == "spot")
    assert spot["PricingCategory"].unique().to_list() == ["Dynamic"]


def test_gcp_commitment_credits_fold_into_usage_and_promotions_become_credit_rows(sample_month, tmp_path):
    root, _ = sample_month
    ingest_billing(LocalFolderSource(root), GCP_PREFIX, LandingZone(tmp_path / "l"), tmp_path / "b", BILLING_EXPORT)
    frame = _bronze(tmp_path / "b")
    committed = frame.filter(pl.col("x_PricingTier") == "committed_use")
    assert committed.height > 0
    assert (committed["BilledCost"] < committed["ContractedCost"]).all()  # the CUD credit is netted in
    credits = frame.filter(pl.col("ChargeCategory") == "Credit")
    assert credits.height == 48 and (credits["BilledCost"] < 0).all()
    assert credits["Tags"].str.contains('"cpt-shared":"gke-usc1"').all()  # they follow the usage they apply to


def test_redelivery_replaces_the_month_and_unchanged_delivery_is_skipped(sample_month, tmp_path):
    src = _copy_source(sample_month, tmp_path)
    source, zone, bronze = LocalFolderSource(src), LandingZone(tmp_path / "landing"), tmp_path / "bronze"
    first = ingest_billing(source, CUR2_PREFIX, zone, bronze, CUR2)[0]
    again = ingest_billing(source, CUR2_PREFIX, zone, bronze, CUR2)[0]
    assert again.skipped and again.delivery_id == first.delivery_id

    # AWS re-delivers the whole month with a restated line: the month is replaced, never appended.
    path = next(src.joinpath(CUR2_PREFIX).rglob("*.parquet"))
    table = pq.read_table(path)
    frame = pl.from_arrow(table)
    restated = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.col("line_item_unblended_cost") + 100.0)
        .otherwise(pl.col("line_item_unblended_cost"))
        .alias("line_item_unblended_cost")
    )
    pq.write_table(restated.to_arrow().cast(table.schema), path)
    second = ingest_billing(source, CUR2_PREFIX, zone, bronze, CUR2)[0]

    assert not second.skipped and second.delivery_id != first.delivery_id
    assert second.billed_cost == pytest.approx(first.billed_cost + 100.0, rel=1e-12)
    stored = _bronze(bronze)
    assert stored.height == first.rows
    assert stored["x_DeliveryId"].unique().to_list() == [second.delivery_id]


def test_missing_columns_are_a_clear_error_naming_the_file(sample_month, tmp_path):
    src = _copy_source(sample_month, tmp_path)
    path = next(src.joinpath(CUR2_PREFIX).rglob("*.parquet"))
    pq.write_table(pq.read_table(path).drop(["line_item_unblended_cost"]), path)
    with pytest.raises(BillingFileError, match=r"cpt-demo-00001\.snappy\.parquet.*line_item_unblended_cost"):
        ingest_billing(LocalFolderSource(src), CUR2_PREFIX, LandingZone(tmp_path / "l"), tmp_path / "b", CUR2)
    assert not (tmp_path / "b" / "billing_line_items" / "format=aws_cur2").exists()


def test_a_currency_without_a_rate_is_refused(sample_month, tmp_path):
    src = _copy_source(sample_month, tmp_path)
    path = next(src.joinpath(GCP_PREFIX).rglob("*.jsonl"))
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    rows[0]["currency"] = "EUR"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(BillingFileError, match=r"\['EUR'\] has no exchange rate"):
        ingest_billing(LocalFolderSource(src), GCP_PREFIX, LandingZone(tmp_path / "l"), tmp_path / "b", BILLING_EXPORT)


def test_unknown_gcp_credit_type_is_refused(sample_month, tmp_path):
    src = _copy_source(sample_month, tmp_path)
    path = next(src.joinpath(GCP_PREFIX).rglob("*.jsonl"))
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    rows[0]["credits"] = [{"name": "x", "amount": -1.0, "full_name": None, "id": "x", "type": "MYSTERY_CREDIT"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(BillingFileError, match="MYSTERY_CREDIT"):
        ingest_billing(LocalFolderSource(src), GCP_PREFIX, LandingZone(tmp_path / "l"), tmp_path / "b", BILLING_EXPORT)

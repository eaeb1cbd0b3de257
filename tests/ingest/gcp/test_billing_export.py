"""The GCP billing export (JSONL, parquet) into bronze: credits, currencies, and refusals that keep the last good
month."""

import json
import shutil

import polars as pl
import pytest

from ingest.billing import BillingFileError
from ingest.gcp.billing_export import ingest_gcp_billing
from ingest.landing.sources import LocalFolderSource
from ingest.landing.zone import LandingZone
from ingest.schemas import GCP_BILLING_TABLE as GCP_TABLE
from tests.ingest.billing_support import gcp_in_currency, gcp_rows, read_bronze, write_gcp


def test_a_currency_without_a_rate_is_refused(sample_month, tmp_path):
    root = gcp_in_currency(sample_month, tmp_path, "CHF")
    with pytest.raises(
        BillingFileError,
        match=r"no exchange rate for \[\('2026-10', 'CHF'\)\].*currency_rates\.csv"
        r".*first: billing_export-\d+\.jsonl row 1\)",
    ):
        ingest_gcp_billing(LocalFolderSource(root), "", LandingZone(tmp_path / "l"), tmp_path / "b")


def test_a_currency_with_a_rate_is_kept_as_billed(sample_month, tmp_path):
    """Bronze keeps the billing currency (FOCUS); dbt converts with seeds/currency_rates.csv."""
    root = gcp_in_currency(sample_month, tmp_path, "EUR")
    ingest_gcp_billing(LocalFolderSource(root), "", LandingZone(tmp_path / "l"), tmp_path / "b")
    assert read_bronze(tmp_path / "b", GCP_TABLE)["BillingCurrency"].unique().to_list() == ["EUR"]


def test_gcp_commitment_credits_fold_into_usage_and_promotions_become_credit_rows(sample_month, tmp_path):
    ingest_gcp_billing(LocalFolderSource(sample_month[0] / "gcp"), "", LandingZone(tmp_path / "l"), tmp_path / "b")
    frame = read_bronze(tmp_path / "b", GCP_TABLE)
    committed = frame.filter(pl.col("x_PricingTier") == "committed_use")
    assert committed.height > 0
    assert (committed["BilledCost"] < committed["ContractedCost"]).all()  # the CUD credit is netted in
    credits = frame.filter(pl.col("ChargeCategory") == "Credit")
    assert credits.height == 48 and (credits["BilledCost"] < 0).all()
    assert credits["Tags"].str.contains('"cpt-shared":"gke-usc1"').all()  # they follow the usage they apply to


def test_unknown_gcp_credit_type_is_refused(sample_month, tmp_path):
    root = tmp_path / "gcp"
    shutil.copytree(sample_month[0] / "gcp", root)
    path = next(root.rglob("*.jsonl"))
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    rows[0]["credits"] = [{"name": "x", "amount": -1.0, "full_name": None, "id": "x", "type": "MYSTERY_CREDIT"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(BillingFileError, match="MYSTERY_CREDIT"):
        ingest_gcp_billing(LocalFolderSource(root), "", LandingZone(tmp_path / "l"), tmp_path / "b")


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda r: r.update(cost="twelve"), "billing_export-000000.jsonl"),  # wrong type
        (lambda r: r.pop("usage_start_time"), r"jsonl: 1 rows lack usage_start_time \(first at row 6\)"),
        (lambda r: r.update(invoice=None), r"jsonl: 1 rows lack invoice\.month \(first at row 6\)"),
        (lambda r: r.update(cost_type="surprise"), "cost_type has values with no rule"),  # unknown value
    ],
    ids=["wrong-type", "missing-field", "missing-nested", "unknown-cost-type"],
)
def test_gcp_rows_of_the_wrong_shape_are_a_clear_error_and_bronze_keeps_the_good_month(
    sample_month, tmp_path, change, message
):
    good = gcp_rows(sample_month)
    root = write_gcp(tmp_path, good)
    first = ingest_gcp_billing(LocalFolderSource(root), "", LandingZone(tmp_path / "l"), tmp_path / "b")[0]
    broken = [dict(r) for r in good]
    change(broken[5])
    path = next(root.rglob("*.jsonl"))
    path.write_text("".join(json.dumps(r) + "\n" for r in broken))
    with pytest.raises(BillingFileError, match=message):
        ingest_gcp_billing(LocalFolderSource(root), "", LandingZone(tmp_path / "l"), tmp_path / "b")
    stored = read_bronze(tmp_path / "b", GCP_TABLE)
    assert stored["x_DeliveryId"].unique().to_list() == [first.delivery_id]
    assert stored["BilledCost"].sum() == pytest.approx(first.billed_cost, rel=1e-12)


def test_gcp_export_parquet_files_read_like_jsonl(sample_month, tmp_path):
    from ingest.gcp.billing_export import EXPORT_SCHEMA

    source = next((sample_month[0] / "gcp").rglob("*.jsonl"))
    frame = pl.read_ndjson(source, schema=EXPORT_SCHEMA).with_columns(
        pl.col(c).str.to_datetime(time_zone="UTC") for c in ("usage_start_time", "usage_end_time", "export_time")
    )
    target = tmp_path / "gcp" / "billing_export" / "invoice_month=202610" / "part-0.parquet"
    target.parent.mkdir(parents=True)
    frame.write_parquet(target)
    loads = ingest_gcp_billing(LocalFolderSource(tmp_path / "gcp"), "", LandingZone(tmp_path / "l"), tmp_path / "b")
    assert loads[0].billed_cost == pytest.approx(sample_month[1]["billed_by_provider_usd"]["gcp"], rel=1e-12)
    stored = read_bronze(tmp_path / "b", GCP_TABLE)
    assert stored["ChargePeriodStart"].min().isoformat() == "2026-10-01T00:00:00"


def test_a_gcp_cost_of_1e999_is_refused(sample_month, tmp_path):
    rows = gcp_rows(sample_month)
    root = write_gcp(tmp_path, rows)
    first = ingest_gcp_billing(LocalFolderSource(root), "", LandingZone(tmp_path / "l"), tmp_path / "b")[0]
    path = next(root.rglob("*.jsonl"))
    lines = path.read_text().splitlines()
    lines[3] = lines[3].replace(f'"cost": {json.dumps(rows[3]["cost"])}', '"cost": 1e999', 1)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(BillingFileError, match=r"not a finite number; first: billing_export-000000\.jsonl row"):
        ingest_gcp_billing(LocalFolderSource(root), "", LandingZone(tmp_path / "l"), tmp_path / "b")
    assert read_bronze(tmp_path / "b", GCP_TABLE)["BilledCost"].sum() == pytest.approx(first.billed_cost, rel=1e-12)


def test_an_exact_copy_of_a_gcp_export_file_is_counted_once(sample_month, tmp_path):
    root = write_gcp(tmp_path, gcp_rows(sample_month))
    path = next(root.rglob("*.jsonl"))
    single = ingest_gcp_billing(LocalFolderSource(root), "", LandingZone(tmp_path / "l1"), tmp_path / "b1")[0]
    shutil.copyfile(path, path.with_name("billing_export-000000 (1).jsonl"))
    load = ingest_gcp_billing(LocalFolderSource(root), "", LandingZone(tmp_path / "l2"), tmp_path / "b2")[0]
    assert load.billed_cost == pytest.approx(single.billed_cost, rel=1e-12) and load.rows == single.rows
    [note] = load.notes
    assert "billing_export-000000 (1).jsonl" in note and "billing_export-000000.jsonl" in note
    assert "is a byte-for-byte copy of" in note and note.endswith("read once")

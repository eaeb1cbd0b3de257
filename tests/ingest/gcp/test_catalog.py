"""Cloud Billing catalog: the real CloudCatalogClient over REST against a local endpoint, with paging."""

import json

import polars as pl
import pytest

from ingest.gcp.billing_export import BILLING_EXPORT, ingest_gcp_billing
from ingest.gcp.catalog import load_list_prices
from ingest.landing.sources import LocalFolderSource
from ingest.landing.zone import LandingZone
from ingest.sample.common import SampleSpec
from ingest.sample.gcp import catalog_skus
from ingest.schemas import GCP_BILLING_TABLE
from tests.fakes.catalog_server import FakeCatalog


def test_gpu_and_gpu_family_skus_are_listed_across_pages(tmp_path):
    skus = catalog_skus(SampleSpec())
    with FakeCatalog(skus, page_size=4) as fake:
        prices = load_list_prices(fake.url, tmp_path / "bronze")
    sku_pages = [p for p in fake.paths if "/skus" in p]
    assert len(sku_pages) == -(-len(skus) // 4)  # every page was read
    assert "N2-CORE" not in set(prices["sku_id"]) and "PD-CAP" not in set(prices["sku_id"])
    assert prices["sku_id"].n_unique() == len(skus) - 2
    h100 = prices.filter((pl.col("sku_id") == "E1D4-H100-OD") & (pl.col("region") == "us-central1"))
    assert h100["unit_price"].to_list() == [pytest.approx(9.796)] and h100["usage_type"].to_list() == ["OnDemand"]
    assert set(prices["usage_type"]) == {"OnDemand", "Preemptible", "Commit1Yr"}
    stored = pl.read_parquet(tmp_path / "bronze" / "gcp_list_prices" / "**" / "*.parquet")
    assert stored.height == prices.height


def test_list_cost_is_filled_from_the_catalog_where_the_export_has_none(sample_month, tmp_path):
    root = tmp_path / "gcp"
    src = next((sample_month[0] / "gcp").rglob("*.jsonl"))
    target = root / src.relative_to(sample_month[0] / "gcp")
    target.parent.mkdir(parents=True)
    rows = [json.loads(line) for line in src.read_text().splitlines()]
    for row in rows:
        row.pop("cost_at_list")
    target.write_text("".join(json.dumps(r) + "\n" for r in rows))
    load_list_prices(str(sample_month[0] / "gcp" / "catalog" / "compute_engine_skus.json"), tmp_path / "bronze")
    ingest_gcp_billing(LocalFolderSource(root), "", LandingZone(tmp_path / "l"), tmp_path / "bronze")
    frame = pl.read_parquet(tmp_path / "bronze" / GCP_BILLING_TABLE / "**" / "*.parquet")
    h100 = frame.filter(pl.col("ChargeDescription") == "Nvidia H100 80GB GPU running in Americas")
    assert h100.height > 0 and (h100["ListCost"] - 8 * 9.796).abs().max() < 1e-9  # 8 GPU-hours × list price
    bigquery = frame.filter(pl.col("ServiceName") == "BigQuery")
    assert (bigquery["ListCost"] == bigquery["ContractedCost"]).all()  # no catalog price: ListCost is the cost
    assert BILLING_EXPORT.name == "gcp_billing_export"


def test_exported_files_are_read_from_gcs(sample_month, tmp_path):
    from ingest.landing.gcs import GcsSource
    from ingest.landing.uri import open_source
    from tests.fakes.gcs_server import FakeGcs

    with FakeGcs("acme-billing-export", sample_month[0] / "gcp", page_size=2) as fake:
        source = GcsSource("acme-billing-export", client=fake.client())
        loads = ingest_gcp_billing(source, "billing_export/", LandingZone(tmp_path / "l"), tmp_path / "b")
    assert [(x.billing_period, x.skipped) for x in loads] == [("2026-10", False)]
    assert loads[0].billed_cost == pytest.approx(sample_month[1]["billed_by_provider_usd"]["gcp"], rel=1e-12)
    assert any("alt=media" in p for p in fake.paths)
    gcs, prefix = open_source("gs://acme-billing-export/billing_export")
    assert isinstance(gcs, GcsSource) and prefix == "billing_export"

"""EC2 list prices: boto3's real pricing client against a local Price List API, with pages and throttling; the
saved response the demo uses; malformed documents refused with their position named."""

import json

import polars as pl
import pytest

from ingest.aws.price_list import gpu_instance_types, list_prices, load_aws_list_prices, products_from_file
from ingest.sample.aws_prices import price_list_documents, write_aws_price_list
from ingest.schemas import AWS_LIST_PRICES_TABLE
from orchestration.resources import DBT_PROJECT_DIR
from tests.fakes.pricing_server import FakePriceList

HARDWARE = DBT_PROJECT_DIR / "seeds" / "hardware_specs.csv"


@pytest.fixture
def aws_credentials(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def test_every_gpu_instance_type_is_priced_in_every_region_across_pages(tmp_path, aws_credentials):
    documents = price_list_documents()
    windows = {**documents[0], "product": {**documents[0]["product"], "sku": "WINDOWS"}}
    windows["product"]["attributes"] = {**documents[0]["product"]["attributes"], "operatingSystem": "Windows"}
    types = gpu_instance_types(HARDWARE)
    with FakePriceList([*documents, windows], page_size=2, throttle_first=1) as fake:
        prices = load_aws_list_prices(fake.url, tmp_path / "bronze", types)
    queried = [r for r in fake.requests if "NextToken" not in r]
    assert sorted({f["Value"] for r in queried for f in r["Filters"] if f["Field"] == "instanceType"}) == types
    assert all({"Field": "operatingSystem", "Type": "TERM_MATCH", "Value": "Linux"} in r["Filters"] for r in queried)
    assert any("NextToken" in r for r in fake.requests)  # pages were followed
    assert "WINDOWS" not in set(prices["sku"])  # the filters are the API's: a Windows instance-hour is not ours
    assert prices["sku"].n_unique() == len(documents)
    on_demand = prices.filter(pl.col("term_type") == "OnDemand")
    p5 = on_demand.filter((pl.col("instance_type") == "p5.48xlarge") & (pl.col("region") == "us-east-1"))
    assert p5["effective_hourly_rate"].to_list() == [55.04] and p5["gpu_count"].to_list() == [8]
    ohio = on_demand.filter((pl.col("instance_type") == "p5.48xlarge") & (pl.col("region") == "us-east-2"))
    assert ohio["effective_hourly_rate"].to_list() == [pytest.approx(55.04 * 0.94)]
    three_years = prices.filter((pl.col("lease_contract_length") == "3yr") & (pl.col("sku") == p5["sku"].item()))
    assert three_years["hourly_rate"].item() == 0 and three_years["purchase_option"].item() == "All Upfront"
    assert three_years["effective_hourly_rate"].item() == pytest.approx(three_years["upfront_fee"].item() / 26280)
    stored = pl.read_parquet(tmp_path / "bronze" / AWS_LIST_PRICES_TABLE / "**" / "*.parquet")
    assert stored.height == prices.height


def test_the_saved_response_loads_like_the_api(tmp_path, aws_credentials):
    path = write_aws_price_list(tmp_path / "source")
    saved = load_aws_list_prices(str(path), tmp_path / "a", [])
    with FakePriceList(price_list_documents(), page_size=50) as fake:
        fetched = load_aws_list_prices(fake.url, tmp_path / "b", gpu_instance_types(HARDWARE))
    columns = [c for c in saved.columns if c != "fetched_at"]
    assert (
        saved.select(columns)
        .sort("sku", "term_type", "lease_contract_length")
        .equals(fetched.select(columns).sort("sku", "term_type", "lease_contract_length"))
    )
    as_strings = tmp_path / "strings.json"  # the API's own shape: each document a JSON string
    as_strings.write_text(json.dumps([json.dumps(d) for d in price_list_documents()]))
    assert len(products_from_file(as_strings)) == len(price_list_documents())


def test_a_malformed_price_list_is_refused_naming_the_file_and_document(tmp_path):
    broken = tmp_path / "prices.json"
    broken.write_text('[{"product": ')
    with pytest.raises(ValueError, match=r"prices\.json: not a JSON list"):
        load_aws_list_prices(str(broken), tmp_path / "bronze", [])
    documents = price_list_documents()[:3]
    documents[2] = {**documents[2], "terms": {"OnDemand": {"x": {"priceDimensions": {"y": {"unit": "Hrs"}}}}}}
    with pytest.raises(ValueError, match=r"document 2 \(sku [0-9A-F]+\): malformed terms"):
        list_prices(documents, origin="prices.json")
    with pytest.raises(ValueError, match="document 0 has no product"):
        list_prices([{"terms": {}}], origin="prices.json")
    assert not (tmp_path / "bronze" / AWS_LIST_PRICES_TABLE).exists()  # nothing written

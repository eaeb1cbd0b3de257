"""Azure cost details exports into bronze: the real anonymized EA sample, and the layout Cost Management writes."""

import json
import os
import shutil
import time
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from ingest.azure.cost_details import AZURE_COST_DETAILS
from ingest.billing import BillingFileError
from ingest.export_layouts import ingest_exports
from ingest.landing.sources import LocalFolderSource
from ingest.landing.zone import LandingZone
from ingest.schemas import AZURE_BILLING_TABLE

SAMPLE = Path(__file__).parents[2] / "fixtures" / "azure_ea_cost_details" / "sample-anonymous-ea-export-dataset.csv"
MONTH = "cpt-actual/20230901-20230930"


def _load(root: Path, tmp_path: Path, **kw):
    landing, bronze = LandingZone(tmp_path / "landing"), tmp_path / "bronze"
    return ingest_exports(AZURE_COST_DETAILS, AZURE_BILLING_TABLE, LocalFolderSource(root), "", landing, bronze, **kw)


def _bronze(tmp_path: Path) -> pl.DataFrame:
    return pl.read_parquet(tmp_path / "bronze" / AZURE_BILLING_TABLE / "**" / "data.parquet")


def _export(root: Path, run: str, csv: Path = SAMPLE) -> Path:
    target = root / MONTH / run / "part_0_0001.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(csv, target)
    return target


def test_the_real_ea_sample_loads_to_its_figures(tmp_path):
    root = tmp_path / "container"
    _export(root, "6f4ec1d2-run")
    (load,) = _load(root, tmp_path)
    assert (load.billing_period, load.action, load.rows) == ("2023-09", "replaced", 27)
    bronze = _bronze(tmp_path)
    assert round(bronze["BilledCost"].sum(), 6) == 1.261369  # 1.26136926505726, as the sample's figure rounds it
    assert round(bronze["EffectiveCost"].sum(), 6) == 1.261369
    assert bronze["BillingCurrency"].unique().to_list() == ["CAD"]  # converted by dbt with its month's rate
    assert bronze.group_by("x_PricingTier").len().sort("x_PricingTier").rows() == [("on_demand", 24), ("spot", 3)]
    charge_days = bronze.select(pl.col("ChargePeriodStart", "ChargePeriodEnd").dt.date()).unique().rows()
    assert charge_days == [(date(2023, 9, 2), date(2023, 9, 3))]  # EA's 9/2/2023 as a day [start, end)
    first = bronze.row(0, named=True)
    assert (first["BillingPeriodStart"].isoformat(), first["BillingPeriodEnd"].isoformat()) == (
        "2023-09-01T00:00:00",
        "2023-10-01T00:00:00",  # EA's inclusive 9/30/2023 as FOCUS's exclusive end
    )
    assert first["ProviderName"] == "Microsoft" and first["SubAccountId"] == "e18e1552-c6dd-45d1-973c-999999999999"
    assert first["Tags"] == '{"tagA":"valueA","tagB":"valueB","tagC":"valueC"}'  # EA's braceless object, read
    assert set(bronze["RegionId"]) == {"centralus", "westus", "westus2", "eastus2"}


def test_a_new_run_of_the_month_replaces_it(tmp_path):
    root = tmp_path / "container"
    first = _export(root, "run-a")
    os.utime(first, (time.time() - 3600, time.time() - 3600))
    _load(root, tmp_path)
    half = tmp_path / "half.csv"
    frame = pl.read_csv(SAMPLE, infer_schema=False)
    frame.head(10).write_csv(half)
    _export(root, "run-b", half)
    (load,) = _load(root, tmp_path)
    assert (load.action, load.rows) == ("replaced", 10)
    assert _bronze(tmp_path)["x_DeliveryId"].unique().to_list() == [
        f"{MONTH.replace('/', '.', 0).split('/')[0]}/2023-09/run-b"
    ]


def test_a_cost_that_is_not_a_number_is_refused_with_its_row(tmp_path):
    root = tmp_path / "container"
    frame = pl.read_csv(SAMPLE, infer_schema=False).with_row_index()
    broken = frame.with_columns(
        pl.when(pl.col("index") == 4)
        .then(pl.lit("n/a"))
        .otherwise(pl.col("CostInBillingCurrency"))
        .alias("CostInBillingCurrency")
    ).drop("index")
    bad = tmp_path / "bad.csv"
    broken.write_csv(bad)
    _export(root, "run-a", bad)
    refused: list = []
    assert _load(root, tmp_path, refused=refused) == []
    assert "part_0_0001.csv row 5: CostInBillingCurrency = 'n/a' is not a number" in refused[0].refused


def test_an_unknown_charge_type_is_named():
    from ingest.mapping import MappingError, apply_rules

    frame = AZURE_COST_DETAILS.read(SAMPLE, AZURE_COST_DETAILS.rules).with_columns(
        pl.lit("Mystery").alias("ChargeType")
    )
    with pytest.raises(MappingError, match=r"ChargeType has values with no rule for ChargeCategory: \['Mystery'\]"):
        apply_rules(AZURE_COST_DETAILS.rules, frame)


def _manifest(run_folder: Path, run_id: str, *names: str) -> None:
    """The manifest.json Cost Management writes into a partitioned export's run folder."""
    blobs = [{"blobName": f"{MONTH}/{run_folder.name}/{name}", "byteCount": 1, "dataRowCount": 1} for name in names]
    manifest = {
        "manifestVersion": "2024-04-01",
        "dataFormat": "Csv",
        "blobCount": len(blobs),
        "runInfo": {"executionType": "Scheduled", "runId": run_id},
        "blobs": blobs,
    }
    (run_folder / "manifest.json").write_text(json.dumps(manifest))


def test_a_partitioned_export_is_read_as_its_manifest_says(tmp_path):
    root = tmp_path / "container"
    frame = pl.read_csv(SAMPLE, infer_schema=False)
    run = root / MONTH / "b51f-run"
    run.mkdir(parents=True)
    frame.head(20).write_csv(run / "part_0_0001.csv")
    frame.slice(20).write_csv(run / "part_0_0002.csv")
    frame.write_csv(run / "part_0_0001 (copy).csv")  # beside the run's files, named by no manifest: not read
    _manifest(run, "6a9c8d04-run-id", "part_0_0001.csv", "part_0_0002.csv")
    (load,) = _load(root, tmp_path)
    assert (load.rows, round(load.billed_cost, 6)) == (27, 1.261369)
    assert load.delivery_id == "cpt-actual/2023-09/6a9c8d04-run-id"  # the manifest's runId
    assert load.files == (f"{MONTH}/b51f-run/part_0_0001.csv", f"{MONTH}/b51f-run/part_0_0002.csv")


def test_a_run_missing_a_file_its_manifest_names_is_refused(tmp_path):
    root = tmp_path / "container"
    good = _export(root, "run-a")
    os.utime(good, (time.time() - 3600, time.time() - 3600))
    _load(root, tmp_path)
    run = root / MONTH / "run-b"
    run.mkdir(parents=True)
    shutil.copyfile(SAMPLE, run / "part_0_0001.csv")
    _manifest(run, "run-b-id", "part_0_0001.csv", "part_0_0002.csv")  # the second part never arrived
    with pytest.raises(BillingFileError, match=r"manifest .*run-b/manifest.json names objects that are not in the"):
        _load(root, tmp_path)
    assert _bronze(tmp_path)["x_DeliveryId"].unique().to_list() == ["cpt-actual/2023-09/run-a"]  # the last good run


def test_reservation_usage_costs_its_amortized_rate_and_the_purchase_nothing(tmp_path):
    """An actual cost export bills a reservation when it is bought and the usage it covers at 0: EffectiveCost
    spreads it over that usage at EffectivePrice × Quantity, BilledCost stays what the invoice bills."""
    root = tmp_path / "container"
    rows = pl.read_csv(SAMPLE, infer_schema=False).head(3)
    reservation = {"PricingModel": ["Reservation"] * 3, "ReservationId": ["r-1"] * 3}
    rows = rows.with_columns(
        pl.Series("ChargeType", ["Purchase", "Usage", "Usage"]),
        pl.Series("CostInBillingCurrency", ["100", "0", "0"]),
        pl.Series("EffectivePrice", ["", "2.5", "2.5"]),
        pl.Series("Quantity", ["1", "4", "4"]),
        *(pl.Series(name, values) for name, values in reservation.items()),
    )
    run = root / MONTH / "run-r"
    run.mkdir(parents=True)
    rows.write_csv(run / "part_0_0001.csv")
    _load(root, tmp_path)
    bronze = _bronze(tmp_path).sort("x_SourceRow")
    assert bronze["BilledCost"].to_list() == [100.0, 0.0, 0.0]
    assert bronze["EffectiveCost"].to_list() == [0.0, 10.0, 10.0]
    assert bronze["x_PricingTier"].to_list() == [None, "reserved", "reserved"]
    assert bronze["CommitmentDiscountStatus"].to_list() == [None, "Used", "Used"]
    assert bronze["CommitmentDiscountId"].unique().to_list() == ["r-1"]


def test_an_amortized_export_is_refused_by_its_manifest(tmp_path):
    root = tmp_path / "container"
    run = _export(root, "run-am").parent
    _manifest(run, "am-1", "part_0_0001.csv")
    manifest = json.loads((run / "manifest.json").read_text())
    (run / "manifest.json").write_text(json.dumps({**manifest, "exportConfig": {"type": "AmortizedCost"}}))
    with pytest.raises(BillingFileError, match=r"AmortizedCost export, whose costs are not what the invoice bills"):
        _load(root, tmp_path)

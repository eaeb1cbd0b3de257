"""OCI cost reports into bronze: the real sample, months read from the rows (a file spanning a month's end split),
a new report file replacing its month, landed files not fetched again, a broken file refused with its row."""

import gzip
import os
import time
from pathlib import Path

import polars as pl
import pytest

from ingest.billing import BillingFileError
from ingest.export_layouts import ingest_exports
from ingest.focus_exports.reader import FOCUS_EXPORT
from ingest.landing.sources import LocalFolderSource
from ingest.landing.zone import LandingZone
from ingest.oci.cost_reports import OCI_COST_REPORT, ingest_cost_reports
from ingest.schemas import FOCUS_BILLING_TABLE, OCI_BILLING_TABLE
from tests.ingest.focus_exports.support import focus_rows, write

SAMPLE = Path(__file__).parents[2] / "fixtures" / "oci_cost_report" / "reports_cost-csv_0000000030000269.csv.gz"
REPORTS = "reports/cost-csv"


class CountingSource(LocalFolderSource):
    """A local folder that counts what is fetched from it."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.fetched: list[str] = []

    def fetch(self, key: str, dest: Path) -> None:
        self.fetched.append(key)
        super().fetch(key, dest)


def _load(source, tmp_path: Path, **kw):
    landing, bronze = LandingZone(tmp_path / "landing"), tmp_path / "bronze"
    return ingest_cost_reports(OCI_COST_REPORT, OCI_BILLING_TABLE, source, "reports/", landing, bronze, **kw)


def _bronze(tmp_path: Path) -> pl.DataFrame:
    return pl.read_parquet(tmp_path / "bronze" / OCI_BILLING_TABLE / "**" / "data.parquet")


def _sample() -> pl.DataFrame:
    return pl.read_csv(SAMPLE, infer_schema=False)


def _report(root: Path, name: str, frame: pl.DataFrame) -> Path:
    path = root / REPORTS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(frame.write_csv().encode()))
    return path


def test_the_real_sample_loads_to_its_figures(tmp_path):
    root = tmp_path / "bucket"
    (root / REPORTS).mkdir(parents=True)
    (root / REPORTS / "0000000030000269.csv.gz").write_bytes(SAMPLE.read_bytes())
    (load,) = _load(LocalFolderSource(root), tmp_path)
    assert (load.billing_period, load.action, load.rows) == ("2023-11", "replaced", 506)
    bronze = _bronze(tmp_path)
    assert round(bronze["BilledCost"].sum(), 6) == 2.523589  # 2.5235893254006485
    assert bronze["BillingCurrency"].unique().to_list() == ["USD"]
    assert bronze["ProviderName"].unique().to_list() == ["Oracle"]
    assert bronze["RegionId"].unique().to_list() == ["us-sanjose-1"]
    first = bronze.row(0, named=True)
    assert (first["ChargePeriodStart"].isoformat(), first["ChargePeriodEnd"].isoformat()) == (
        "2023-11-13T10:00:00",  # written 2023-11-13T10:00Z, without seconds
        "2023-11-13T11:00:00",
    )
    assert (first["BillingPeriodStart"].isoformat(), first["BillingPeriodEnd"].isoformat()) == (
        "2023-11-01T00:00:00",
        "2023-12-01T00:00:00",
    )
    assert '"Valtest.Cat":"boots"' in first["Tags"] and '"Oracle-Tags.CreatedBy"' in first["Tags"]
    categories = dict(bronze.group_by("ServiceCategory").len().rows())
    assert categories == {
        "Management and Governance": 197,
        "Compute": 85,
        "Databases": 148,
        "Networking": 40,
        "Storage": 24,
        "Integration": 12,
    }


def test_a_report_spanning_the_end_of_a_month_is_split_between_the_months(tmp_path):
    root = tmp_path / "bucket"
    rows = _sample().head(4)
    starts = ["2023-10-31T22:00Z", "2023-10-31T23:00Z", "2023-11-01T00:00Z", "2023-11-01T01:00Z"]
    ends = ["2023-10-31T23:00:00Z", "2023-11-01T00:00:00Z", "2023-11-01T01:00:00Z", "2023-11-01T02:00:00Z"]
    rows = rows.with_columns(
        pl.Series("lineItem/intervalUsageStart", starts), pl.Series("lineItem/intervalUsageEnd", ends)
    )
    _report(root, "0001.csv.gz", rows)
    loads = _load(LocalFolderSource(root), tmp_path)
    assert [(x.billing_period, x.rows) for x in loads] == [("2023-10", 2), ("2023-11", 2)]
    bronze = _bronze(tmp_path)
    expected = rows["cost/myCost"].cast(pl.Float64).sum()
    assert bronze["BilledCost"].sum() == pytest.approx(expected, rel=1e-12)  # every row once, none twice


def test_a_new_report_replaces_its_month_and_a_landed_report_is_not_fetched_again(tmp_path):
    root = tmp_path / "bucket"
    sample = _sample()
    _report(root, "0001.csv.gz", sample.head(100))
    source = CountingSource(root)
    (first,) = _load(source, tmp_path)
    assert (first.action, first.rows) == ("replaced", 100)
    (again,) = _load(source, tmp_path)
    assert again.action == "skipped"
    _report(root, "0002.csv.gz", sample.slice(100))
    (second,) = _load(source, tmp_path)
    assert (second.action, second.rows) == ("replaced", 506)
    assert round(_bronze(tmp_path)["BilledCost"].sum(), 6) == 2.523589
    assert source.fetched == [f"{REPORTS}/0001.csv.gz", f"{REPORTS}/0002.csv.gz"]  # each once


def test_a_cost_that_is_not_a_number_is_refused_with_its_row_and_the_month_kept(tmp_path):
    root = tmp_path / "bucket"
    sample = _sample()
    _report(root, "0001.csv.gz", sample.head(100))
    _load(LocalFolderSource(root), tmp_path)
    broken = (
        sample.slice(100)
        .with_row_index()
        .with_columns(
            pl.when(pl.col("index") == 6).then(pl.lit("n/a")).otherwise(pl.col("cost/myCost")).alias("cost/myCost")
        )
    )
    _report(root, "0002.csv.gz", broken.drop("index"))
    with pytest.raises(BillingFileError, match=r"0002.csv.gz.* row 7: cost/myCost = 'n/a' is not a number"):
        _load(LocalFolderSource(root), tmp_path)
    refused: list = []
    assert [x.action for x in _load(LocalFolderSource(root), tmp_path, refused=refused)] == []
    assert [x.action for x in refused] == ["refused"]
    assert _bronze(tmp_path).height == 100  # the last good month


def test_a_file_that_is_not_a_cost_report_is_refused_by_name(tmp_path):
    root = tmp_path / "bucket"
    _report(root, "0001.csv.gz", pl.DataFrame({"a": [1]}))
    with pytest.raises(BillingFileError, match=r"0001.csv.gz.*not an OCI cost report"):
        _load(LocalFolderSource(root), tmp_path)


def test_a_backfill_of_one_month_reads_no_report_written_before_it(tmp_path):
    root = tmp_path / "bucket"
    sample = _sample()
    old = _report(
        root,
        "0001.csv.gz",
        sample.with_columns(
            pl.lit("2023-10-13T10:00Z").alias("lineItem/intervalUsageStart"),
            pl.lit("2023-10-13T11:00:00Z").alias("lineItem/intervalUsageEnd"),
        ),
    )
    october = time.mktime((2023, 10, 14, 0, 0, 0, 0, 0, 0))
    os.utime(old, (october, october))
    _report(root, "0002.csv.gz", sample)
    source = CountingSource(root)
    assert [x.billing_period for x in _load(source, tmp_path, periods={"2023-11"})] == ["2023-11"]
    assert source.fetched == [f"{REPORTS}/0002.csv.gz"]


def test_the_same_tenancy_month_from_the_focus_reports_too_is_refused(tmp_path):
    """OCI writes both its cost reports and FOCUS reports: reading both would count the month twice."""
    root = tmp_path / "bucket"
    _report(root, "0001.csv.gz", _sample())
    _load(LocalFolderSource(root), tmp_path)
    tenancy = _sample()["lineItem/tenantId"][0]
    focus = tmp_path / "focus"
    write(focus_rows("1.0", "2023-11", tenancy), focus / "FOCUS Reports" / "2023" / "11" / "13" / "0001.csv.gz")
    landing, bronze = LandingZone(tmp_path / "landing"), tmp_path / "bronze"
    with pytest.raises(BillingFileError, match=r"already loaded from oci_billing_line_items/export=cost-csv"):
        ingest_exports(FOCUS_EXPORT, FOCUS_BILLING_TABLE, LocalFolderSource(focus), "", landing, bronze)


def test_an_unreadable_report_holds_back_the_months_it_may_hold_and_no_other(tmp_path):
    root = tmp_path / "bucket"
    sample = _sample()
    september = sample.with_columns(
        pl.lit("2023-09-13T10:00Z").alias("lineItem/intervalUsageStart"),
        pl.lit("2023-09-13T11:00:00Z").alias("lineItem/intervalUsageEnd"),
    )
    _report(root, "0001.csv.gz", september)
    _report(root, "0002.csv.gz", sample.head(100))
    _load(LocalFolderSource(root), tmp_path)
    broken = _report(root, "0003.csv.gz", sample.slice(100).drop("lineItem/intervalUsageStart"))
    _report(root, "0004.csv.gz", september.head(10))  # September's new report: its month still loads
    november = time.mktime((2023, 11, 14, 0, 0, 0, 0, 0, 0))
    os.utime(broken, (november, november))
    refused: list = []
    loads = _load(LocalFolderSource(root), tmp_path, refused=refused)
    assert [(x.billing_period, x.action, x.rows) for x in loads] == [("2023-09", "replaced", 516)]
    assert [x.action for x in refused] == ["refused"] and "0003.csv.gz" in refused[0].refused
    bronze = _bronze(tmp_path)
    assert bronze.filter(pl.col("x_BillingPeriod") == "2023-11").height == 100  # November (and October) as they were

"""The OCI Object Storage source through the real ``oci`` client against a local Object Storage endpoint on
127.0.0.1 (started and stopped here), signed with a fresh API key: listing with paging, downloads, the errors
a run names, and the cost reports of a report bucket loaded from it."""

from __future__ import annotations

import gzip

import polars as pl
import pytest

from ingest.export_layouts import ingest_exports
from ingest.focus_exports.reader import FOCUS_EXPORT
from ingest.landing.oci import OciSource
from ingest.landing.sources import SourceUnreachableError
from ingest.landing.uri import open_source
from ingest.landing.zone import LandingZone
from ingest.oci.cost_reports import OCI_COST_REPORT, ingest_cost_reports
from ingest.schemas import FOCUS_BILLING_TABLE, OCI_BILLING_TABLE
from tests.fakes.oci_object_storage import FakeObjectStorage, write_oci_config
from tests.ingest.focus_exports.support import focus_rows, write
from tests.ingest.oci.test_cost_reports import SAMPLE

NAMESPACE, TENANCY = "bling", "ocid1.tenancy.oc1..aaaaaaaadsyhydp66mjpsohqocfcgzaabtrit47ex2igzu2j6lhuadrrglca"


@pytest.fixture
def oci_config(tmp_path, monkeypatch):
    monkeypatch.setenv("OCI_CONFIG_FILE", str(write_oci_config(tmp_path)))
    monkeypatch.delenv("OCI_CLI_AUTH", raising=False)


def test_lists_every_page_and_downloads_what_it_lists(oci_config, tmp_path):
    root = tmp_path / "bucket"
    for n in range(5):
        path = root / "reports" / "cost-csv" / f"{n:016d}.csv.gz"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress(f"row {n}\n".encode() * n))
    (root / "other" / "note.txt").parent.mkdir()
    (root / "other" / "note.txt").write_text("not a report")
    with FakeObjectStorage(NAMESPACE, TENANCY, root, page_size=2) as fake:
        source = OciSource(NAMESPACE, TENANCY, endpoint=fake.url)
        listed = source.list_objects("reports/")
        assert [o.key for o in listed] == [f"reports/cost-csv/{n:016d}.csv.gz" for n in range(5)]
        assert sum("/o?" in r for r in fake.requests) == 3  # five objects, two a page
        assert all(len(o.md5 or "") == 32 and o.modified for o in listed)
        source.fetch(listed[3].key, tmp_path / "copy")
    assert (tmp_path / "copy").read_bytes() == (root / listed[3].key).read_bytes()


def test_the_cost_reports_of_a_report_bucket_load_from_it(oci_config, tmp_path, monkeypatch):
    root = tmp_path / "bucket"
    (root / "reports" / "cost-csv").mkdir(parents=True)
    (root / "reports" / "cost-csv" / "0000000030000269.csv.gz").write_bytes(SAMPLE.read_bytes())
    landing, bronze = LandingZone(tmp_path / "landing"), tmp_path / "bronze"
    with FakeObjectStorage(NAMESPACE, TENANCY, root) as fake:
        monkeypatch.setenv("CPT_OCI_OBJECT_STORAGE_ENDPOINT", fake.url)
        source, prefix = open_source(f"oci://{NAMESPACE}/{TENANCY}/reports/cost-csv")
        assert (source.name, prefix) == (f"oci://{NAMESPACE}/{TENANCY}", "reports/cost-csv")
        (load,) = ingest_cost_reports(OCI_COST_REPORT, OCI_BILLING_TABLE, source, prefix, landing, bronze)
    assert (load.billing_period, load.rows, round(load.billed_cost, 6)) == ("2023-11", 506, 2.523589)


def test_oci_focus_reports_load_through_the_focus_source(oci_config, tmp_path):
    root = tmp_path / "bucket"
    write(focus_rows("1.0", "2026-10", "oci-1"), root / "FOCUS Reports" / "2026" / "10" / "02" / "0001.csv.gz")
    landing, bronze = LandingZone(tmp_path / "landing"), tmp_path / "bronze"
    with FakeObjectStorage(NAMESPACE, TENANCY, root) as fake:
        source = OciSource(NAMESPACE, TENANCY, endpoint=fake.url)
        (load,) = ingest_exports(FOCUS_EXPORT, FOCUS_BILLING_TABLE, source, "FOCUS Reports/", landing, bronze)
    assert (load.billing_period, load.rows) == ("2026-10", 4)
    frame = pl.read_parquet(bronze / FOCUS_BILLING_TABLE / "**" / "data.parquet")
    assert frame["x_FocusVersion"].unique().to_list() == ["1.0"]


def test_a_bucket_it_cannot_read_is_named(oci_config, tmp_path):
    with FakeObjectStorage(NAMESPACE, TENANCY, tmp_path) as fake:
        source = OciSource(NAMESPACE, "ocid1.tenancy.oc1..someone-else", endpoint=fake.url)
        with pytest.raises(SourceUnreachableError, match=r"cannot list oci://bling/ocid1.tenancy.oc1..someone-else/"):
            source.list_objects("reports/")


def test_without_credentials_the_setting_to_fix_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("OCI_CONFIG_FILE", str(tmp_path / "missing" / "config"))
    monkeypatch.delenv("OCI_CLI_AUTH", raising=False)
    with pytest.raises(SourceUnreachableError, match=r"no OCI credentials: .*missing/config"):
        OciSource(NAMESPACE, TENANCY, endpoint="http://127.0.0.1:9").list_objects()


def test_open_source_reads_oci_uris():
    with pytest.raises(ValueError, match="oci://namespace/bucket/prefix"):
        open_source("oci://bling")

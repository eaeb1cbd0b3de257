"""The Azure Blob source through the real azure-storage-blob client against Azurite (the Azure Storage emulator,
on 127.0.0.1): listing and downloads with their MD5, a Cost Management export loaded from a container — the real
EA cost details sample, and a FOCUS export — and a container it cannot read named."""

from __future__ import annotations

import uuid
from pathlib import Path

import polars as pl
import pytest
from azure.storage.blob import ContainerClient

from ingest.azure.cost_details import AZURE_COST_DETAILS
from ingest.export_layouts import ingest_exports
from ingest.focus_exports.reader import FOCUS_EXPORT
from ingest.landing.azure_blob import CONNECTION_STRING, AzureBlobSource
from ingest.landing.sources import SourceUnreachableError
from ingest.landing.uri import open_source
from ingest.landing.zone import LandingZone
from ingest.schemas import AZURE_BILLING_TABLE, FOCUS_BILLING_TABLE
from tests.fakes.azurite import ACCOUNT
from tests.ingest.azure.test_cost_details import SAMPLE
from tests.ingest.focus_exports.support import focus_rows, write

pytestmark = pytest.mark.slow


@pytest.fixture
def container(azurite, monkeypatch):
    """A fresh container; the client reads the emulator's connection string from the environment."""
    monkeypatch.setenv(CONNECTION_STRING, azurite.connection_string)
    client = ContainerClient.from_connection_string(azurite.connection_string, f"exports-{uuid.uuid4().hex[:12]}")
    client.create_container()
    yield client
    client.delete_container()


def _upload(container: ContainerClient, key: str, path: Path) -> None:
    with path.open("rb") as fh:
        container.upload_blob(key, fh)


def test_lists_and_downloads_what_it_lists(container, tmp_path):
    for n in range(3):
        container.upload_blob(f"cost/part_{n}.csv", f"row {n}\n".encode() * (n + 1))
    container.upload_blob("other/note.txt", b"not an export")
    source, prefix = open_source(f"az://{ACCOUNT}/{container.container_name}/cost")
    assert (source.name, prefix) == (f"az://{ACCOUNT}/{container.container_name}", "cost")
    listed = source.list_objects(prefix)
    assert [(o.key, o.size) for o in listed] == [(f"cost/part_{n}.csv", 6 * (n + 1)) for n in range(3)]
    assert all(len(o.md5 or "") == 32 and o.modified for o in listed)
    source.fetch(listed[2].key, tmp_path / "copy")
    assert (tmp_path / "copy").read_bytes() == b"row 2\n" * 3


def test_the_real_ea_cost_details_export_loads_from_a_container(container, tmp_path):
    key = "cost-management/cpt-actual/20230901-20230930/3b2f0a6e-run/part_0_0001.csv"
    _upload(container, key, SAMPLE)
    source, prefix = open_source(f"az://{ACCOUNT}/{container.container_name}/cost-management")
    landing, bronze = LandingZone(tmp_path / "landing"), tmp_path / "bronze"
    (load,) = ingest_exports(AZURE_COST_DETAILS, AZURE_BILLING_TABLE, source, prefix, landing, bronze)
    assert (load.billing_period, load.rows, round(load.billed_cost, 6)) == ("2023-09", 27, 1.261369)
    assert (load.action, load.delivery_id) == ("replaced", "cost-management.cpt-actual/2023-09/3b2f0a6e-run")
    landed = [f for f in landing.manifest("billing/azure") if f.key == key]
    assert landed and landed[0].source == f"az://{ACCOUNT}/{container.container_name}"


def test_a_focus_export_loads_from_a_container(container, tmp_path):
    local = write(focus_rows("1.2", "2026-10", "ea-1"), tmp_path / "part_0_0001.csv.gz")
    _upload(container, "focus/cpt-focus/20261001-20261031/run-1/part_0_0001.csv.gz", local)
    source = AzureBlobSource(ACCOUNT, container.container_name)
    landing, bronze = LandingZone(tmp_path / "landing"), tmp_path / "bronze"
    (load,) = ingest_exports(FOCUS_EXPORT, FOCUS_BILLING_TABLE, source, "focus/", landing, bronze)
    assert (load.billing_period, load.rows) == ("2026-10", 4)
    frame = pl.read_parquet(bronze / FOCUS_BILLING_TABLE / "**" / "data.parquet")
    assert frame["ProviderName"].unique().to_list() == ["Microsoft"]


def test_a_container_it_cannot_read_is_named(azurite, monkeypatch):
    monkeypatch.setenv(CONNECTION_STRING, azurite.connection_string)
    source = AzureBlobSource(ACCOUNT, "no-such-container")
    with pytest.raises(SourceUnreachableError, match=rf"cannot list az://{ACCOUNT}/no-such-container/exports"):
        source.list_objects("exports")


def test_open_source_reads_az_uris():
    with pytest.raises(ValueError, match="az://account/container/prefix"):
        open_source("az://account-only")

"""Every case of the malformed-input corpus through the functions the Dagster assets call: a refused delivery
names its file and leaves bronze and the landed good version as they were; a quarantined record has its reason,
every good record still loads, and rows in = loaded + quarantined."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from ingest.aws.deliveries import ingest_aws_billing
from ingest.gcp.billing_export import ingest_gcp_billing
from ingest.landing.sources import LocalFolderSource
from ingest.landing.zone import LandingZone
from ingest.tokens import gateway, litellm, otel
from ingest.tokens.ingest import ingest_counter_day, ingest_requests_day
from tests.reliability.corpus import CASES, DAY, Case, source_root

DAY_DATE = date(2026, 10, 3)
BILLING = {"aws": ingest_aws_billing, "gcp": ingest_gcp_billing}
TABLES = {"aws": "aws_billing_line_items", "gcp": "gcp_billing_line_items"}
REQUEST_FORMATS = {"gateway": gateway.FORMAT, "litellm": litellm.FORMAT, "otel": otel.FORMAT}


def test_the_corpus_is_large_and_covers_every_source():
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)
    assert {c.source for c in CASES} == {"aws", "gcp", "gateway", "litellm", "otel", "prometheus"}


def _files(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _billing(case: Case, sample: Path, tmp_path: Path) -> None:
    root = tmp_path / "source"
    shutil.copytree(source_root(sample, case), root)
    landing, bronze = LandingZone(tmp_path / "landing"), tmp_path / "bronze"
    ingest = BILLING[case.source]
    [good] = ingest(LocalFolderSource(root), "", landing, bronze)
    table = bronze / TABLES[case.source]
    bronze_before, landed_before = _files(table), _files(tmp_path / "landing")

    case.make(root)
    refused: list = []
    loads = ingest(LocalFolderSource(root), "", landing, bronze, refused=refused)
    if case.outcome == "refused":
        assert [x.action for x in refused] == ["refused"], loads
        assert re.search(case.expect, refused[0].refused), refused[0].refused
        assert _files(table) == bronze_before  # the last good month, byte for byte
        landed_after = _files(tmp_path / "landing")
        assert all(landed_after[p] == data for p, data in landed_before.items() if p.name != "_manifest.jsonl")
    else:
        assert not refused
        [load] = [x for x in loads if x.action == "replaced"]
        assert any(re.search(case.expect, note) for note in load.notes), load.notes
        assert load.billed_cost == pytest.approx(good.billed_cost, rel=1e-12)


def _requests(case: Case, sample: Path, tmp_path: Path) -> None:
    root = tmp_path / "source"
    good_day = source_root(sample, case) / DAY
    if good_day.exists():
        shutil.copytree(good_day, root / DAY)
    (root / DAY).mkdir(parents=True, exist_ok=True)
    bronze = tmp_path / "bronze"
    fmt = REQUEST_FORMATS[case.source]

    def ingest(where: Path):
        return ingest_requests_day(LocalFolderSource(root), "", LandingZone(tmp_path / "l"), where, DAY_DATE, fmt)

    good = ingest(tmp_path / "good")
    case.make(root)
    load = ingest(bronze)
    assert load.rows_in == load.rows_loaded + load.rows_quarantined
    assert load.rows_loaded >= good.rows_loaded  # every good record still loads
    quarantine = pl.read_parquet(bronze / "token_quarantine" / "**" / "*.parquet")
    assert quarantine.height == load.rows_quarantined > 0
    assert quarantine["source_file"].str.starts_with(DAY).all()  # each row names its file
    assert any(re.search(case.expect, reason) for reason in quarantine["reason"]), quarantine["reason"].to_list()
    loaded = pl.read_parquet(bronze / "inference_requests" / "**" / "*.parquet")
    assert loaded.height == load.rows_loaded


def _counters(case: Case, sample: Path, tmp_path: Path) -> None:
    root = tmp_path / "source"
    shutil.copytree(source_root(sample, case) / DAY, root / DAY)

    def ingest(where: Path):
        return ingest_counter_day(LocalFolderSource(root), "", LandingZone(tmp_path / "l"), where, DAY_DATE)

    good = ingest(tmp_path / "good")
    case.make(root)
    load = ingest(tmp_path / "bronze")
    assert load.samples >= good.samples
    if case.outcome == "quarantined":
        quarantine = pl.read_parquet(tmp_path / "bronze" / "token_quarantine" / "**" / "*.parquet")
        assert quarantine.height == load.files_quarantined == 1
        assert re.search(case.expect, quarantine["reason"][0]), quarantine["reason"][0]
        assert quarantine["source_file"][0].startswith(DAY)
    else:
        assert load.resets and all(re.search(case.expect, r) for r in load.resets), load.resets


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus_case(case: Case, sample_month, tmp_path):
    sample, _ = sample_month
    if case.source in BILLING:
        _billing(case, sample, tmp_path)
    elif case.source in REQUEST_FORMATS:
        _requests(case, sample, tmp_path)
    else:
        _counters(case, sample, tmp_path)

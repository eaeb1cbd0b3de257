"""When a month may close, per provider, and what the close's manifest catches — without a warehouse."""

import datetime as dt
import json

from ingest.housekeeping import clean_leftovers
from ingest.reports.build import team_folder_name
from ingest.reports.closing import GCP_FINAL_AFTER_DAYS, not_final
from ingest.reports.store import MANIFEST, closed_months, verify, write_manifest

SEPTEMBER = dt.date(2026, 9, 1)


def test_a_month_closes_only_once_it_has_ended_and_every_provider_s_bill_is_final():
    final = [("aws", 1000, 0), ("gcp", 500, 0)]
    assert not_final(final, SEPTEMBER, dt.date(2026, 10, 1 + GCP_FINAL_AFTER_DAYS)) == []
    # not ended yet: nothing else matters
    assert not_final(final, SEPTEMBER, dt.date(2026, 9, 30)) == ["the month has not ended (it ends on 2026-10-01)"]
    # AWS: an estimated CUR (lines without their invoice id) is not final, however late it is
    estimated = not_final([("aws", 1000, 12)], SEPTEMBER, dt.date(2027, 1, 1))
    assert estimated == [
        "aws: 12 of 1,000 billing lines have no invoice id yet (the CUR is an estimate until AWS issues the "
        "month's invoice)"
    ]
    # GCP and any other provider: final some days into the next month
    early = not_final([("aws", 1000, 0), ("gcp", 500, 0)], SEPTEMBER, dt.date(2026, 10, 3))
    assert early == ["gcp: the bill is final on 2026-10-06 (invoiced early in the next month)"]
    assert not_final([("azure", 10, 10)], SEPTEMBER, dt.date(2026, 10, 6)) == []


def test_the_manifest_names_every_file_changed_added_or_missing_since_the_close(tmp_path):
    folder = tmp_path / "month=2026-09"
    (folder / "reports").mkdir(parents=True)
    (folder / "chargeback.parquet").write_bytes(b"rows")
    (folder / "reports" / "a.pdf").write_bytes(b"pdf")
    manifest = write_manifest(folder, dt.datetime(2026, 10, 6, 9))
    assert set(manifest["files"]) == {"chargeback.parquet", "reports/a.pdf"}  # type: ignore[call-overload]
    assert verify(folder) == [] and closed_months(tmp_path) == [SEPTEMBER]
    (folder / "reports" / "a.pdf").write_bytes(b"edited")
    (folder / "chargeback.parquet").unlink()
    (folder / "extra.csv").write_text("x")
    assert verify(folder) == [
        "chargeback.parquet: missing",
        "reports/a.pdf: changed since the close",
        "extra.csv: added since the close",
    ]
    assert json.loads((folder / MANIFEST).read_text())["closed_at"] == "2026-10-06T09:00:00"


def test_a_close_killed_before_its_rename_leaves_nothing_closed_and_is_cleaned_up(tmp_path):
    data = tmp_path / "data"
    leftover = data / "closing" / ".cpt-close-999999999-2026-09"  # a pid no process has
    (leftover / "reports").mkdir(parents=True)
    (leftover / "chargeback.parquet").write_bytes(b"half")
    assert closed_months(data / "closed") == []
    assert leftover in clean_leftovers(data) and not leftover.exists()


def test_a_team_name_is_a_safe_folder_name():
    assert team_folder_name("search") == "search"
    assert team_folder_name("../ads team/x") == "___ads_team_x"
    assert team_folder_name("..") == "__" and team_folder_name("v1.2") == "v1.2"
    assert team_folder_name("") == "_"

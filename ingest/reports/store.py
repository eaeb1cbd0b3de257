"""The closed-month store: one folder per closed month under the data directory's closed/ folder.

    closed/month=YYYY-MM/months.parquet          the close's record (month, closed_at)
    closed/month=YYYY-MM/chargeback.parquet      fct_chargeback_monthly's rows of the month, as they were
    closed/month=YYYY-MM/reconciliation.parquet  fct_chargeback_reconciliation's rows of the month
    closed/month=YYYY-MM/adjustments.parquet     fct_chargeback_adjustments' rows posted into the month
    closed/month=YYYY-MM/reports/…               the month's report files
    closed/month=YYYY-MM/MANIFEST.json           SHA-256 and size of every file above
    closed/empty/*.parquet                       typed empty files, so that dbt builds before any close

dbt reads closed/*/<table>.parquet (staging/closed). A month's folder is written under a temporary name beside
closed/ and renamed into place whole, so that dbt and readers see a month closed completely or not at all. The
column types of the frozen tables are their dbt contracts (marts/chargeback/_chargeback__models.yml), read here
so that they are written in one place."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from functools import cache
from pathlib import Path

import yaml

from ingest import duck

CONTRACTS = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "marts" / "chargeback"
FROZEN_TABLES = {
    "chargeback": "fct_chargeback_monthly",
    "reconciliation": "fct_chargeback_reconciliation",
    "adjustments": "fct_chargeback_adjustments",
}
MONTHS_COLUMNS = {"month": "date", "closed_at": "timestamp"}
MANIFEST = "MANIFEST.json"


@cache
def frozen_columns(table: str) -> dict[str, str]:
    """The columns and types a frozen table keeps: its model's contract, without is_closed (set by dbt)."""
    models = yaml.safe_load((CONTRACTS / "_chargeback__models.yml").read_text())["models"]
    model = next(m for m in models if m["name"] == FROZEN_TABLES[table])
    return {c["name"]: c["data_type"] for c in model["columns"] if c["name"] != "is_closed"}


def month_folder(closed: Path, month: dt.date) -> Path:
    return closed / f"month={month:%Y-%m}"


def closed_months(closed: Path) -> list[dt.date]:
    """The months closed so far (folders whose manifest was written: the last step of a close)."""
    found = []
    for folder in sorted(closed.glob("month=*")):
        if (folder / MANIFEST).exists():
            found.append(dt.date.fromisoformat(folder.name.removeprefix("month=") + "-01"))
    return found


def _empty_select(columns: dict[str, str]) -> str:
    return "select " + ", ".join(f"cast(null as {kind}) as {name}" for name, kind in columns.items()) + " where false"


def ensure_files(closed: Path) -> None:
    """Typed empty files in closed/empty/, so that the closed-month staging builds before any month is closed."""
    empty = closed / "empty"
    wanted = {"months": MONTHS_COLUMNS} | {table: frozen_columns(table) for table in FROZEN_TABLES}
    if all((empty / f"{name}.parquet").exists() for name in wanted):
        return
    empty.mkdir(parents=True, exist_ok=True)
    with duck.connect() as con:
        for name, columns in wanted.items():
            temporary = empty / f".{name}.tmp"
            con.execute(f"copy ({_empty_select(columns)}) to '{temporary}' (format parquet)")
            temporary.replace(empty / f"{name}.parquet")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(folder: Path, closed_at: dt.datetime) -> dict[str, object]:
    """Every file under `folder` with its size and SHA-256, written last (its presence means: closed)."""
    files = {
        str(path.relative_to(folder)): {"bytes": path.stat().st_size, "sha256": sha256(path)}
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    }
    manifest: dict[str, object] = {"closed_at": closed_at.isoformat(), "files": files}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def verify(folder: Path) -> list[str]:
    """The files of a closed month that differ from its manifest (missing, changed or added); empty when intact."""
    manifest = json.loads((folder / MANIFEST).read_text())
    listed: dict[str, dict[str, object]] = manifest["files"]
    problems = []
    for name, expected in sorted(listed.items()):
        path = folder / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif sha256(path) != expected["sha256"]:
            problems.append(f"{name}: changed since the close")
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.is_file() and name != MANIFEST and name not in listed:
            problems.append(f"{name}: added since the close")
    return problems

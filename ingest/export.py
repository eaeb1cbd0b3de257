"""Exports of the published warehouse for tools that do not open DuckDB: every table of the `analytics` schema as
Parquet and CSV, and a manifest (rows, columns and types, each file's size and SHA-256).

Deterministic: rows are written in a total order (every column) by one thread, and the manifest holds no time, so
the same warehouse exports to the same bytes — a re-run changes nothing a sync tool would copy again.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
from pathlib import Path

from ingest import duck
from ingest.housekeeping import temporary_prefix

SCHEMA = "analytics"
MANIFEST = "manifest.json"
# The column a table's month is read from, in this order of preference (tables without one are exported whole).
_MONTH_COLUMNS = ("usage_date", "usage_hour", "month", "log_day", "ChargePeriodStart")
# The exports run inside the Dagster process, which already holds half a gigabyte or more, and sort every table by
# every column (the same bytes every time): at DuckDB's full limit the process passed 2 GB (FOCUS table of 980k
# rows). Above this they spill — the same bytes, measured ~10 % slower.
EXPORT_MEMORY_LIMIT_BYTES = 1024 * 10**6


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _month_filter(columns: list[str], month: str | None) -> str:
    if month is None:
        return ""
    if not re.fullmatch(r"\d{4}-\d{2}", month):
        raise ValueError(f"month {month!r} is not YYYY-MM")
    column = next((c for c in _MONTH_COLUMNS if c in columns), None)
    if column is None and "billing_period" in columns:
        return f" where billing_period = '{month}'"
    return f" where strftime({column}, '%Y-%m') = '{month}'" if column else ""


def export_warehouse(warehouse: Path, out_dir: Path, month: str | None = None) -> dict:
    """Write every analytics table (only ``month``'s rows where a table has a date) under ``out_dir``; returns the
    manifest, also written as ``out_dir/manifest.json``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest: dict = {"schema": SCHEMA, "month": month, "tables": {}}
    with duck.connect(str(warehouse), read_only=True, memory_limit_at_most=EXPORT_MEMORY_LIMIT_BYTES) as con:
        con.execute("set threads = 1")  # one writer: the same bytes every time
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = ? order by 1", [SCHEMA]
            ).fetchall()
        ]
        for table in tables:
            described = con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position",
                [SCHEMA, table],
            ).fetchall()
            columns = [name for name, _ in described]
            query = f'select * from {SCHEMA}."{table}"{_month_filter(columns, month)} order by all'
            [(rows,)] = con.execute(f"select count(*) from ({query})").fetchall()
            files = {}
            for fmt, options in (("parquet", "format parquet, compression zstd"), ("csv", "format csv, header")):
                path = out_dir / f"{table}.{fmt}"
                con.execute(f"copy ({query}) to '{path}' ({options})")
                files[fmt] = {"file": path.name, "bytes": path.stat().st_size, "sha256": _sha256(path)}
            manifest["tables"][table] = {
                "rows": rows,
                "columns": [{"name": name, "type": kind} for name, kind in described],
                "files": files,
            }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return manifest


def replace_export(warehouse: Path, target: Path) -> dict:
    """Export the whole warehouse into a temporary folder beside ``target``, then put it in ``target``'s place:
    readers see the previous export or the new one, never half of one. A killed export leaves only temporary
    names (ingest.housekeeping cleans those of gone processes)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=temporary_prefix(".cpt-export"), dir=target.parent))
    try:
        manifest = export_warehouse(warehouse, fresh)
        retired = target.parent / f"{temporary_prefix('retired')}{target.name}"
        if target.exists():
            target.rename(retired)
        fresh.rename(target)
        shutil.rmtree(retired, ignore_errors=True)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    return manifest

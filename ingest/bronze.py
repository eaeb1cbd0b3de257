"""Bronze tables: typed parquet, one file per partition, replaced atomically.

``<bronze>/<table>/<key>=<value>/.../*.parquet`` (one ``data.parquet``, or part files streamed by a reader).
Writing a partition replaces it whole (a re-delivered month or a re-read day never appends), and every table
always has ``_empty/data.parquet`` with its schema so that readers of an empty table see zero rows instead of
a missing-file error.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from pathlib import Path

import polars as pl

from ingest.housekeeping import fault_point, temporary_prefix
from ingest.landing.sources import safe_relative_key
from ingest.schemas import BRONZE_TABLES


def partition_path(bronze_root: Path, table: str, partition: dict[str, str]) -> Path:
    parts = [f"{k}={v}" for k, v in partition.items()]
    return bronze_root / safe_relative_key("/".join([table, *parts])) / "data.parquet"


def write_partition(
    frame: pl.DataFrame,
    bronze_root: Path,
    table: str,
    partition: dict[str, str],
    schema: dict[str, pl.DataType],
) -> Path:
    """Replace one partition of a bronze table with ``frame`` (cast to ``schema``)."""
    ensure_table(bronze_root, table, schema)
    typed = frame.select([pl.col(name).cast(dtype) for name, dtype in schema.items()])
    return _atomic_parquet(typed, partition_path(bronze_root, table, partition))


def staging_dir(bronze_root: Path) -> Path:
    """Where readers stream part files before they replace a partition (same file system: renames are atomic)."""
    path = bronze_root / ".staging"
    path.mkdir(parents=True, exist_ok=True)
    return path


def replace_partition(
    bronze_root: Path, table: str, partition: dict[str, str], parts: list[Path], schema: dict[str, pl.DataType]
) -> Path:
    """Replace one partition with already written part files (under ``staging_dir``), moved in by rename:
    the old partition folder is swapped out whole, so readers see the old or the new day, never a mix.

    Part files are named after this load (``part-<load id>-<n>.parquet``): a file name is never reused, so an
    incremental model can tell the files it has already read from new ones by name alone."""
    ensure_table(bronze_root, table, schema)
    folder = partition_path(bronze_root, table, partition).parent
    load_id = uuid.uuid4().hex[:16]
    staging = staging_dir(bronze_root)
    fresh = staging / f"{temporary_prefix('partition')}{load_id}"
    fresh.mkdir()
    for number, part in enumerate(p for p in parts if p.exists()):
        os.replace(part, fresh / f"part-{load_id}-{number:05d}.parquet")
    folder.parent.mkdir(parents=True, exist_ok=True)
    retired = staging / f"{temporary_prefix('retired')}{load_id}"
    # A kill between the two renames would leave no partition: the journal lets the next run finish the swap.
    journal = staging / f"{temporary_prefix('swap')}{load_id}.json"
    journal.write_text(json.dumps({"folder": str(folder), "fresh": str(fresh), "retired": str(retired)}))
    if folder.exists():
        os.replace(folder, retired)
    fault_point("bronze.swap")  # the kill tests' worst moment: the partition is out, the new one not yet in
    os.replace(fresh, folder)
    journal.unlink()
    shutil.rmtree(retired, ignore_errors=True)
    return folder


def ensure_table(bronze_root: Path, table: str, schema: dict[str, pl.DataType]) -> None:
    """Write (or refresh) the table's empty schema file. It carries the current schema, so partitions written
    before a column was added still read, with nulls for it (readers use union_by_name)."""
    empty = bronze_root / table / "_empty" / "data.parquet"
    if not empty.exists() or dict(pl.read_parquet_schema(empty)) != schema:
        _atomic_parquet(pl.DataFrame(schema=schema), empty)


def _atomic_parquet(frame: pl.DataFrame, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    # Not named *.parquet: readers glob bronze for that, and must never see a file still being written.
    fd, tmp = tempfile.mkstemp(prefix=temporary_prefix(".write"), suffix=".parquet.tmp", dir=dest.parent)
    os.close(fd)
    try:
        frame.write_parquet(tmp, compression="zstd", statistics=True)
        fault_point("bronze.write")
        os.replace(tmp, dest)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return dest


def ensure_all_tables(bronze_root: Path) -> None:
    """An empty, typed file for every bronze table, so a source that never delivered reads as zero rows."""
    for table, schema in BRONZE_TABLES.items():
        ensure_table(bronze_root, table, schema)

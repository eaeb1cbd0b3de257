"""Every DuckDB connection the pipeline opens, bounded like dbt's build: a memory limit (above it DuckDB spills
to its temp directory instead of growing: without one it may take 80 % of the machine's RAM), a thread count and
a temp directory of our own, and UTC as the time zone (a timestamp without an offset is read as UTC).

The bounds come from the environment (``cpt`` fills in the defaults below; the README's settings table lists
them), so a process started for one job — ingest, publish, the forecast step, the reports — and dbt's build
obey the same ones.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import duckdb

MEMORY_LIMIT = "1536MB"
THREADS = "2"


def connection_config() -> dict[str, Any]:
    data_dir = os.environ.get("CPT_DATA_DIR")
    spill = os.environ.get("CPT_DUCKDB_TEMP_DIR") or str(
        Path(data_dir) / "tmp" / "duckdb" if data_dir else Path(tempfile.gettempdir()) / "cpt-duckdb"
    )
    return {
        "memory_limit": os.environ.get("CPT_DUCKDB_MEMORY_LIMIT") or MEMORY_LIMIT,
        "threads": os.environ.get("CPT_DUCKDB_THREADS") or THREADS,
        "temp_directory": spill,
    }


def connect(database: str | Path = ":memory:", read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the pipeline's bounds (``database``: a file, or in memory)."""
    con = duckdb.connect(str(database), read_only=read_only, config=connection_config())
    con.execute("set TimeZone = 'UTC'")  # after connecting: the setting needs the ICU extension loaded
    return con

"""Every DuckDB connection the pipeline opens, bounded like dbt's build: a memory limit (above it DuckDB spills
to its temp directory instead of growing: without one it may take 80 % of the machine's RAM), a thread count and
a temp directory of our own, and UTC as the time zone (a timestamp without an offset is read as UTC).

The bounds come from the environment (``cpt`` fills in the defaults below; the README's settings table lists
them), so a process started for one job — ingest, publish, the forecast step, the reports — and dbt's build
obey the same ones.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb

MEMORY_LIMIT = "1536MB"
THREADS = "2"


def connection_config(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The bounds for a process with environment ``env`` (this one's by default)."""
    env = os.environ if env is None else env
    data_dir = env.get("CPT_DATA_DIR")
    spill = env.get("CPT_DUCKDB_TEMP_DIR") or str(
        Path(data_dir) / "tmp" / "duckdb" if data_dir else Path(tempfile.gettempdir()) / "cpt-duckdb"
    )
    return {
        "memory_limit": env.get("CPT_DUCKDB_MEMORY_LIMIT") or MEMORY_LIMIT,
        "threads": env.get("CPT_DUCKDB_THREADS") or THREADS,
        "temp_directory": spill,
    }


_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12}
_UNITS |= {"kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def memory_limit_bytes(env: Mapping[str, str] | None = None) -> int | None:
    """The configured memory limit in bytes (DuckDB's units: MB = 10^6 bytes, MiB = 2^20), or None when it is
    not a plain size (DuckDB then reads it as it is)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?\s*", connection_config(env)["memory_limit"], re.I)
    if not match:
        return None
    return int(float(match[1]) * _UNITS[(match[2] or "b").lower()])


def make_spill_directory(env: Mapping[str, str] | None = None) -> Path:
    """Create the temp directory of a process with environment ``env`` (dbt's too, before a build): DuckDB
    creates only its last level when it first spills, and fails the query when the parent is missing."""
    spill = Path(connection_config(env)["temp_directory"])
    spill.mkdir(parents=True, exist_ok=True)
    return spill


def connect(
    database: str | Path = ":memory:", read_only: bool = False, memory_limit_at_most: int | None = None
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the pipeline's bounds (``database``: a file, or in memory); ``memory_limit_at_most``
    (bytes) lowers the configured memory limit for a job that shares its process with other work."""
    make_spill_directory()
    config = connection_config()
    configured = memory_limit_bytes()
    if memory_limit_at_most is not None and (configured is None or configured > memory_limit_at_most):
        config["memory_limit"] = f"{memory_limit_at_most // 10**6}MB"
    con = duckdb.connect(str(database), read_only=read_only, config=config)
    con.execute("set TimeZone = 'UTC'")  # after connecting: the setting needs the ICU extension loaded
    return con

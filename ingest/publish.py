"""Publishing the warehouse: readers never see a half-built state and are never blocked by a build.

dbt writes ``warehouse/build/cpt.duckdb``; once its checks pass, the file is copied next to the published one and
renamed over it. A reader that opened the old file keeps reading the old snapshot; the next open sees the new one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb

from ingest.housekeeping import temporary_prefix


def publish(build: Path, published: Path) -> Path:
    if not build.exists():
        raise FileNotFoundError(f"no warehouse build at {build}: run the dbt assets first")
    # A clean checkpoint first, so that the copied file holds everything (no pending WAL).
    with duckdb.connect(str(build)) as con:
        con.execute("checkpoint")
    published.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=temporary_prefix(".publish"), suffix=".duckdb", dir=published.parent)
    os.close(fd)
    try:
        shutil.copyfile(build, tmp)
        os.chmod(tmp, 0o644)  # readable by analysts' tools (mkstemp creates 0600)
        os.replace(tmp, published)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return published

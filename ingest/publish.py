"""Publishing the warehouse: readers never see a half-built state and are never blocked by a build.

dbt writes ``warehouse/build/cpt.duckdb``; once its checks pass, the file is copied next to the published one,
made self-contained, and renamed over it. A reader that opened the old file keeps reading the old snapshot; the
next open sees the new one.

Self-contained: the build's staging views read bronze files (``read_parquet('…/bronze/…')``). Published, they
would show live bronze — data a refused or half-finished load may have touched since the build, and an error
once a run rewrites a partition or the file is copied to another host. The published copy keeps only what
lives in the file: every view that reads a file path, and every view that depends on one, is dropped.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import duckdb

from ingest import duck
from ingest.housekeeping import fault_point, temporary_prefix

# A view reads outside the file when its SQL calls a table function over files.
_READS_FILES = re.compile(r"\b(read_parquet|parquet_scan|read_json\w*|read_csv\w*|read_text|read_blob|glob)\s*\(", re.I)


_VIEWS = "from duckdb_views() where not internal and database_name = current_database()"


def external_views(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(schema, view) of every view whose SQL reads files."""
    views = con.execute(f"select schema_name, view_name, sql {_VIEWS}").fetchall()
    return [(schema, name) for schema, name, sql in views if _READS_FILES.search(sql or "")]


# The schemas dbt builds (dbt_project/macros/schemas.sql); anything else in a build file is left from an older layout.
PUBLISHED_SCHEMAS = ("analytics", "internal")


def drop_other_schemas(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Drop the tables and views outside the schemas dbt builds; returns their names."""
    dropped = []
    objects = con.execute(
        "select schema_name, table_name, 'table' from duckdb_tables() where database_name = current_database() "
        "union all select schema_name, view_name, 'view' from duckdb_views() where not internal "
        "and database_name = current_database()"
    ).fetchall()
    for schema, name, kind in objects:
        if schema not in PUBLISHED_SCHEMAS:
            con.execute(f'drop {kind} "{schema}"."{name}"')
            dropped.append(f"{schema}.{name}")
    return dropped


def make_self_contained(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Drop the views that read files, then every view left broken by that; returns the names dropped."""
    dropped = drop_other_schemas(con)
    for schema, name in external_views(con):
        con.execute(f'drop view "{schema}"."{name}"')
        dropped.append(f"{schema}.{name}")
    while True:  # views over dropped views no longer bind
        broken = []
        for schema, name in con.execute(f"select schema_name, view_name {_VIEWS}").fetchall():
            try:
                con.execute(f'select * from "{schema}"."{name}" limit 0')
            except duckdb.Error:
                broken.append((schema, name))
        if not broken:
            return dropped
        for schema, name in broken:
            con.execute(f'drop view "{schema}"."{name}"')
            dropped.append(f"{schema}.{name}")


def publish(build: Path, published: Path) -> tuple[Path, list[str]]:
    """Copy the build to ``published`` (atomically), self-contained; returns (path, views left out)."""
    if not build.exists():
        raise FileNotFoundError(f"no warehouse build at {build}: run the dbt assets first")
    # A clean checkpoint first, so that the copied file holds everything (no pending WAL).
    with duck.connect(str(build)) as con:
        con.execute("checkpoint")
    published.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=temporary_prefix(".publish"), suffix=".duckdb", dir=published.parent)
    os.close(fd)
    try:
        shutil.copyfile(build, tmp)
        with duck.connect(tmp) as con:
            dropped = make_self_contained(con)
            con.execute("checkpoint")
        Path(f"{tmp}.wal").unlink(missing_ok=True)
        os.chmod(tmp, 0o644)  # readable by analysts' tools (mkstemp creates 0600)
        fault_point("publish")
        os.replace(tmp, published)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return published, dropped

"""What a killed process leaves is never read and is cleaned by the next run; live runs' files are kept."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import duckdb
import polars as pl

from ingest.bronze import replace_partition, staging_dir, write_partition
from ingest.housekeeping import clean_leftovers, finish_interrupted_swaps

SCHEMA = {"id": pl.Int64, "cost": pl.Float64}


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _bronze_rows(bronze) -> int:
    glob = f"{bronze}/t/**/*.parquet"  # how dbt's sources read bronze
    with duckdb.connect() as con:
        return con.execute(f"select count(*) from read_parquet('{glob}', union_by_name=true)").fetchone()[0]


def test_a_killed_writers_files_are_invisible_to_readers_and_cleaned(tmp_path):
    bronze = tmp_path / "bronze"
    write_partition(pl.DataFrame({"id": [1, 2], "cost": [1.0, 2.0]}), bronze, "t", {"day": "2026-10-01"}, SCHEMA)
    folder = bronze / "t" / "day=2026-10-01"
    dead = _dead_pid()
    (folder / f".write-{dead}-abc.parquet.tmp").write_bytes(b"")  # killed before writing a byte
    pl.DataFrame({"id": [1, 2], "cost": [1.0, 2.0]}).write_parquet(folder / f".write-{dead}-def.parquet.tmp")
    (bronze / ".staging" / f"partition-{dead}-0123").mkdir(parents=True)
    (bronze / ".staging" / f"cpt-tokens-{dead}-x" / "parts").mkdir(parents=True)
    publish_copy = tmp_path / "warehouse" / f".publish-{dead}-x.duckdb"
    publish_copy.parent.mkdir()
    publish_copy.write_bytes(b"half a database")
    for folder_name, leftover in [("forecast", "series_forecasts.parquet.tmp"), ("alerts", "sent.json.tmp")]:
        (tmp_path / folder_name).mkdir()
        (tmp_path / folder_name / f".write-{dead}-{leftover}").write_bytes(b"half a file")
    assert _bronze_rows(bronze) == 2

    # Named as before temporary names carried a process id (and ended in .parquet, so readers failed on it).
    (folder / ".write-k3j2h1.parquet").write_bytes(b"")
    removed = clean_leftovers(tmp_path)
    assert {p.name for p in removed} >= {
        f".write-{dead}-abc.parquet.tmp",
        f".write-{dead}-def.parquet.tmp",
        f"partition-{dead}-0123",
        f"cpt-tokens-{dead}-x",
        f".publish-{dead}-x.duckdb",
        ".write-k3j2h1.parquet",
        f".write-{dead}-series_forecasts.parquet.tmp",  # the forecast step's and the alerts' files too
        f".write-{dead}-sent.json.tmp",
    }
    assert sorted(p.name for p in folder.iterdir()) == ["data.parquet"]
    assert not publish_copy.exists()
    assert _bronze_rows(bronze) == 2


def test_a_live_processes_files_are_kept(tmp_path):
    live = tmp_path / "bronze" / ".staging" / f"cpt-tokens-{os.getpid()}-x"
    live.mkdir(parents=True)
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        busy = tmp_path / "bronze" / "t" / f".write-{other.pid}-a.parquet.tmp"
        busy.parent.mkdir(parents=True)
        busy.write_bytes(b"")
        assert clean_leftovers(tmp_path) == []
        assert live.exists() and busy.exists()
    finally:
        other.kill()
        other.wait()
    assert clean_leftovers(tmp_path) == [busy]


def test_a_swap_killed_between_its_renames_is_finished(tmp_path):
    bronze = tmp_path / "bronze"
    day = {"day": "2026-10-01"}
    part = staging_dir(bronze) / "p.parquet"
    pl.DataFrame({"id": [1], "cost": [1.0]}).write_parquet(part)
    folder = replace_partition(bronze, "t", day, [part], SCHEMA)
    dead = _dead_pid()

    # Killed after the old partition moved out, before the new one moved in: the new one is rolled forward.
    fresh = staging_dir(bronze) / f"partition-{dead}-n"
    fresh.mkdir()
    pl.DataFrame({"id": [7, 8], "cost": [7.0, 8.0]}).write_parquet(fresh / "part-n-00000.parquet")
    retired = staging_dir(bronze) / f"retired-{dead}-n"
    os.replace(folder, retired)
    journal = staging_dir(bronze) / f"swap-{dead}-n.json"
    journal.write_text(json.dumps({"folder": str(folder), "fresh": str(fresh), "retired": str(retired)}))
    assert finish_interrupted_swaps(staging_dir(bronze)) == [folder]
    assert _bronze_rows(bronze) == 2 and not journal.exists()

    # Killed with the new partition incomplete (gone): the old one is put back.
    retired = staging_dir(bronze) / f"retired-{dead}-m"
    os.replace(folder, retired)
    journal.write_text(json.dumps({"folder": str(folder), "fresh": str(tmp_path / "gone"), "retired": str(retired)}))
    clean_leftovers(tmp_path)
    assert _bronze_rows(bronze) == 2
    assert not any(staging_dir(bronze).iterdir())

"""Every DuckDB connection the pipeline opens is bounded like dbt's build: memory limit, threads, temp directory."""

import ast
import re
from pathlib import Path

import duckdb
import pytest

from ingest import duck

ROOT = Path(__file__).resolve().parents[1]


def test_no_module_opens_duckdb_without_the_bounds():
    unbounded = []
    for path in sorted([*ROOT.glob("ingest/**/*.py"), *ROOT.glob("orchestration/**/*.py")]):
        if path == ROOT / "ingest" / "duck.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr == "connect" and getattr(node.value, "id", "") == "duckdb":
                unbounded.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not unbounded, f"use ingest.duck.connect: {unbounded}"


def test_a_connection_takes_its_bounds_from_the_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("CPT_DUCKDB_MEMORY_LIMIT", "300MB")
    monkeypatch.setenv("CPT_DUCKDB_THREADS", "1")
    monkeypatch.setenv("CPT_DUCKDB_TEMP_DIR", str(tmp_path / "spill"))
    with duck.connect(tmp_path / "w.duckdb") as con:
        settings = con.sql(
            "select current_setting('memory_limit'), current_setting('threads'),"
            " current_setting('temp_directory'), current_setting('TimeZone')"
        ).fetchall()[0]
        # a sort of 3M rows needs more than 40 MB: it spills into the temp directory instead of failing
        con.execute("set memory_limit = '40MB'")
        con.execute("create table t as select range as x, md5(range::varchar) as y from range(3000000)")
        assert con.sql("select count(*) from (select * from t order by y)").fetchall() == [(3_000_000,)]
    assert settings == ("286.1 MiB", 1, str(tmp_path / "spill"), "UTC")
    monkeypatch.delenv("CPT_DUCKDB_TEMP_DIR")
    monkeypatch.setenv("CPT_DATA_DIR", str(tmp_path / "data"))
    assert duck.connection_config()["temp_directory"] == str(tmp_path / "data" / "tmp" / "duckdb")


def test_the_default_temp_directory_of_a_fresh_data_directory_takes_a_spill(tmp_path, monkeypatch):
    # DuckDB creates only the last level of its temp directory: data/tmp/duckdb needs data/tmp made first
    monkeypatch.delenv("CPT_DUCKDB_TEMP_DIR", raising=False)
    monkeypatch.setenv("CPT_DUCKDB_THREADS", "1")
    monkeypatch.setenv("CPT_DATA_DIR", str(tmp_path / "data"))
    (tmp_path / "data").mkdir()
    with duck.connect(tmp_path / "data" / "w.duckdb") as con:
        con.execute("set memory_limit = '40MB'")
        con.execute("create table t as select range as x, md5(range::varchar) as y from range(3000000)")
        assert con.sql("select count(*) from (select * from t order by y)").fetchall() == [(3_000_000,)]
    assert (tmp_path / "data" / "tmp" / "duckdb").is_dir()
    dbt_env = {"CPT_DATA_DIR": str(tmp_path / "other")}  # dbt's build is given its own: made before it starts
    assert (
        duck.make_spill_directory(dbt_env) == tmp_path / "other" / "tmp" / "duckdb"
        and duck.make_spill_directory(dbt_env).is_dir()
    )


def test_dbt_gives_duckdb_its_bounds_when_the_database_opens_not_per_cursor():
    # dbt-duckdb applies `settings` to every cursor it opens; DuckDB refuses to set temp_directory again once a
    # query has spilled there, which failed every node after the first spill of an L build.
    import yaml

    profile = yaml.safe_load((ROOT / "dbt_project" / "profiles.yml").read_text())["cpt"]["outputs"]["duckdb"]
    assert {"memory_limit", "threads", "temp_directory"} <= set(profile["config_options"])
    assert not {"memory_limit", "threads", "temp_directory"} & set(profile["settings"])


def _daily_percentiles(window: bool) -> str:
    """Two columns' p50 and p99 per group, the way the latency models take them (over a window) or grouped."""
    if window:
        return (
            "select d, k, lat, ttft from (select d, k, quantile_cont(lat, [0.5, 0.99]) over g as lat,"
            " quantile_cont(ttft, [0.5, 0.99]) over g as ttft, row_number() over (partition by d, k) as row_in_group"
            " from r window g as (partition by d, k)) where row_in_group = 1 order by d, k"
        )
    return (
        "select d, k, quantile_cont(lat, [0.5, 0.99]) as lat, quantile_cont(ttft, [0.5, 0.99]) as ttft"
        " from r group by d, k order by d, k"
    )


def test_percentiles_over_a_window_spill_where_grouped_ones_run_out_of_memory(tmp_path, monkeypatch):
    # 4M requests, 2 columns: 64 MB of values, more than the limit. A grouped percentile holds every group's
    # values at once and cannot spill; over a window, DuckDB partitions and spills, one group's values at a time.
    monkeypatch.setenv("CPT_DUCKDB_TEMP_DIR", str(tmp_path / "spill"))
    with duck.connect(tmp_path / "w.duckdb") as con:
        con.execute(
            "create table r as select i % 31 as d, i % 7 as k, hash(i) % 100000 / 10.0 as lat,"
            " hash(i + 1) % 10000 / 10.0 as ttft from range(4000000) t(i)"
        )
        grouped = con.sql(_daily_percentiles(window=False)).fetchall()
        con.execute("set memory_limit = '48MB'")
        assert con.sql(_daily_percentiles(window=True)).fetchall() == grouped
        with pytest.raises(duckdb.OutOfMemoryException):
            con.sql(_daily_percentiles(window=False)).fetchall()


def test_every_percentile_of_per_request_values_is_taken_over_a_window():
    grouped = []
    for model in sorted(ROOT.glob("dbt_project/models/**/*.sql")):
        sql = model.read_text()
        for call in re.finditer(r"\{\{\s*percentiles?\(\s*'([^']*)'[^}]*\}\}\s*(\w*)", sql):
            column, follows = call.groups()
            if column.split(".")[-1] in {"latency_ms", "ttft_ms"} and follows != "over":
                grouped.append(f"{model.relative_to(ROOT)}: {call.group(0)}")
    assert not grouped, f"a grouped percentile of every request cannot spill: take it over a window: {grouped}"


def test_the_memory_limit_is_read_in_duckdb_s_units():
    assert duck.memory_limit_bytes({"CPT_DUCKDB_MEMORY_LIMIT": "1536MB"}) == 1_536_000_000
    assert duck.memory_limit_bytes({"CPT_DUCKDB_MEMORY_LIMIT": "1.5 GiB"}) == 1_610_612_736
    assert duck.memory_limit_bytes({"CPT_DUCKDB_MEMORY_LIMIT": "300mb"}) == 300_000_000
    assert duck.memory_limit_bytes({}) == 1_536_000_000  # the default
    assert duck.memory_limit_bytes({"CPT_DUCKDB_MEMORY_LIMIT": "80%"}) is None  # not a size: left to DuckDB


@pytest.mark.parametrize(
    ("configured", "at_most", "expected"),
    [("1536MB", 1024 * 10**6, 1024 * 10**6), ("300MB", 1024 * 10**6, 300 * 10**6), ("80%", 1024 * 10**6, 1024 * 10**6)],
)
def test_a_job_sharing_its_process_lowers_the_limit_never_raises_it(
    monkeypatch, tmp_path, configured, at_most, expected
):
    monkeypatch.setenv("CPT_DUCKDB_MEMORY_LIMIT", configured)
    monkeypatch.setenv("CPT_DATA_DIR", str(tmp_path))
    with duck.connect(memory_limit_at_most=at_most) as con:
        (limit,) = con.execute("select value from duckdb_settings() where name = 'memory_limit'").fetchone()
    assert duck.memory_limit_bytes({"CPT_DUCKDB_MEMORY_LIMIT": limit.replace(" ", "")}) == pytest.approx(
        expected, rel=0.05
    )

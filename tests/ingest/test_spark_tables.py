"""Loading the tables a Spark build wrote into the DuckDB build file: all of them, or only what one dbt invocation
built (its run_results.json)."""

from __future__ import annotations

import datetime as dt

import duckdb

from ingest.spark_tables import built_tables, load_spark_tables


def _write(folder, rows: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        con.execute(f"copy (select * from (values {rows}) t(n)) to '{folder / 'part-00000.parquet'}' (format parquet)")


def _rows(build, name: str) -> list:
    with duckdb.connect(str(build), read_only=True) as con:
        return con.execute(f"select * from {name} order by all").fetchall()


def test_every_table_then_only_the_ones_an_invocation_built(tmp_path):
    tables, build = tmp_path / "tables", tmp_path / "build" / "cpt.duckdb"
    _write(tables / "internal.db" / "int_a", "(1), (2)")
    _write(tables / "analytics.db" / "fct_b" / "usage_date=2026-10-01", "(3)")
    assert load_spark_tables(tables, build) == {"internal.int_a": 2, "analytics.fct_b": 1}
    assert _rows(build, "analytics.fct_b") == [(3, dt.date(2026, 10, 1))]  # the partition, a date

    _write(tables / "internal.db" / "int_a", "(7)")  # rebuilt by Spark, but not by this invocation's account
    _write(tables / "analytics.db" / "fct_b" / "usage_date=2026-10-02", "(4)")
    assert load_spark_tables(tables, build, only={"fct_b"}) == {"analytics.fct_b": 2}
    assert _rows(build, "internal.int_a") == [(1,), (2,)]  # as the last copy left it
    assert [n for n, _ in _rows(build, "analytics.fct_b")] == [3, 4]


def test_what_an_invocation_built_is_its_successful_models_and_seeds():
    results = {
        "results": [
            {"unique_id": "operation.cpt.cpt-on-run-start-0", "status": "success", "relation_name": None},
            {"unique_id": "model.cpt.fct_cpt_daily", "status": "success", "relation_name": "analytics.fct_cpt_daily"},
            {"unique_id": "seed.cpt.budgets", "status": "success", "relation_name": None},  # as dbt-spark leaves it
            {"unique_id": "model.cpt.fct_broken", "status": "error", "relation_name": "analytics.fct_broken"},
            {"unique_id": "test.cpt.not_null_x.1a2b", "status": "pass", "relation_name": None},
            {"unique_id": "unit_test.cpt.fct_cpt_daily.t", "status": "pass", "relation_name": None},
        ]
    }
    assert built_tables(results) == {"fct_cpt_daily", "budgets"}

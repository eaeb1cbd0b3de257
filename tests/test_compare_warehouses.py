"""The warehouse comparison used to prove a refactor left the money alone tells same from different."""

import duckdb

from orchestration.compare_warehouses import compare


def _warehouse(path, amount: str) -> str:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema analytics")
        con.execute("create table analytics.fct_cpt_daily (team varchar, total_cost decimal(38, 12))")
        con.execute(f"insert into analytics.fct_cpt_daily values ('a', 1.5), ('b', {amount}), ('b', {amount})")
        con.execute("create table analytics.ops_load_history (landed_at timestamp)")
        con.execute("insert into analytics.ops_load_history values (now())")
    return str(path)


def test_identical_warehouses_are_the_same_and_one_changed_row_is_not(tmp_path):
    before = _warehouse(tmp_path / "before.duckdb", "2.25")
    assert compare(before, _warehouse(tmp_path / "same.duckdb", "2.25")) == [
        "same fct_cpt_daily: 3 rows, 0 only before, 0 only after"
    ]
    changed = compare(before, _warehouse(tmp_path / "changed.duckdb", "2.250000000001"))
    assert changed == ["DIFFERENT fct_cpt_daily: 3 rows, 2 only before, 2 only after"]


def test_with_a_tolerance_a_fraction_apart_in_its_last_places_is_the_same_and_a_count_never(tmp_path):
    before = _warehouse(tmp_path / "before.duckdb", "2.25")
    assert compare(before, _warehouse(tmp_path / "close.duckdb", "2.250000000001"), tolerance=1e-9) == [
        "same within 1e-09 fct_cpt_daily: 3 rows, largest decimal difference 1e-12"
    ]
    assert compare(before, _warehouse(tmp_path / "far.duckdb", "2.2501"), tolerance=1e-9)[0].startswith("DIFFERENT")


def test_a_fitted_table_is_compared_relative_to_its_values(tmp_path):
    before = _warehouse(tmp_path / "before.duckdb", "4000.25")
    near = _warehouse(tmp_path / "near.duckdb", "4000.25000001")  # 1e-8 apart: 2.5e-12 of the value
    assert compare(before, near, tolerance=1e-9)[0].startswith("DIFFERENT")
    assert compare(before, near, tolerance=1e-9, relative=frozenset({"fct_cpt_daily"})) == [
        "same within 1e-09 relative fct_cpt_daily: 3 rows, largest difference 2e-12"
    ]
    far = _warehouse(tmp_path / "far.duckdb", "4000.251")
    assert compare(before, far, tolerance=1e-9, relative=frozenset({"fct_cpt_daily"}))[0].startswith("DIFFERENT")


def test_a_spark_table_folder_compares_with_a_duckdb_file(tmp_path):
    before = _warehouse(tmp_path / "before.duckdb", "2.25")
    folder = tmp_path / "tables" / "analytics.db" / "fct_cpt_daily"
    folder.mkdir(parents=True)
    with duckdb.connect() as con:  # as Spark writes a table: a folder of parquet parts
        con.execute(
            f"copy (select 'a' as team, 1.5::decimal(38, 12) as total_cost) "
            f"to '{folder}/part-0.parquet' (format parquet)"
        )
        con.execute(
            f"copy (select 'b' as team, 2.25::decimal(38, 12) as total_cost from range(2)) "
            f"to '{folder}/part-1.parquet' (format parquet)"
        )
    assert compare(before, str(tmp_path / "tables")) == ["same fct_cpt_daily: 3 rows, 0 only before, 0 only after"]

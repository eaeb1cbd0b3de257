"""The warehouse comparison used to prove a refactor left the money alone tells same from different."""

import duckdb

from tests.compare_warehouses import compare


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

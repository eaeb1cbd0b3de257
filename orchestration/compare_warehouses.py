"""Are two warehouses' published tables identical, row for row? For refactors that must not change the money, and
for the two engines that must agree on it.

    python -m orchestration.compare_warehouses BEFORE AFTER [--tolerance 1e-9] [--relative TABLE] [--skip TABLE]

Each side is a DuckDB file (its analytics schema) or the folder Spark keeps its tables in (spark.sql.warehouse.dir
of the dbt project's `spark` target: `$CPT_DATA_DIR/warehouse/spark/tables`, one parquet folder per table under
`analytics.db/`). Every table both sides have (ops_load_history aside: it records when files landed) is compared
as a multiset of rows (EXCEPT ALL both ways), after checking that the column names match (in any order: Spark
keeps a partition column last). A Spark table is read with the other side's column types where that side is a
DuckDB file, so that an instant (TIMESTAMPTZ) compares with Spark's TIMESTAMP as the same moment. Exit code 0 when
everything is identical, 1 otherwise; one line per table.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from ingest import duck

SKIPPED = {"ops_load_history"}  # landing times differ between any two runs


def _attach(con: duckdb.DuckDBPyConnection, path: str, name: str) -> None:
    if Path(path).is_dir():
        con.execute(f"attach ':memory:' as {name}")
        con.execute(f"create schema {name}.analytics")
        for folder in sorted((Path(path) / "analytics.db").iterdir()):
            if folder.is_dir():
                con.execute(
                    f"create view {name}.analytics.{folder.name} as select * from read_parquet('{folder}/*.parquet')"
                )
    else:
        con.execute(f"attach '{path}' as {name} (read_only)")


def compare(
    before: str,
    after: str,
    tolerance: float = 0.0,
    skipped: frozenset[str] = frozenset(),
    relative: frozenset[str] = frozenset(),
) -> list[str]:
    """One line per table: 'same …' or what differs. With a ``tolerance``, a table whose rows differ only in their
    fractional numbers, each by less than it, is 'same within …' (two engines round a double's last bits apart);
    in the ``relative`` tables, by less than it times the value (numbers fitted to each side's own input, where a
    last-bit difference of the input moves the output by a few parts in 10^12 of its size)."""
    con = duck.connect()
    _attach(con, before, "a")
    _attach(con, after, "b")

    def tables(db: str) -> set[str]:
        query = (
            "select table_name from information_schema.tables where table_catalog = ? and table_schema = 'analytics'"
        )
        return {name for (name,) in con.execute(query, [db]).fetchall()} - SKIPPED - skipped

    def columns(db: str, table: str) -> dict[str, str]:
        query = (
            "select column_name, data_type from information_schema.columns where table_catalog = ? and "
            "table_schema = 'analytics' and table_name = ? order by ordinal_position"
        )
        return dict(con.execute(query, [db, table]).fetchall())

    def count(sql: str) -> int:
        return con.execute(sql).fetchall()[0][0]

    lines = [f"only in {before}: {sorted(tables('a') - tables('b'))}"] if tables("a") - tables("b") else []
    lines += [f"only in {after}: {sorted(tables('b') - tables('a'))}"] if tables("b") - tables("a") else []
    for table in sorted(tables("a") & tables("b")):
        types_a, types_b = columns("a", table), columns("b", table)
        if sorted(types_a) != sorted(types_b):
            lines.append(f"DIFFERENT columns {table}: {list(types_a)} / {list(types_b)}")
            continue
        names = [f'"{column}"' for column in types_a]
        typed = Path(after).is_dir() and not Path(before).is_dir()
        read_b = [f"cast({name} as {kind}) as {name}" for name, kind in zip(names, types_a.values(), strict=True)]
        rows_a = f"select {', '.join(names)} from a.analytics.{table}"
        rows_b = f"select {', '.join(read_b if typed else names)} from b.analytics.{table}"
        gone = count(f"select count(*) from ({rows_a} except all {rows_b})")
        new = count(f"select count(*) from ({rows_b} except all {rows_a})")
        rows = count(f"select count(*) from a.analytics.{table}")
        if gone == new == 0:
            lines.append(f"same {table}: {rows:,} rows, {gone} only before, {new} only after")
        elif tolerance and count(f"select count(*) from b.analytics.{table}") == rows:
            lines.append(
                _within(con, table, rows_a, rows_b, types_a, tolerance, table in relative)
                or f"DIFFERENT {table}: {rows:,} rows, {gone} only before, {new} only after"
            )
        else:
            lines.append(f"DIFFERENT {table}: {rows:,} rows, {gone} only before, {new} only after")
    return lines


# A double holds 15-17 significant digits: the relative difference two exact conversions of it may show.
DOUBLE_DIGITS = 1e-14


def _within(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rows_a: str,
    rows_b: str,
    types: dict[str, str],
    tolerance: float,
    relative: bool = False,
) -> str | None:
    """The rows of both sides paired in one order (every column; fractional numbers rounded to 6 places for the
    ordering only), then compared column by column: whole numbers, text, dates and flags exactly, a DECIMAL within
    ``tolerance`` (absolute: dollars, tokens) or a double's precision (relative, for large values), a DOUBLE within
    ``tolerance`` relative (every fraction so when ``relative``). 'same within …' with the largest difference
    found, or None when a pair differs beyond that."""
    fractional = [c for c, kind in types.items() if kind.startswith("DECIMAL") or kind in ("DOUBLE", "FLOAT")]
    order = ", ".join(f'round("{c}", 6)' if c in fractional else f'"{c}"' for c in types)
    paired = (
        f"(select *, row_number() over (order by {order}) as pair from ({rows_a})) as x "
        f"join (select *, row_number() over (order by {order}) as pair from ({rows_b})) as y using (pair)"
    )
    checks, largest = [], []
    for column, kind in types.items():
        x, y = f'x."{column}"', f'y."{column}"'
        if relative and (kind.startswith("DECIMAL") or kind in ("DOUBLE", "FLOAT")):
            checks.append(f"abs({x} - {y}) > {tolerance} * greatest(1, abs({x}))")
            largest.append(f"max(abs({x} - {y}) / greatest(1, abs({x})))")
        elif kind.startswith("DECIMAL"):
            # a DECIMAL made from a DOUBLE: each engine turns the double's last bits into digits its own way
            checks.append(f"abs({x} - {y}) > greatest({tolerance}, {DOUBLE_DIGITS} * abs({x}))")
            largest.append(f"max(abs({x} - {y}))")
        elif kind in ("DOUBLE", "FLOAT"):
            checks.append(f"abs({x} - {y}) > {tolerance} * greatest(1, abs({x}))")
        else:
            checks.append(f"{x} is distinct from {y}")
        checks[-1] = f"({checks[-1]}) or ({x} is null) <> ({y} is null)"
    beyond = con.execute(f"select count(*) from {paired} where {' or '.join(checks)}").fetchall()[0][0]
    if beyond:
        return None
    worst = con.execute(f"select greatest(0, {', '.join(largest) or '0'}) from {paired}").fetchall()[0][0]
    rows = con.execute(f"select count(*) from ({rows_a})").fetchall()[0][0]
    if relative:
        return f"same within {tolerance:g} relative {table}: {rows:,} rows, largest difference {float(worst or 0):.0e}"
    return f"same within {tolerance:g} {table}: {rows:,} rows, largest decimal difference {float(worst or 0):.0e}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--tolerance", type=float, default=0.0, help="fractions may differ by this much")
    parser.add_argument("--relative", action="append", default=[], help="a table compared relative to its values")
    parser.add_argument("--skip", action="append", default=[], help="a table left out")
    args = parser.parse_args(argv)
    lines = compare(args.before, args.after, args.tolerance, frozenset(args.skip), frozenset(args.relative))
    print("\n".join(lines))
    identical = all(line.startswith("same ") for line in lines)
    print("identical" if identical else "NOT identical")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

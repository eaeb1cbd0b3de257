"""Are two warehouses' published tables identical, row for row? For refactors that must not change the money.

    python -m tests.compare_warehouses BEFORE.duckdb AFTER.duckdb

Every table of the analytics schema both files have (ops_load_history aside: it records when files landed) is
compared as a multiset of rows (EXCEPT ALL both ways), after checking that the columns match. Exit code 0 when
everything is identical, 1 otherwise; one line per table.
"""

from __future__ import annotations

import sys

import duckdb

SKIPPED = {"ops_load_history"}  # landing times differ between any two runs


def compare(before: str, after: str) -> list[str]:
    """One line per table: 'same …' or what differs."""
    con = duckdb.connect()
    con.execute(f"attach '{before}' as a (read_only)")
    con.execute(f"attach '{after}' as b (read_only)")

    def tables(db: str) -> set[str]:
        query = f"select table_name from duckdb_tables() where database_name = '{db}' and schema_name = 'analytics'"
        return {name for (name,) in con.execute(query).fetchall()} - SKIPPED

    def columns(db: str, table: str) -> list[str]:
        query = (
            "select column_name from information_schema.columns where table_catalog = ? and table_schema = "
            "'analytics' and table_name = ? order by ordinal_position"
        )
        return [name for (name,) in con.execute(query, [db, table]).fetchall()]

    def count(sql: str) -> int:
        return con.execute(sql).fetchall()[0][0]

    lines = [f"only in {before}: {sorted(tables('a') - tables('b'))}"] if tables("a") - tables("b") else []
    lines += [f"only in {after}: {sorted(tables('b') - tables('a'))}"] if tables("b") - tables("a") else []
    for table in sorted(tables("a") & tables("b")):
        if columns("a", table) != columns("b", table):
            lines.append(f"DIFFERENT columns {table}: {columns('a', table)} / {columns('b', table)}")
            continue
        gone = count(f"select count(*) from (from a.analytics.{table} except all from b.analytics.{table})")
        new = count(f"select count(*) from (from b.analytics.{table} except all from a.analytics.{table})")
        rows = count(f"select count(*) from a.analytics.{table}")
        verdict = "same" if gone == new == 0 else "DIFFERENT"
        lines.append(f"{verdict} {table}: {rows:,} rows, {gone} only before, {new} only after")
    return lines


def main(argv: list[str]) -> int:
    lines = compare(*argv)
    print("\n".join(lines))
    identical = all(line.startswith("same ") for line in lines)
    print("identical" if identical else "NOT identical")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

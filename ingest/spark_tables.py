"""The tables a dbt build on Spark wrote, loaded into the DuckDB build file.

On the Spark engine dbt builds into the Spark catalog (the `analytics` and `internal` schemas; with the local
session, one parquet folder per table under ``warehouse/spark/tables/<schema>.db/``). What runs after dbt — the
money checks, the forecast step, publishing, the exports and the reports — reads the build file, so each table is
copied into it under the same schema and name, replacing the build's earlier copy: the checks then prove the
tables the engine built. A table partitioned by day keeps its partition column (``usage_date=…`` folders).
"""

from __future__ import annotations

from pathlib import Path

from ingest import duck

SCHEMAS = ("internal", "analytics")
# Spark's day partitions are folders named usage_date=YYYY-MM-DD: read back as a DATE column.
_PARTITIONS = "hive_partitioning = true"


def built_tables(run_results: dict) -> set[str]:
    """The tables a dbt invocation wrote, by name, from its run_results.json: every model and seed that ran
    successfully (a view among them has no table folder: nothing to copy). By the node's name — dbt leaves a seed's
    relation name out of its results — which is its table's (the project gives no model an alias)."""
    return {
        result["unique_id"].split(".")[2]
        for result in run_results["results"]
        if result["unique_id"].split(".")[0] in {"model", "seed", "snapshot"} and result["status"] == "success"
    }


def load_spark_tables(tables: Path, build_warehouse: Path, only: set[str] | None = None) -> dict[str, int]:
    """Copy the tables of SCHEMAS under ``tables`` (spark.sql.warehouse.dir) into ``build_warehouse`` — every one,
    or those named in ``only`` (table names: what the invocation just built; the others are as the last copy left
    them) — in one transaction: {"schema.table": rows}. Spark writes a data file for an empty table too."""
    loaded: dict[str, int] = {}
    build_warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duck.connect(str(build_warehouse)) as con:
        con.execute("begin")
        views = {f"{s}.{v}" for s, v in con.execute("select schema_name, view_name from duckdb_views()").fetchall()}
        for schema in SCHEMAS:
            con.execute(f"create schema if not exists {schema}")
            folder = tables / f"{schema}.db"
            for table in sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []:
                name, files = f"{schema}.{table.name}", f"{table}/**/*.parquet"
                if only is not None and table.name not in only:
                    continue
                if name in views:  # a view of the same name, from a build on DuckDB
                    con.execute(f"drop view {name}")
                con.execute(f"create or replace table {name} as select * from read_parquet('{files}', {_PARTITIONS})")
                loaded[name] = con.execute(f"select count(*) from {name}").fetchall()[0][0]
        con.execute("commit")
    return loaded

"""Benchmark: the dbt project on both engines over the same bronze — DuckDB, and Spark's local session.

    python -m orchestration.bench.engines --scale M --write BENCHMARKS.md      (or: make bench-engines SCALE=M)

Not a race: one machine is where Spark costs most (a JVM, a metastore, a task per partition) and gains nothing
from a cluster. What it measures is correctness at scale and Spark's local-mode cost, the figures SCALING.md sizes
a cluster from. Generates the month at the scale (as ``make bench``), ingests it but for its last day (the ingest
assets' own functions), then, in this order, each dbt process started through the launcher (its peak RSS; on Spark
with its JVM):

- DuckDB: ``dbt build`` of everything but the forecast marts (as the main dbt asset runs it), then the forecast
  step and its marts;
- Spark: the same build on the ``spark`` target (the forecast marts after it, untimed), then one tiny model alone
  (the fixed cost of a Spark invocation: the JVM, the session, the sources registered);
- both warehouses compared table for table (orchestration/compare_warehouses.py, fractions within 1e-9);
- the incremental day: the last day of gateway logs ingested, then on each engine the models downstream of the
  token tables, and the comparison again.

Prints the row and, with ``--write``, appends it to BENCHMARKS.md's engines table. Seconds are this machine's
(shared, noisy): compare the ratio measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from ingest import duck
from ingest.bench import machine
from ingest.paths import DataLayout
from orchestration.bench.pipeline import (
    SCALES,
    TOKEN_DOWNSTREAM,
    _days,
    asset_resources,
    dbt_build,
    generate,
    ingest_all,
    materialize,
    outputs,
    run_child,
    write_row,
)
from orchestration.compare_warehouses import compare
from orchestration.spark import AFTER_FORECAST, spark_environment

HEADER = (
    "| date | machine | scale | requests | dbt nodes | DuckDB build s | Spark build s | Spark/DuckDB "
    "| Spark fixed cost s | Spark s per node | DuckDB incremental day s | Spark incremental day s "
    "| DuckDB peak RSS MB | Spark peak RSS MB (dbt + JVM) | tables equal |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
)
BEFORE_FORECAST = ("--exclude", AFTER_FORECAST)


def spark(data: Path, *selection: str) -> tuple[float, float]:
    """One dbt build on the spark target in a child process: (seconds, peak RSS MB of dbt and its JVM together)."""
    command = [sys.executable, "-m", "orchestration.spark", "--select", json.dumps(list(selection))]
    _, seconds, rss = run_child(command, spark_environment(data), tree=True)
    return seconds, rss


def _nodes(data: Path) -> int:
    """Models, seeds and data tests of the main build (from the manifest the DuckDB build left)."""
    manifests = sorted((data / "warehouse" / "dbt").glob("*/manifest.json"), key=lambda p: p.stat().st_mtime)
    nodes = json.loads(manifests[-1].read_text())["nodes"].values()
    kinds = ("model", "seed", "test")
    return sum(1 for n in nodes if n["resource_type"] in kinds and "after_forecast" not in n.get("tags", []))


def _equal(data: Path) -> bool:
    layout = DataLayout(data)
    lines = compare(str(layout.build_warehouse), str(layout.spark_tables), 1e-9)
    different = [line for line in lines if not line.startswith("same ")]
    print("\n".join(different or [f"{len(lines)} tables equal"]), flush=True)
    return not different


def measure(source: Path, data: Path) -> dict:
    days = _days()
    print("ingesting …", flush=True)
    ingest_all(source, data, days[:-1])
    result: dict = {}
    print("DuckDB build …", flush=True)
    result["duckdb_s"], duckdb_rss = dbt_build(data, *BEFORE_FORECAST)
    outputs(source, data)  # the forecast step: the forecast marts of both engines read its files
    result["nodes"] = _nodes(data)
    print("Spark build …", flush=True)
    result["spark_s"], spark_rss = spark(data, *BEFORE_FORECAST)
    spark(data, "--select", AFTER_FORECAST)
    result["spark_fixed_s"], _ = spark(data, "--select", "dim_teams")
    result["equal"] = _equal(data)
    print("incremental day …", flush=True)
    from orchestration.defs.tokens.assets import inference_requests

    materialize(inference_requests, [days[-1].isoformat()], asset_resources(source, data))
    result["duckdb_day_s"], day_rss = dbt_build(data, *TOKEN_DOWNSTREAM, *BEFORE_FORECAST)
    result["spark_day_s"], spark_day_rss = spark(data, *TOKEN_DOWNSTREAM, *BEFORE_FORECAST)
    result["equal"] = _equal(data) and result["equal"]
    with duck.connect(str(DataLayout(data).build_warehouse), read_only=True) as con:
        requests = con.execute("select count(*) from internal.int_inference_requests_attributed").fetchall()
    result["requests"] = requests[0][0]
    result["duckdb_rss_mb"], result["spark_rss_mb"] = max(duckdb_rss, day_rss), max(spark_rss, spark_day_rss)
    return result


def markdown_row(scale: str, r: dict) -> str:
    per_node = (r["spark_s"] - r["spark_fixed_s"]) / r["nodes"]
    return (
        f"| {datetime.now(UTC):%Y-%m-%d} | {machine()} | {scale} | {r['requests']:,} | {r['nodes']} "
        f"| {r['duckdb_s']:.1f} | {r['spark_s']:.1f} | {r['spark_s'] / r['duckdb_s']:.1f}× | {r['spark_fixed_s']:.1f} "
        f"| {per_node:.2f} | {r['duckdb_day_s']:.1f} | {r['spark_day_s']:.1f} | {r['duckdb_rss_mb']:,.0f} "
        f"| {r['spark_rss_mb']:,.0f} | {'yes' if r['equal'] else 'NO'} |"
    )


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="S", help="S, M, L, 3L or a number of requests a month")
    parser.add_argument("--write", type=Path, help="append the result row to this Markdown file")
    parser.add_argument("--workdir", type=Path, help="work here and keep it (default: a temp dir)")
    args = parser.parse_args(argv)
    requests, fleet = SCALES.get(args.scale) or (int(float(args.scale)), 1)
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="cpt-bench-engines-"))
    try:
        started = time.perf_counter()
        generate(workdir / "source", requests, fleet)
        print(f"generated scale {args.scale} in {time.perf_counter() - started:.1f} s", flush=True)
        result = measure(workdir / "source", workdir / "data")
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    row = markdown_row(args.scale, result)
    print(HEADER + row)
    if args.write:
        write_row(args.write, row, HEADER)
    return result


if __name__ == "__main__":
    sys.exit(0 if main().get("equal") else 1)

"""Benchmark: the whole pipeline at a scale factor against the bare-DuckDB floor.

    python -m orchestration.bench.pipeline --scale S --repeat 3 --write BENCHMARKS.md      (or: make bench SCALE=S)

Generates the sample month at the scale (S ≈ 1M requests a month, M ≈ 10M, L ≈ 30M, 3L ≈ 90M, or a number
of requests), then, each repeat in a fresh process so that peak RSS is its own:

- ingest: GCP list prices, AWS billing, the GCP billing export, every day of token logs (every format the
  asset reads) and server counters — the Dagster assets' own functions, invoked directly (no run);
- dbt: ``dbt build`` (models and tests) of everything but the forecast marts, as the main dbt asset runs it;
- outputs: what a run does after that build — the forecast step, the forecast marts' ``dbt build``, publish, the
  exports, the forecast and frontier charts and the gateway limits (the assets' functions, invoked directly);
- floor: one hand-written DuckDB query over the bronze parquet (``floor.sql``) computing cost and output
  tokens per deployment × day with the same rules; its result must equal the marts (checked, every repeat);
- incremental: one more day of gateway logs re-read plus what the token_logs_refresh job rebuilds (the dbt
  models downstream of the token tables: the incremental token models redo that day), checked against the floor;
- dagster (``--dagster``): the same month through ``cpt run`` (Dagster in process), to report Dagster's own
  overhead apart: ``cpt run`` does exactly the pipeline's work (ingest, both builds, the outputs), so the
  difference is Dagster's (loading the definitions, the run and its event log, dbt's events streamed to assets).

Every process reports its own peak RSS (ingest with the outputs, each dbt build, ``cpt run`` with its dbt
children); a row gives each one's maximum over the repeats.

Prints the medians and, with ``--write``, appends a row to BENCHMARKS.md and redraws its chart of time and peak
memory against scale (``docs/bench-scale.png``, ``orchestration/bench/chart.py``). Tests run it at a tiny scale and
check the floor equality; they never assert times.
"""

from __future__ import annotations

import argparse
import inspect
import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from ingest import duck
from ingest.bench import machine

ROOT = Path(__file__).parents[2]
# scale: (gateway requests a month, fleet factor). The fleet factor multiplies the VMs and so the bill: each unit
# adds ~12.6k lines a month to ~7.7k fixed ones (S ≈ 33k lines, M ≈ 299k, L ≈ 994k).
SCALES = {"S": (1_000_000, 2), "M": (10_000_000, 23), "L": (30_000_000, 78), "3L": (90_000_000, 234)}
MONTH = "2026-10"
FLOOR_SQL = Path(__file__).with_name("floor.sql")


def requests_at_scale_one() -> float:
    """Expected gateway requests of the sample month at generator scale 1.0 (from the fleet's hourly rates)."""
    from ingest.sample.common import SampleSpec, hourly_rate
    from ingest.sample.fleet import DEPLOYMENTS

    spec = SampleSpec(month=MONTH)
    hours = [spec.start + timedelta(hours=h) for h in range(spec.hours)]
    return sum(hourly_rate(d, ts, 1.0) for d in DEPLOYMENTS if d.request_logs for ts in hours)


def generate(source: Path, requests: int, fleet: int = 1) -> dict:
    from ingest.sample.generator import SampleSpec
    from ingest.sample.generator import generate as generate_sample

    return generate_sample(source, SampleSpec(month=MONTH, scale=requests / requests_at_scale_one(), fleet=fleet))


def _days() -> list[date]:
    first = datetime.strptime(MONTH, "%Y-%m").date()
    return [first + timedelta(days=n) for n in range(31) if (first + timedelta(days=n)).month == first.month]


def asset_resources(source: Path, data: Path) -> dict[str, Any]:
    """The resources the ingest assets take, bound as `cpt` binds them for this source folder and data directory
    (the sources: their default folders under it)."""
    from orchestration.resources import build_resources

    return build_resources({"CPT_DATA_DIR": str(data), "CPT_SOURCE_DIR": str(source)})


def materialize(asset, partition_keys: list[str | None], resources: dict[str, Any], **config: Any) -> None:
    """The asset's own function (what a Dagster run executes), invoked directly for each partition: no run, no
    instance, no event log — the asset's work alone. An asset that yields its results is run to its end."""
    import dagster as dg

    kwargs = {key: resources[key] for key in asset.required_resource_keys if key in resources} | config
    for key in partition_keys:
        result = asset(dg.build_asset_context(partition_key=key), **kwargs)
        if inspect.isgenerator(result):
            for _ in result:
                pass


def ingest_all(source: Path, data: Path, days: list[date]) -> dict[str, float]:
    """The ingest stages, timed — the Dagster assets' functions, in the order the jobs run them; seconds per stage.
    The GCP export and the FOCUS exports are read from files, whole, whatever the partition: each runs once."""
    from ingest.dbt_inputs import prepare as prepare_dbt_inputs
    from ingest.paths import DataLayout
    from orchestration.defs.aws.assets import aws_billing_line_items, aws_list_prices
    from orchestration.defs.focus.assets import focus_billing_line_items
    from orchestration.defs.gcp.assets import GcpBillingConfig, gcp_billing_line_items, gcp_list_prices
    from orchestration.defs.tokens.assets import inference_requests, inference_token_counter_samples

    resources = asset_resources(source, data)
    each_day: list[str | None] = [day.isoformat() for day in days]
    stages: dict[str, list[tuple[Any, list[str | None]]]] = {
        "ingest_billing_s": [
            (aws_list_prices, [None]),
            (gcp_list_prices, [None]),
            (aws_billing_line_items, [f"{MONTH}-01"]),
            (gcp_billing_line_items, [each_day[0]]),
            (focus_billing_line_items, [each_day[0]]),
        ],
        "ingest_tokens_s": [(inference_requests, each_day)],
        "ingest_counters_s": [(inference_token_counter_samples, each_day)],
    }
    times = {}
    for stage, assets in stages.items():
        started = time.perf_counter()
        for asset, keys in assets:
            config = {"config": GcpBillingConfig()} if asset is gcp_billing_line_items else {}
            materialize(asset, keys, resources, **config)
        times[stage] = time.perf_counter() - started
    prepare_dbt_inputs(DataLayout(data))
    return times


def outputs(source: Path, data: Path) -> tuple[float, float]:
    """What a run does after the main build, timed: the forecast step, the forecast marts' build, publish, exports,
    charts and gateway limits — the assets' functions (budget alerts need a webhook: none here). (seconds, the
    forecast build's peak RSS)."""
    from orchestration.defs.efficiency.assets import latency_cost_frontier_charts
    from orchestration.defs.forecast.assets import cost_forecasts
    from orchestration.defs.forecast.outputs import forecast_charts, gateway_limits
    from orchestration.defs.warehouse.assets import AFTER_FORECAST, published_warehouse, warehouse_exports

    resources = asset_resources(source, data)
    started = time.perf_counter()
    materialize(cost_forecasts, [None], resources)
    _, forecast_rss = dbt_build(data, "--select", AFTER_FORECAST)
    after_publish = (warehouse_exports, forecast_charts, latency_cost_frontier_charts, gateway_limits)
    for asset in (published_warehouse, *after_publish):
        materialize(asset, [None], resources)
    return time.perf_counter() - started, forecast_rss


# What the token_logs_refresh job rebuilds (Dagster selects the dbt assets downstream of the token bronze tables).
TOKEN_DOWNSTREAM = ("--select", "source:bronze_tokens+")


def run_child(
    command: list[str], env: dict | None = None, cwd: Path = ROOT, *, tree: bool = False
) -> tuple[str, float, float]:
    """Run ``command``; its stdout, its wall time and its own peak RSS in MB — started from a small launcher
    process (``launch.py``: a child started from this process would count this process's memory as its own). With
    ``tree``, the peak of the command and every process under it at once instead (a JVM it starts included).
    Raises with its output tail when it fails."""
    with (
        tempfile.TemporaryFile("w+") as out,
        tempfile.TemporaryFile("w+") as err,
        tempfile.TemporaryDirectory(prefix="cpt-bench-rss-") as rss_dir,
    ):
        rss_file = Path(rss_dir) / "maxrss"
        launcher = [sys.executable, "-m", "orchestration.bench.launch", str(rss_file)]
        started = time.perf_counter()
        done = subprocess.run([*launcher, *command], cwd=cwd, env=env, stdout=out, stderr=err, text=True)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command[:4])} … failed:\n{stdout[-3000:]}\n{stderr[-3000:]}")
        own, whole_tree = (int(kib) for kib in rss_file.read_text().split())
        return stdout, seconds, (whole_tree if tree else own) / 1024


def dbt_build(data: Path, *selection: str) -> tuple[float, float]:
    """``dbt build`` as the dbt assets run it (from the parse the previous build here left): (seconds, peak RSS
    MB)."""
    from ingest.paths import DataLayout
    from orchestration.dbt_invocation import PARTIAL_PARSE, keep_parse
    from orchestration.defs.warehouse.assets import DBT_BUILD_ARGS

    env = {**os.environ, "CPT_DATA_DIR": str(data), "DBT_PROFILES_DIR": str(ROOT / "dbt_project")}
    (data / "warehouse" / "build").mkdir(parents=True, exist_ok=True)
    duck.make_spill_directory(env)
    artifacts = DataLayout(data).dbt_artifacts
    artifacts.mkdir(parents=True, exist_ok=True)
    target = Path(tempfile.mkdtemp(prefix="bench-", dir=artifacts))
    if (artifacts / PARTIAL_PARSE).exists():
        shutil.copyfile(artifacts / PARTIAL_PARSE, target / PARTIAL_PARSE)
    command = [str(Path(sys.executable).parent / "dbt"), *DBT_BUILD_ARGS, "--quiet", "--target-path", str(target)]
    _, seconds, rss = run_child([*command, *selection], env, ROOT / "dbt_project")
    keep_parse(target / PARTIAL_PARSE, artifacts / PARTIAL_PARSE)
    return seconds, rss


def floor(inputs: Path, reads: str = "bronze") -> tuple[pl.DataFrame, float]:
    """The floor query over ``inputs``: the bronze folder (``reads="bronze"``) or the delivered files ("raw")."""
    sources = (FLOOR_SQL.parent / f"floor_sources_{reads}.sql").read_text()
    sql = FLOOR_SQL.read_text().replace("{sources}", sources.strip().rstrip(","))
    sql = sql.replace("{bronze}", str(inputs)).replace("{source}", str(inputs))
    sql = sql.replace("{seeds}", str(ROOT / "dbt_project/seeds"))
    con = duck.connect()
    con.execute("set TimeZone = 'UTC'")
    started = time.perf_counter()
    result = con.sql(sql).pl()
    return result, time.perf_counter() - started


def marts_per_deployment_day(warehouse: Path) -> pl.DataFrame:
    with duck.connect(str(warehouse), read_only=True) as con:
        return con.sql(
            "select deployment, usage_date as day, sum(total_cost) as cost, sum(output_tokens) as output_tokens "
            "from analytics.fct_cpt_daily where deployment not like 'shared:%' group by all order by 1, 2"
        ).pl()


def differences(floor_rows: pl.DataFrame, marts: pl.DataFrame) -> pl.DataFrame:
    """Deployment-days where the floor and the marts disagree (cost beyond 1e-6 $, tokens beyond 1e-6)."""
    joined = floor_rows.join(marts, on=["deployment", "day"], how="full", coalesce=True, suffix="_marts")
    joined = joined.fill_null(0.0)
    return joined.filter(
        ((pl.col("cost") - pl.col("cost_marts")).abs() > 1e-6)
        | ((pl.col("output_tokens") - pl.col("output_tokens_marts")).abs() > 1e-6)
    )


def measure(source: Path, with_dagster: bool) -> dict:
    """One repeat, in this process (``main`` runs it in a fresh child)."""
    from ingest.paths import DataLayout
    from orchestration.defs.warehouse.assets import AFTER_FORECAST

    days = _days()
    with tempfile.TemporaryDirectory(prefix="cpt-bench-data-") as tmp:
        data = Path(tmp) / "data"
        result: dict[str, Any] = dict(ingest_all(source, data, days))
        result["dbt_build_s"], dbt_rss = dbt_build(data, "--exclude", AFTER_FORECAST)
        result["outputs_s"], forecast_dbt_rss = outputs(source, data)
        ingest_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # ingest and the outputs' steps
        layout = DataLayout(data)
        marts = marts_per_deployment_day(layout.build_warehouse)
        result["floor_mismatches"] = []
        floor_rss = []
        for reads, inputs in (("raw", source), ("bronze", layout.bronze)):
            # Each floor in a process of its own: its DuckDB's memory is its own, reported apart.
            out, _, rss = run_child(
                [sys.executable, "-m", "orchestration.bench.pipeline", "--floor", reads, str(inputs)]
            )
            floor_rows = pl.read_ipc(io.BytesIO(bytes.fromhex(out.strip().splitlines()[-1])))
            result[f"floor_{reads}_s"] = float(floor_rows["seconds"][0]) if floor_rows.height else 0.0
            floor_rows = floor_rows.drop("seconds")
            floor_rss.append(rss)
            bad = differences(floor_rows, marts)
            result["floor_mismatches"] += [{"floor": reads, **row} for row in bad.head(5).to_dicts()]
        result["floor_equal"] = not result["floor_mismatches"]
        from orchestration.defs.tokens.assets import inference_requests

        started = time.perf_counter()
        materialize(inference_requests, [days[-1].isoformat()], asset_resources(source, data))
        _, incremental_rss = dbt_build(data, *TOKEN_DOWNSTREAM, "--exclude", AFTER_FORECAST)
        result["incremental_day_s"] = time.perf_counter() - started
        bad = differences(floor_rows, marts_per_deployment_day(layout.build_warehouse))  # the day re-read: same
        result["floor_mismatches"] += [{"floor": "after the incremental day", **r} for r in bad.head(5).to_dicts()]
        result["floor_equal"] = not result["floor_mismatches"]
        with duck.connect(str(layout.build_warehouse), read_only=True) as con:
            requests = con.execute("select count(*) from internal.stg_tokens__inference_requests").fetchall()
            bill_lines = con.execute("select count(*) from internal.int_billing_line_items_unioned").fetchall()
            result["requests"], result["bill_lines"] = requests[0][0], bill_lines[0][0]
        if with_dagster:
            result["dagster_run_s"], result["cpt_run_rss_mb"] = _dagster_run(source, Path(tmp) / "dagster-data")
    result["pipeline_s"] = sum(
        result[k] for k in ("ingest_billing_s", "ingest_tokens_s", "ingest_counters_s", "dbt_build_s", "outputs_s")
    )
    # Peak RSS of each process the pipeline starts; the floors' apart.
    result["ingest_rss_mb"], result["dbt_rss_mb"] = ingest_rss, max(dbt_rss, incremental_rss)
    result["forecast_dbt_rss_mb"] = forecast_dbt_rss
    result["peak_rss_mb"] = max(ingest_rss, dbt_rss, incremental_rss, forecast_dbt_rss)
    result["floor_peak_rss_mb"] = max(floor_rss)
    return result


def cpt_environment(source: Path, data: Path, **extra: str) -> dict[str, str]:
    """This process's environment for a ``cpt`` child reading ``source`` into ``data``: every source's location
    derived from ``CPT_SOURCE_DIR`` (any ``CPT_*_URI`` setting dropped), Dagster's home inside ``data``."""
    return {
        **{k: v for k, v in os.environ.items() if not (k.startswith("CPT_") and k.endswith("_URI"))},
        "CPT_DATA_DIR": str(data),
        "CPT_SOURCE_DIR": str(source),
        "DAGSTER_HOME": str(data / "dagster_home"),
        **extra,
    }


def _dagster_run(source: Path, data: Path) -> tuple[float, float]:
    """``cpt run`` of the month in a fresh data directory: (seconds, peak RSS MB of it and its dbt processes)."""
    command = [str(Path(sys.executable).parent / "cpt"), "run", "--month", MONTH]
    _, seconds, rss = run_child(command, cpt_environment(source, data))
    return seconds, rss


def _child(source: Path, with_dagster: bool) -> dict:
    """One measured repeat in a fresh process, started through the launcher like every measured process: this
    process generated the data, and a child started from it would count its memory (gigabytes at 3L) as its own."""
    command = [sys.executable, "-m", "orchestration.bench.pipeline", "--measure", str(source)]
    if with_dagster:
        command.append("--dagster")
    out, _, _ = run_child(command)
    return json.loads(out.strip().splitlines()[-1])


# Each process's peak RSS in a row: its name there, its key in a repeat's result.
PROCESSES = {
    "ingest": "ingest_rss_mb",
    "dbt": "dbt_rss_mb",
    "forecast dbt": "forecast_dbt_rss_mb",
    "cpt run": "cpt_run_rss_mb",
}


def report(scale: str, runs: list[dict]) -> dict:
    median = {k: statistics.median(r[k] for r in runs) for k in runs[0] if isinstance(runs[0][k], float)}
    median.update(
        scale=scale,
        requests=runs[0]["requests"],
        bill_lines=runs[0]["bill_lines"],
        floor_equal=all(r["floor_equal"] for r in runs),
        peak_rss_mb=max(r["peak_rss_mb"] for r in runs),
        process_rss_mb={
            process: max(r[key] for r in runs) for process, key in PROCESSES.items() if all(key in r for r in runs)
        },
        floor_peak_rss_mb=max(r["floor_peak_rss_mb"] for r in runs),
        repeats=len(runs),
    )
    median["records_per_s_tokens"] = median["requests"] / median["ingest_tokens_s"]
    median["pipeline_over_floor"] = median["pipeline_s"] / median["floor_raw_s"]
    median["incremental_over_full"] = median["incremental_day_s"] / median["pipeline_s"]
    if "dagster_run_s" in median:
        median["dagster_overhead_s"] = median["dagster_run_s"] - median["pipeline_s"]
    return median


def markdown_row(r: dict) -> str:
    dagster = f"{r['dagster_overhead_s']:.1f}" if "dagster_overhead_s" in r else "—"
    by_process = ", ".join(f"{name} {mb:,.0f}" for name, mb in r["process_rss_mb"].items())
    return (
        f"| {datetime.now(UTC):%Y-%m-%d} | {machine()} | {r['scale']} | {r['requests']:,} | {r['bill_lines']:,} "
        f"| {r['ingest_billing_s']:.1f} | {r['ingest_tokens_s']:.1f} | {r['ingest_counters_s']:.1f} "
        f"| {r['dbt_build_s']:.1f} | {r['outputs_s']:.1f} | {r['pipeline_s']:.1f} "
        f"| {r['floor_raw_s']:.2f} | {r['floor_bronze_s']:.2f} | {r['pipeline_over_floor']:.1f}× "
        f"| {r['records_per_s_tokens']:,.0f} | {r['peak_rss_mb']:,.0f} | {by_process} | {r['incremental_day_s']:.1f} "
        f"({r['incremental_over_full']:.0%}) | {dagster} | {'yes' if r['floor_equal'] else 'NO'} | {r['repeats']} |"
    )


HEADER = (
    "| date | machine | scale | requests | bill lines | ingest billing s | ingest tokens s | ingest counters s "
    "| dbt build s | outputs s | pipeline s | floor (raw files) s | floor (bronze) s | pipeline/raw floor "
    "| token records/s | peak RSS MB | peak RSS by process MB | incremental day s (of full) | Dagster overhead s "
    "| floors = marts | runs |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
)


def write_row(path: Path, row: str, header: str = HEADER) -> None:
    """Add ``row`` at the end of the results table (the one under ``header``), wherever it sits in the file."""
    text = path.read_text() if path.exists() else ""
    if header not in text:
        raise SystemExit(f"{path} has no results table header; not writing")
    before, table = text.split(header, 1)
    rows, rest = [], table.splitlines(keepends=True)
    while rest and rest[0].startswith("|"):
        rows.append(rest.pop(0))
    path.write_text(before + header + "".join(rows) + row + "\n" + "".join(rest))


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="S", help="S, M, L, 3L or a number of requests a month")
    parser.add_argument("--fleet", type=int, default=1, help="fleet factor when --scale is a number")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dagster", action="store_true", help="also time the month through `cpt run`")
    parser.add_argument("--write", type=Path, help="append the result row to this Markdown file")
    parser.add_argument(
        "--chart", type=Path, default=ROOT / "docs" / "bench-scale.png", help="with --write: time and memory by scale"
    )
    parser.add_argument("--workdir", type=Path, help="keep the generated source here (default: a temp dir)")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--floor", nargs=2, metavar=("READS", "INPUTS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.floor:
        rows, seconds = floor(Path(args.floor[1]), args.floor[0])
        out = io.BytesIO()
        rows.with_columns(pl.lit(seconds).alias("seconds")).write_ipc(out)
        print(out.getvalue().hex())
        return {}
    if args.measure:
        print(json.dumps(measure(args.measure, args.dagster), default=str))
        return {}
    requests, fleet = SCALES.get(args.scale) or (int(float(args.scale)), args.fleet)
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="cpt-bench-source-"))
    try:
        started = time.perf_counter()
        marker = workdir / "bench-requests"  # a kept --workdir is reused only for the same scale
        if not marker.exists() or marker.read_text() != f"{requests} {fleet}":
            shutil.rmtree(workdir / "source", ignore_errors=True)
            generate(workdir / "source", requests, fleet)
            marker.write_text(f"{requests} {fleet}")
        print(f"generated scale {args.scale} in {time.perf_counter() - started:.1f} s", flush=True)
        runs = [_child(workdir / "source", args.dagster) for _ in range(args.repeat)]
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    result = report(args.scale, runs)
    print(HEADER + markdown_row(result))
    if not result["floor_equal"]:
        print("floor and marts differ:", [r["floor_mismatches"] for r in runs])
    if args.write:
        from orchestration.bench.chart import write_chart

        write_row(args.write, markdown_row(result))
        write_chart(args.write, HEADER, args.chart)
    return result


if __name__ == "__main__":
    main()

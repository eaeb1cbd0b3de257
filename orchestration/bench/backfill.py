"""Benchmark: a backfill of N months of history through `cpt run`, for several N, to show how it scales.

    python -m orchestration.bench.backfill --scale M --months 1 3 6 --write BENCHMARKS.md   (or: make bench-backfill)

Generates the longest history once (``cpt generate --months``' generator: traffic grows month over month, so later
months carry more requests), then for each N runs ``cpt run`` over the last N months in a fresh data directory
whose history starts with the first of them — what a team does on its first day with N months of exports — in a
process of its own (its wall time and peak RSS, dbt's processes included). Each run must charge every month of
its window to the cent of the generated in-scope cost (checked), so a fast wrong run cannot pass.

A backfill scales linearly when seconds per month stay flat as N grows; the row gives each N's seconds, seconds
per month and per million requests, and N months' time over N × one month's (1.00 = linear; the fixed cost of a
run — loading the definitions, the forecast step, publishing — is paid once, so it reads below 1 when the months
are cheap next to it). Times are never asserted by the tests.
"""

from __future__ import annotations

import argparse
import calendar
import json
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from ingest import duck
from ingest.bench import machine
from ingest.paths import DataLayout
from orchestration.bench.pipeline import (
    MONTH,
    SCALES,
    cpt_environment,
    requests_at_scale_one,
    run_child,
    write_row,
)


def window(months: int, last: str = MONTH) -> list[str]:
    """The ``months`` calendar months ending with ``last`` (YYYY-MM), oldest first."""
    year, number = map(int, last.split("-"))
    end = year * 12 + number - 1
    return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(end - months + 1, end + 1)]


def generate(source: Path, months: int, requests: int, fleet: int) -> dict:
    """``months`` months of history ending with MONTH, its last month at ``requests`` a month (before the history's
    growth), written under ``source``; the truth."""
    from ingest.sample.generator import SampleSpec, generate_history

    spec = SampleSpec(month=MONTH, scale=requests / requests_at_scale_one(), fleet=fleet)
    return generate_history(source, spec, months)


def backfill(source: Path, data: Path, months: list[str]) -> tuple[float, float]:
    """``cpt run`` over ``months`` from ``source`` into a fresh ``data``: (seconds, peak RSS MB with its dbt
    processes)."""
    env = cpt_environment(source, data, CPT_HISTORY_START=months[0])
    year, number = map(int, months[-1].split("-"))
    first, last = f"{months[0]}-01", f"{months[-1]}-{calendar.monthrange(year, number)[1]:02d}"
    _, seconds, rss = run_child([str(Path(sys.executable).parent / "cpt"), "run", "--start", first, "--end", last], env)
    return seconds, rss


def charged_by_month(warehouse: Path) -> dict[str, Decimal]:
    """What the published warehouse charged per month (allocated + idle + shared + unallocated), failing if any
    month's conservation does not hold."""
    from ingest.reconcile import conservation_by_month

    with duck.connect(str(warehouse), read_only=True) as con:
        months = conservation_by_month(con)
    broken = [m.month for m in months if not m.holds]
    if broken:
        raise RuntimeError(f"conservation does not hold for {broken} in {warehouse}")
    return {m.month: Decimal(str(m.charged)) for m in months}


def mismatches(charged: dict[str, Decimal], truth: dict, months: list[str]) -> list[str]:
    """The window's months whose charged cost differs from the generated in-scope cost by a cent or more."""
    cent = Decimal("0.01")
    expected = {m: Decimal(str(truth["months"][m]["in_scope_effective_usd"])).quantize(cent) for m in months}
    return [
        f"{m}: charged {charged.get(m, Decimal(0)).quantize(cent)}, generated {expected[m]}"
        for m in months
        if charged.get(m, Decimal(0)).quantize(cent) != expected[m]
    ]


def requests_in(truth: dict, months: list[str]) -> int:
    return sum(t["requests"] for m in months for t in truth["months"][m]["tokens"].values())


def measure(source: Path, truth: dict, counts: list[int]) -> list[dict]:
    runs: list[dict[str, Any]] = []
    for n in counts:
        months = window(n)
        tmp = Path(tempfile.mkdtemp(prefix="cpt-bench-backfill-"))
        data = tmp / "data"
        print(f"backfill of {n} month(s): {months[0]} … {months[-1]}", flush=True)
        seconds, rss = backfill(source, data, months)  # a failed run raises, its data directory (and log) kept
        wrong = mismatches(charged_by_month(DataLayout(data).warehouse), truth, months)
        shutil.rmtree(tmp, ignore_errors=True)
        runs.append(
            {"months": n, "requests": requests_in(truth, months), "seconds": seconds, "rss_mb": rss, "wrong": wrong}
        )
    one = next((r for r in runs if r["months"] == 1), None)
    for r in runs:
        r["per_month_s"] = r["seconds"] / r["months"]
        r["per_million_requests_s"] = r["seconds"] / (r["requests"] / 1e6)
        r["over_linear"] = r["seconds"] / (r["months"] * one["seconds"]) if one else None
    return runs


HEADER = (
    "| date | machine | scale | months | requests | cpt run s | s per month | s per million requests "
    "| over N × 1 month | peak RSS MB | charged = generated |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|\n"
)


def markdown_row(scale: str, r: dict) -> str:
    linear = f"{r['over_linear']:.2f}" if r["over_linear"] is not None else "—"
    return (
        f"| {datetime.now(UTC):%Y-%m-%d} | {machine()} | {scale} | {r['months']} | {r['requests']:,} "
        f"| {r['seconds']:.1f} | {r['per_month_s']:.1f} | {r['per_million_requests_s']:.1f} | {linear} "
        f"| {r['rss_mb']:,.0f} | {'yes' if not r['wrong'] else 'NO'} |"
    )


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="M", help="S, M, L, 3L or a number of requests a month")
    parser.add_argument("--fleet", type=int, default=1, help="fleet factor when --scale is a number")
    parser.add_argument("--months", type=int, nargs="+", default=[1, 3, 6], help="history lengths to backfill")
    parser.add_argument("--write", type=Path, help="append the rows to the backfill table of this Markdown file")
    parser.add_argument("--workdir", type=Path, help="keep the generated history here (default: a temp dir)")
    args = parser.parse_args(argv)
    requests, fleet = SCALES.get(args.scale) or (int(float(args.scale)), args.fleet)
    counts = sorted(set(args.months))
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="cpt-bench-history-"))
    try:
        marker, wanted = workdir / "bench-history", f"{requests} {fleet} {counts[-1]}"
        if not marker.exists() or marker.read_text() != wanted:  # a kept --workdir is reused for the same history
            shutil.rmtree(workdir / "source", ignore_errors=True)
            started = time.perf_counter()
            generate(workdir / "source", counts[-1], requests, fleet)
            marker.write_text(wanted)
            print(f"generated {counts[-1]} months at scale {args.scale} in {time.perf_counter() - started:.1f} s")
        truth = json.loads((workdir / "source" / "truth.json").read_text())
        runs = measure(workdir / "source", truth, counts)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    rows = [markdown_row(args.scale, r) for r in runs]
    print(HEADER + "\n".join(rows))
    wrong = [w for r in runs for w in r["wrong"]]
    if wrong:
        print("charged cost differs from the generated cost:", *wrong, sep="\n  ")
    if args.write:
        for row in rows:
            write_row(args.write, row, HEADER)
    return runs


if __name__ == "__main__":
    main()

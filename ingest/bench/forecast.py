"""Benchmark: forecasting many daily series through the real forecast step, against the cheapest forecast the same
library makes, measured in the same run.

    python -m ingest.bench.forecast --series 1000 --days 180 --repeat 3 [--write BENCHMARKS.md]
    (or: make bench-forecast)

Series like the warehouse's (a weekly shape, growth, noise; one in ten with a step change, one in fifty all zero
or retired) go through ``ingest.forecast.engine.forecast``: odd-history rules, rolling-origin backtests of three
candidates (three origins, 30 days ahead), the chosen model per series refitted and projected 90 days with 80 %
and 95 % intervals. Reported, medians of ``--repeat`` runs after one warm-up call:

- cold import: ``import statsforecast.models`` in a fresh process (statsforecast 2.x compiles its models ahead of
  time in C++: there is no numba JIT to warm up; the import is pandas and statsmodels);
- forecast: the whole step, seconds and series per second;
- baseline: statsforecast's SeasonalNaive forecast of the same series, 90 days with the same intervals;
- the ratio of the two, and peak RSS. Nothing here is asserted by tests (a test runs it small).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np

from ingest.bench import machine

LAST_DAY = dt.date(2026, 10, 31)
SECTION = "## Forecasting"


def make_series(count: int, days: int, seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    series = {}
    for i in range(count):
        level = rng.uniform(50, 5000)
        values = level * (1 + rng.uniform(0, 0.003) * t) * (1 + rng.uniform(0.1, 0.5) * np.sin(2 * np.pi * t / 7))
        values = np.clip(values + rng.normal(0, 0.05 * level, days), 0, None)
        if i % 10 == 3:  # a step change two thirds of the way
            values[2 * days // 3 :] *= 2
        if i % 50 == 7:
            values[:] = 0
        if i % 50 == 11:  # retired ten days before the end
            values[-10:] = 0
        series[f"s{i}"] = values
    return series


def _cold_import_seconds() -> float:
    code = "import time; t = time.perf_counter(); import statsforecast.models; print(time.perf_counter() - t)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout.strip())


def _baseline_seconds(series: dict[str, np.ndarray]) -> float:
    from ingest.forecast.engine import LEVELS, _frame, _statsforecast
    from ingest.forecast.history import Prepared

    frame = _frame({uid: Prepared(v, None, "") for uid, v in series.items()}, LAST_DAY)
    started = time.perf_counter()
    _statsforecast(("seasonal_naive",)).forecast(df=frame, h=90, level=list(LEVELS))
    return time.perf_counter() - started


def run(series_count: int, days: int, repeat: int) -> dict:
    cold = _cold_import_seconds()
    from ingest.forecast.engine import forecast

    series = make_series(series_count, days)
    forecast(dict(list(series.items())[:20]), LAST_DAY)  # warm-up: first calls, caches
    timings, baselines, methods = [], [], {}
    for _ in range(repeat):
        baselines.append(_baseline_seconds(series))
        started = time.perf_counter()
        result = forecast(series, LAST_DAY)
        timings.append(time.perf_counter() - started)
        counts = result.methods.group_by("method").len()
        methods = dict(zip(counts["method"], counts["len"], strict=True))
    seconds, baseline = statistics.median(timings), statistics.median(baselines)
    return {
        "date": dt.date.today().isoformat(),
        "machine": machine(),
        "series": series_count,
        "days": days,
        "cold_import_s": round(cold, 2),
        "forecast_s": round(seconds, 2),
        "series_per_s": round(series_count / seconds),
        "baseline_s": round(baseline, 3),
        "ratio": round(seconds / baseline, 1),
        # the largest of this process and its fitting workers (each read for itself)
        "peak_rss_mb": round(
            max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024
        ),
        "methods": dict(sorted(methods.items())),
        "repeats": repeat,
    }


HEADER = (
    "| date | machine | series × days | cold import s | forecast s | series/s | seasonal naive s | ratio | "
    "peak RSS MB | methods | runs |\n|---|---|---|---|---|---|---|---|---|---|---|\n"
)


def row(figures: dict) -> str:
    methods = ", ".join(f"{name} {count}" for name, count in figures["methods"].items())
    return (
        f"| {figures['date']} | {figures['machine']} | {figures['series']:,} × {figures['days']} | "
        f"{figures['cold_import_s']} | {figures['forecast_s']} | {figures['series_per_s']:,} | "
        f"{figures['baseline_s']} | {figures['ratio']}× | {figures['peak_rss_mb']:,} | {methods} | "
        f"{figures['repeats']} |\n"
    )


def write(path: Path, figures: dict) -> None:
    """Append a row to the Forecasting section's table (the section and its header are created if missing)."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if SECTION not in text:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\n{textwrap.fill(_INTRO, 116)}\n\n{HEADER}"
    start = text.index(SECTION)
    table_end = text.find("\n\n", text.index(HEADER.splitlines()[1], start))
    table_end = len(text) if table_end == -1 else table_end + 1
    path.write_text(text[:table_end] + row(figures) + text[table_end:])


_INTRO = (
    "Written by `make bench-forecast` (`python -m ingest.bench.forecast --series 1000 --days 180 --repeat 3 "
    "--write BENCHMARKS.md`): synthetic daily series like the warehouse's (weekly shape, growth, noise, a step change "
    "in one in ten, zeros and retirements) through the forecast step — odd-history rules, backtests of three "
    "candidates from three origins 30 days ahead, the chosen model refitted and projected 90 days with 80 % and 95 % "
    "intervals. Baseline, in the same run: statsforecast's SeasonalNaive forecast of the same series. statsforecast "
    "2.x compiles its models ahead of time, so there is no JIT warm-up: the cold start is the import. Medians of "
    "the repeats after one warm-up call; peak RSS is the largest of the process and its fitting workers. Compare the "
    "ratio, not seconds across rows."
)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=1000)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", type=Path, help="append a row to this BENCHMARKS.md")
    args = parser.parse_args(argv)
    figures = run(args.series, args.days, args.repeat)
    print(json.dumps(figures, indent=1))
    if args.write:
        write(args.write, figures)
    return figures


if __name__ == "__main__":
    main()

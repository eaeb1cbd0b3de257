"""Kill `cpt run` at random moments and at named points, rerun it, and hold the marts to an unkilled run.

    python -m tests.reliability.kill_loop --kills 20 [--seed 1] [--scale 0.05]    (make kill-loop)

Each round: one `cpt run` is SIGKILLed — its whole process group, as a container kill or a reboot would — either
at a random moment within the length of a clean run or at a named point inside a bronze write, a partition swap,
a landing write or the publish (``CPT_KILL_AT``, see ``ingest.housekeeping.fault_point``); then `cpt run` runs
again to the end. After every rerun the published marts must equal the clean run's, conservation must hold, no
temporary file may be left, and the killed runs must be marked failed in Dagster's history.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from ingest.housekeeping import TEMPORARY_NAME
from ingest.paths import DataLayout
from ingest.reconcile import conservation_by_month
from tests.cpt_runner import COMPARED_MARTS

MONTH = "2026-10"
# name[:n] — the n-th pass through the point (a daily run swaps 3 formats × 31 days of token partitions)
NAMED_POINTS = ["bronze.write:4", "bronze.swap:20", "publish:1"]


def environment(source: Path, data: Path) -> dict[str, str]:
    """`cpt run`'s environment for a source folder and a data directory of their own."""
    source, data = source.resolve(), data.resolve()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CPT_", "DAGSTER_"))}
    env.update(
        CPT_DATA_DIR=str(data),
        CPT_SOURCE_DIR=str(source),
        DAGSTER_HOME=str(data / "dagster_home"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    return env


def run_cpt(env: dict[str, str], kill_at: str | None = None, kill_after: float | None = None) -> tuple[int, str]:
    """`cpt run --month` in its own process group; killed at ``kill_at`` or after ``kill_after`` seconds."""
    env = {**env, **({"CPT_KILL_AT": kill_at} if kill_at else {})}
    command = [sys.executable, "-m", "orchestration.cli", "run", "--month", MONTH]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    if kill_after is not None:
        try:
            process.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    output, _ = process.communicate(timeout=1800)
    with contextlib.suppress(ProcessLookupError):  # a point kill ends Python only: end its dbt as a reboot would
        os.killpg(process.pid, signal.SIGKILL)
    return process.returncode, output


def marts(layout: DataLayout) -> dict[str, pl.DataFrame]:
    with duckdb.connect(str(layout.warehouse), read_only=True) as con:
        return {name: con.sql(f"select * from analytics.{name} order by all").pl() for name in COMPARED_MARTS}


def leftovers(layout: DataLayout) -> list[Path]:
    return [p for p in layout.data_dir.rglob("*") if TEMPORARY_NAME.match(p.name)]


@dataclass
class Report:
    kills: int = 0
    points: list[str] = field(default_factory=list)
    reruns_converged: int = 0
    failures: list[str] = field(default_factory=list)


def check_rerun(env: dict[str, str], layout: DataLayout, baseline: dict[str, pl.DataFrame]) -> list[str]:
    """Rerun to the end; what differs from the clean run (nothing, when all is well)."""
    code, output = run_cpt(env)
    if code != 0:
        return [f"rerun exited {code}: {output[-2000:]}"]
    problems = [
        f"{name} differs from the clean run"
        for name, frame in marts(layout).items()
        if not frame.equals(baseline[name])
    ]
    with duckdb.connect(str(layout.warehouse), read_only=True) as con:
        problems += [f"conservation broken in {m.month}" for m in conservation_by_month(con) if not m.holds]
    problems += [f"left behind: {p}" for p in leftovers(layout)]
    return problems


def started_runs(data: Path) -> list[str]:
    """Runs Dagster's history still shows as STARTED (a killed run not yet marked failed)."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(data / "dagster_home")) as instance:
        return [r.run_id for r in instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED]))]


def kill_rounds(
    source: Path,
    data: Path,
    named: list[str],
    random_kills: int,
    seed: int = 1,
    log=print,
    rerun_each: bool = True,
    baseline: dict[str, pl.DataFrame] | None = None,
    before_rerun=None,
) -> Report:
    """A clean run (unless the clean run's ``baseline`` marts are given); then, for each named point and for
    ``random_kills`` moments within the clean run's length, a killed run and a rerun held to the clean run
    (``rerun_each=False``: every kill in a row, then one rerun). ``before_rerun()`` runs before each rerun."""
    env, layout = environment(source, data), DataLayout(data)
    clean = 0.0
    if baseline is None:
        started = time.perf_counter()
        code, output = run_cpt(env)
        if code != 0:
            raise RuntimeError(f"the clean run failed: {output[-2000:]}")
        clean = time.perf_counter() - started
        log(f"clean run: {clean:.1f} s")
        baseline = marts(layout)
    elif random_kills:
        raise ValueError("random moments need the clean run's length: give no baseline")
    rng = random.Random(seed)
    report = Report()
    rounds = [*named, *(rng.uniform(1.0, clean) for _ in range(random_kills))]
    for number, point in enumerate(rounds, 1):
        if isinstance(point, str):
            code, _ = run_cpt(env, kill_at=point)
        else:
            code, _ = run_cpt(env, kill_after=point)
            point = f"{point:.1f} s"
        killed = code == -signal.SIGKILL
        report.kills += killed
        report.points.append(point if killed else f"{point} (finished before the kill)")
        if not rerun_each and number < len(rounds):
            log(f"round {number}: {'killed' if killed else 'not killed'} at {point}")
            continue
        if before_rerun:
            before_rerun()
        problems = check_rerun(env, layout, baseline)
        problems += [f"run {run} still STARTED" for run in started_runs(data)]
        report.reruns_converged += not problems
        report.failures += [f"round {number} ({point}): {p}" for p in problems]
        log(f"round {number}: {'killed' if killed else 'not killed'} at {point}; rerun: {problems or 'converged'}")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=20, help="random-moment kills (after the named points)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--work", type=Path, default=Path("data/kill-loop"))
    args = parser.parse_args()

    from ingest.sample.generator import SampleSpec, generate

    source, data = args.work / "source", args.work / "data"
    if not source.exists():
        generate(source, SampleSpec(month=MONTH, seed=11, scale=args.scale))
    report = kill_rounds(source, data, NAMED_POINTS, args.kills, args.seed)
    rounds = len(NAMED_POINTS) + args.kills
    print(
        f"{report.kills} kills in {rounds} rounds ({len(NAMED_POINTS)} named points, {args.kills} random moments); "
        f"{report.reruns_converged}/{rounds} reruns converged to the clean run's marts"
    )
    for failure in report.failures:
        print(f"FAILED {failure}")
    raise SystemExit(1 if report.failures else 0)


if __name__ == "__main__":
    main()

"""The dbt project on Spark: the `spark` target of dbt_project/profiles.yml, a local Spark session inside dbt's
process (loopback only, UTC), its metastore and tables under the data directory.

    python -m orchestration.spark [--unit-tests] [--select '["--select", "fct_cpt_daily+"]']

Builds what `cpt run` builds on DuckDB, from the same bronze parquet and forecast output: every seed, model, data
test and contract, then the models that read the forecast step's output; then, when asked, the dbt unit tests. The
tables land in SPARK_TABLES, one parquet folder per table (`analytics.db/<table>/`), in the `analytics` and
`internal` schemas of the Spark catalog."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from orchestration.settings import value

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
DBT = str(Path(sys.executable).parent / "dbt")
AFTER_FORECAST = "tag:after_forecast"


def spark_environment(data_dir: Path) -> dict[str, str]:
    """dbt's environment for the spark target: the data directory, Spark bound to loopback."""
    return {
        **os.environ,
        "CPT_DATA_DIR": str(data_dir),
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
        "SPARK_LOCAL_IP": value("SPARK_LOCAL_IP"),
    }


def dbt_on_spark(data_dir: Path, *, selection: tuple[str, ...] = ()) -> None:
    """`dbt build --target spark` over ``data_dir`` — the models before the forecast, then those after it, or only
    ``selection`` (dbt selection arguments) — and raise with dbt's last lines when a step fails (a failed data test
    included)."""
    selections = [list(selection)] if selection else [["--exclude", AFTER_FORECAST], ["--select", AFTER_FORECAST]]
    for chosen in selections:
        _dbt(data_dir, "build", *chosen, "--exclude-resource-type", "unit_test")


def unit_tests_on_spark(data_dir: Path) -> list[dict]:
    """Every dbt unit test on Spark (`dbt test`: a build selecting only unit tests runs none of them), over the
    tables a build left in ``data_dir`` (a unit test reads its inputs' column types from the warehouse); dbt's
    results, one per unit test. Raises with dbt's last lines when one fails."""
    _dbt(data_dir, "test", "--select", "test_type:unit")
    results = json.loads((_target(data_dir) / "run_results.json").read_text())["results"]
    return [r for r in results if r["unique_id"].startswith("unit_test.")]


def _target(data_dir: Path) -> Path:
    return data_dir / "warehouse" / "spark" / "target"


def _dbt(data_dir: Path, command: str, *arguments: str) -> None:
    common = ["--target", "spark", "--project-dir", str(DBT_PROJECT_DIR), "--target-path", str(_target(data_dir))]
    done = subprocess.run(
        [DBT, command, "--quiet", *common, *arguments], env=spark_environment(data_dir), capture_output=True, text=True
    )
    if done.returncode != 0:
        lines = [line for line in done.stdout.splitlines() if line.strip() and not line.startswith("\tat ")]
        raise RuntimeError(f"dbt {command} on Spark failed ({' '.join(arguments)}):\n" + "\n".join(lines[-40:]))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--unit-tests", action="store_true", help="then run the dbt unit tests")
    parser.add_argument("--select", type=json.loads, default=[], help="dbt selection arguments, as a JSON list")
    args = parser.parse_args(argv)
    data_dir = Path(value("CPT_DATA_DIR"))
    dbt_on_spark(data_dir, selection=tuple(args.select))
    if args.unit_tests:
        print(f"{len(unit_tests_on_spark(data_dir))} dbt unit tests passed on Spark")


if __name__ == "__main__":
    main(sys.argv[1:])

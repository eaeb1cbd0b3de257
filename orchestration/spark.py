"""The dbt project on Spark: the `spark` target of dbt_project/profiles.yml, a local Spark session inside dbt's
process (loopback only, UTC), its metastore and tables under the data directory.

    python -m orchestration.spark [--unit-tests] [--select '["--select", "fct_cpt_daily+"]']

Builds what `cpt run` builds on DuckDB, from the same bronze parquet and forecast output: every seed, model, data
test and contract (and the dbt unit tests when asked), then the models that read the forecast step's output. The
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


def dbt_on_spark(data_dir: Path, *, unit_tests: bool = False, selection: tuple[str, ...] = ()) -> None:
    """`dbt build --target spark` over ``data_dir`` — the models before the forecast, then those after it, or only
    ``selection`` (dbt selection arguments) — and raise with dbt's last lines when a step fails (a failed data test
    included)."""
    target_path = data_dir / "warehouse" / "spark" / "target"
    common = ["--target", "spark", "--project-dir", str(DBT_PROJECT_DIR), "--target-path", str(target_path)]
    skip_unit_tests = [] if unit_tests else ["--exclude-resource-type", "unit_test"]
    selections = [list(selection)] if selection else [["--exclude", AFTER_FORECAST], ["--select", AFTER_FORECAST]]
    for chosen in selections:
        command = [DBT, "build", "--quiet", *common, *chosen, *skip_unit_tests]
        done = subprocess.run(command, env=spark_environment(data_dir), capture_output=True, text=True)
        if done.returncode != 0:
            lines = [line for line in done.stdout.splitlines() if line.strip() and not line.startswith("\tat ")]
            raise RuntimeError(f"dbt build on Spark failed ({' '.join(chosen)}):\n" + "\n".join(lines[-40:]))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--unit-tests", action="store_true", help="run the dbt unit tests too")
    parser.add_argument("--select", type=json.loads, default=[], help="dbt selection arguments, as a JSON list")
    args = parser.parse_args(argv)
    dbt_on_spark(Path(value("CPT_DATA_DIR")), unit_tests=args.unit_tests, selection=tuple(args.select))


if __name__ == "__main__":
    main(sys.argv[1:])

"""The dbt unit tests (beside the models, in models/**/_*.yml) run here, not in every production build: they test
the SQL, not the data, so the daily and monthly builds skip them (`--exclude-resource-type unit_test`) and CI runs
them once, against the empty relations `dbt run --empty` creates for their inputs' column types."""

import json
import os
import subprocess
import sys
from pathlib import Path

from ingest.dbt_inputs import prepare as prepare_dbt_inputs
from ingest.paths import DataLayout

DBT_PROJECT = Path(__file__).parents[1] / "dbt_project"


def _dbt(args: list[str], data: Path, target: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "CPT_DATA_DIR": str(data), "DBT_PROFILES_DIR": str(DBT_PROJECT)}
    return subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), *args, "--target-path", str(target)],
        cwd=DBT_PROJECT,
        env=env,
        capture_output=True,
        text=True,
    )


def test_every_dbt_unit_test_passes(tmp_path):
    data, target = tmp_path / "data", tmp_path / "target"
    prepare_dbt_inputs(DataLayout(data))
    (data / "warehouse" / "build").mkdir(parents=True)
    empty = _dbt(["build", "--empty", "--exclude-resource-type", "unit_test", "test"], data, target)
    assert empty.returncode == 0, empty.stdout[-3000:]
    units = _dbt(["test", "--select", "test_type:unit"], data, target)
    assert units.returncode == 0, units.stdout[-5000:]
    ran = json.loads((target / "run_results.json").read_text())["results"]
    results = [r for r in ran if not r["unique_id"].startswith("operation.")]  # the on-run-start hook aside
    assert len(results) >= 13
    assert all(r["unique_id"].startswith("unit_test.") and r["status"] == "pass" for r in results)

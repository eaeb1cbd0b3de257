"""The dbt models, tests and macros are clean under the project's SQL lint (.sqlfluff: sqlfluff with the dbt
templater, every model checked as dbt compiles it) — what `make lint` runs, here so that `make test` runs it too."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]

pytestmark = pytest.mark.slow


def test_the_dbt_project_passes_the_sql_lint(tmp_path):
    (tmp_path / "warehouse" / "build").mkdir(parents=True)  # the templater opens the profile's DuckDB file
    done = subprocess.run(
        [str(Path(sys.executable).parent / "sqlfluff"), "lint", "dbt_project", "--processes", "2"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "CPT_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
    )
    report = "\n".join(line for line in (done.stdout + done.stderr).splitlines() if not line.startswith("WARNING"))
    assert done.returncode == 0, report[-5000:]  # 1: violations, listed by file and line; 2: it could not run

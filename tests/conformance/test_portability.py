"""Portability (the scale-out path): every intermediate and mart model, compiled by dbt, transpiles
from DuckDB SQL to Spark SQL with sqlglot without an unsupported construct. Engine-specific functions live in
macros/cross_db.sql with a Spark twin; this catches DuckDB-only syntax creeping into the models themselves."""

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conformance.focus_validator import VENV, ensure_validator

DBT_PROJECT = Path(__file__).parents[2] / "dbt_project"


def test_intermediate_and_mart_models_transpile_to_spark(tmp_path):
    env = {**os.environ, "CPT_DATA_DIR": str(tmp_path / "data"), "DBT_PROFILES_DIR": str(DBT_PROJECT)}
    (tmp_path / "data" / "warehouse" / "build").mkdir(parents=True)
    target = tmp_path / "target"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "compile",
            "--quiet",
            "--select",
            "path:models/intermediate",
            "path:models/marts",
            "--target-path",
            str(target),
        ],
        cwd=DBT_PROJECT,
        env=env,
        check=True,
        capture_output=True,
    )
    compiled = target / "compiled" / "cpt" / "models"
    models = [p for p in compiled.rglob("*.sql") if p.stem.startswith(("int_", "fct_", "dim_"))]
    assert len(models) >= 18
    ensure_validator()  # its pinned environment carries sqlglot
    result = subprocess.run(
        [str(VENV / "bin" / "python"), str(Path(__file__).with_name("portability_check.py")), str(compiled)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout


# DuckDB-only syntax a model must not use itself (a macro in macros/cross_db.sql with a Spark twin may).
DUCKDB_ONLY = re.compile(
    r"::|\bexclude\s*\(|\bqualify\b|\blist_\w+\(|\bstruct_pack\(|\bjson_extract\w*\(|\brange\(|\basof\b|"
    r"\bepoch_\w*\(|\bstrftime\(|\bdate_diff\(|\bunnest\(|->>|\bquantile\w*\(",
    re.IGNORECASE,
)


def test_models_use_no_duckdb_only_syntax_outside_macros():
    offending = [
        f"{path.relative_to(DBT_PROJECT)}:{number}: {line.strip()}"
        for folder in ("models/intermediate", "models/marts")
        for path in sorted((DBT_PROJECT / folder).rglob("*.sql"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if DUCKDB_ONLY.search(line.split("--")[0])
    ]
    assert offending == []

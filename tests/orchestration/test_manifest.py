"""The dbt manifest is prepared when it is missing or stale, so that `cpt` works on a fresh clone after
`make install` alone (and `make ui` or `dagster dev` started by hand)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from dagster_dbt import DbtProject

from orchestration.dbt_manifest import ManifestPreparationError, manifest_is_stale, prepare_manifest
from orchestration.resources import DBT_EXECUTABLE, DBT_PROJECT_DIR

REPO = Path(__file__).parents[2]


@pytest.fixture
def project(tmp_path) -> DbtProject:
    copy = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, copy, ignore=shutil.ignore_patterns("target", "logs"))
    return DbtProject(project_dir=copy, profiles_dir=copy)


def test_a_missing_manifest_is_prepared_once_and_a_changed_model_prepares_it_again(project):
    assert manifest_is_stale(project.project_dir, project.manifest_path)
    assert prepare_manifest(project, DBT_EXECUTABLE)
    assert project.manifest_path.exists()
    assert not prepare_manifest(project, DBT_EXECUTABLE)  # fresh: nothing to do

    model = project.project_dir / "models" / "marts" / "cpt" / "dim_teams.sql"
    earlier = model.stat().st_mtime - 5  # the model was edited after the manifest was made
    os.utime(project.manifest_path, (earlier, earlier))
    assert manifest_is_stale(project.project_dir, project.manifest_path)
    assert prepare_manifest(project, DBT_EXECUTABLE)
    assert not manifest_is_stale(project.project_dir, project.manifest_path)


def test_a_broken_project_is_one_error_with_dbt_s_reason(project):
    (project.project_dir / "models" / "marts" / "cpt" / "dim_teams.sql").write_text("select {{ ref('no_such') }}")
    with pytest.raises(ManifestPreparationError, match=r"dbt parse failed .*no_such"):
        prepare_manifest(project, DBT_EXECUTABLE)


@pytest.mark.slow
def test_cpt_run_works_on_a_fresh_clone_without_a_manifest_or_any_data(tmp_path):
    """A fresh clone: the repository's files (no dbt target, no data), this environment's packages; `cpt run`
    prepares the manifest, finds no source, and publishes an empty warehouse saying so."""
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=REPO, capture_output=True, text=True
    ).stdout.split()
    clone = tmp_path / "clone"
    for name in files:
        if (REPO / name).is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, clone / name)
    assert not (clone / "dbt_project" / "target").exists()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CPT_", "DAGSTER_"))}
    done = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "run", "--month", "2026-10"],
        cwd=clone,  # the clone's modules come first on the path
        env={**env, "COLUMNS": "100"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    said = " ".join(done.stdout.split())
    assert done.returncode == 0, done.stdout + done.stderr
    assert (clone / "dbt_project" / "target" / "manifest.json").exists()
    assert f"skipped AWS billing: CPT_AWS_BILLING_URI={clone / 'data' / 'source' / 'aws'} does not exist" in said
    assert "published" in said
    assert (clone / "data" / "warehouse" / "cpt.duckdb").exists()
    assert "Traceback" not in done.stdout + done.stderr

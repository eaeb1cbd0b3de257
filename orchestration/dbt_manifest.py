"""The dbt manifest the Dagster definitions are built from, prepared when it is missing or older than the project.

A fresh clone has no manifest, and a changed model makes the old one wrong: `cpt`, `make ui` and `dagster dev`
started by hand all load the definitions through ``orchestration.resources``, which prepares it first (`dbt parse`,
a few seconds, only when needed). Processes loading the definitions at once (test workers, the UI and the daemon)
take a lock, so one parses and the others wait for its manifest.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
from pathlib import Path

from dagster_dbt import DbtProject

# What the manifest is made from: a change to any of these files makes it stale.
PROJECT_SUFFIXES = (".sql", ".yml", ".yaml", ".csv")


class ManifestPreparationError(RuntimeError):
    """`dbt parse` failed: the dbt project has an error (its message is dbt's)."""


def manifest_is_stale(project_dir: Path, manifest: Path) -> bool:
    """True when the manifest is missing or older than a file of the dbt project."""
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    skip = {"target", "logs", "dbt_packages"}
    for folder, dirs, files in os.walk(project_dir):
        dirs[:] = [d for d in dirs if d not in skip and not d.startswith(".")]
        for name in files:
            if name.endswith(PROJECT_SUFFIXES) and (Path(folder) / name).stat().st_mtime > built:
                return True
    return False


def prepare_manifest(project: DbtProject, dbt_executable: str) -> bool:
    """`dbt parse` with this environment's dbt if the manifest is missing or stale; True when it parsed."""
    if not manifest_is_stale(project.project_dir, project.manifest_path):
        return False
    target = project.project_dir / project.target_path
    target.mkdir(parents=True, exist_ok=True)
    with (target / ".prepare.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be parsing: wait, then look again
        if not manifest_is_stale(project.project_dir, project.manifest_path):
            return False
        command = [dbt_executable, "parse", "--quiet", "--profiles-dir", str(project.profiles_dir)]
        result = subprocess.run(
            [*command, "--target-path", str(target)],
            cwd=project.project_dir,
            env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            detail = (result.stdout + result.stderr).strip().splitlines()
            raise ManifestPreparationError(
                f"dbt parse failed in {project.project_dir}: " + " ".join(detail[-3:] or ["no output"])
            )
        project.manifest_path.touch()  # newer than every file it was made from, even when dbt reused it
    return True

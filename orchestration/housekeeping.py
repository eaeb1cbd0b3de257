"""Before a run: clear what killed runs left behind, so one kill never blocks the runs after it.

- temporary files and folders of processes that are gone (``ingest.housekeeping.clean_leftovers``);
- runs that ``cpt run`` started in a process that is gone, still STARTED in Dagster's history: marked failed.
  ``cpt run`` tags each run with its host and process id for this. Runs launched from the UI or by the daemon are
  watched by Dagster's own run monitoring (enabled in the ``dagster.yaml`` that ``cpt`` and ``make ui`` write).
"""

from __future__ import annotations

import socket
from pathlib import Path

import dagster as dg

from ingest.housekeeping import clean_leftovers, process_alive

HOST_TAG = "cpt/host"
PID_TAG = "cpt/pid"
_ACTIVE = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]

# Written by `cpt` and `make ui` when DAGSTER_HOME has no dagster.yaml yet.
DAGSTER_YAML = """telemetry:
  enabled: false
# A run whose worker process dies (killed, out of memory) is marked failed by the daemon instead of staying STARTED.
run_monitoring:
  enabled: true
  start_timeout_seconds: 180
  max_resume_run_attempts: 0
  poll_interval_seconds: 60
# Dagster's SQLite event log (the same files), its connections kept open rather than opened per event.
event_log_storage:
  module: orchestration.dagster_storage
  class: KeptConnectionsSqliteEventLogStorage
"""


def process_tags(pid: int) -> dict[str, str]:
    """Tags naming the process that executes a run in-process (``cpt run``)."""
    return {HOST_TAG: socket.gethostname(), PID_TAG: str(pid)}


def fail_abandoned_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark failed every run tagged with a process of this host that is gone; returns their run ids."""
    host = socket.gethostname()
    failed = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=_ACTIVE, tags={HOST_TAG: host})):
        pid = run.tags.get(PID_TAG, "")
        if pid.isdigit() and not process_alive(int(pid)):
            instance.report_run_failed(run, message=f"the process that ran it (pid {pid} on {host}) is gone")
            failed.append(run.run_id)
    return failed


def prepare_run(instance: dg.DagsterInstance, data_dir: Path) -> tuple[list[Path], list[str]]:
    """Everything a run does before it reads or writes: (leftovers removed, abandoned runs failed)."""
    return clean_leftovers(data_dir), fail_abandoned_runs(instance)


def ensure_dagster_home(home: Path) -> Path:
    """Create DAGSTER_HOME with this project's dagster.yaml unless one is there (a user's own is kept)."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML)
    return config


if __name__ == "__main__":  # `make ui`, through orchestration.settings: prepares $DAGSTER_HOME
    import os

    ensure_dagster_home(Path(os.environ["DAGSTER_HOME"]))

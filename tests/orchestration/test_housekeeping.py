"""A run that `cpt run` left STARTED when its process was killed is marked failed by the next run; runs of live
processes, other hosts and finished runs are left as they are."""

from __future__ import annotations

import os
import subprocess
import sys

import dagster as dg

from orchestration.housekeeping import (
    DAGSTER_YAML,
    HOST_TAG,
    PID_TAG,
    ensure_dagster_home,
    fail_abandoned_runs,
    prepare_run,
    process_tags,
)


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _run(instance: dg.DagsterInstance, status: dg.DagsterRunStatus, tags: dict[str, str]) -> str:
    run = instance.add_run(dg.DagsterRun(job_name="daily_refresh", status=status, tags=tags))
    return run.run_id


def test_runs_of_gone_processes_are_marked_failed(tmp_path):
    with dg.DagsterInstance.ephemeral() as instance:
        dead = process_tags(_dead_pid())
        abandoned = _run(instance, dg.DagsterRunStatus.STARTED, dead)
        alive = _run(instance, dg.DagsterRunStatus.STARTED, process_tags(os.getpid()))
        finished = _run(instance, dg.DagsterRunStatus.SUCCESS, dead)
        elsewhere = _run(instance, dg.DagsterRunStatus.STARTED, {**dead, HOST_TAG: "another-host"})
        untagged = _run(instance, dg.DagsterRunStatus.STARTED, {})

        assert fail_abandoned_runs(instance) == [abandoned]
        status = {run_id: instance.get_run_by_id(run_id).status for run_id in instance.get_run_ids()}
        assert status[abandoned] == dg.DagsterRunStatus.FAILURE
        assert status[alive] == status[elsewhere] == status[untagged] == dg.DagsterRunStatus.STARTED
        assert status[finished] == dg.DagsterRunStatus.SUCCESS
        failure = [e for e in instance.all_logs(abandoned) if e.dagster_event and e.dagster_event.is_run_failure]
        assert dead[PID_TAG] in failure[0].message
        assert prepare_run(instance, tmp_path) == ([], [])  # nothing left to do the second time


def test_the_dagster_home_written_turns_run_monitoring_on_and_keeps_a_users_own(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    config = ensure_dagster_home(tmp_path / "home")
    with dg.DagsterInstance.get() as instance:
        assert instance.run_monitoring_enabled is True
    assert config.read_text() == DAGSTER_YAML and "run_monitoring:\n  enabled: true" in DAGSTER_YAML
    config.write_text("telemetry:\n  enabled: true\n")
    ensure_dagster_home(tmp_path / "home")
    assert config.read_text() == "telemetry:\n  enabled: true\n"
    with dg.DagsterInstance.from_config(str(tmp_path / "home")) as instance:
        assert instance.run_monitoring_enabled is False
    (tmp_path / "fresh").mkdir()
    ensure_dagster_home(tmp_path / "fresh")
    with dg.DagsterInstance.from_config(str(tmp_path / "fresh")) as instance:
        assert instance.run_monitoring_enabled is True

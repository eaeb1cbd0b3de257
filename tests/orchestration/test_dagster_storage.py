"""The event log `cpt` configures keeps its SQLite connections open: runs stored through it are Dagster's own
files (a default instance on the same home reads them), a process holds at most KEPT_ENGINES files open, and a
wipe closes them before deleting the files."""

from __future__ import annotations

import dagster as dg

from orchestration import dagster_storage
from orchestration.dagster_storage import KeptConnectionsSqliteEventLogStorage
from orchestration.housekeeping import ensure_dagster_home


@dg.asset
def priced() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"rows": 3})


@dg.asset_check(asset=priced)
def priced_has_rows() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


def test_runs_stored_with_kept_connections_are_read_by_dagsters_default_storage(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    ensure_dagster_home(home)
    runs = KeptConnectionsSqliteEventLogStorage
    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.event_log_storage, runs)
        results = [
            dg.materialize([priced, priced_has_rows], instance=instance)
            for _ in range(dagster_storage.KEPT_ENGINES + 3)
        ]
        assert all(r.success for r in results)
        assert len(instance.event_log_storage._engines) == dagster_storage.KEPT_ENGINES  # the oldest closed
        run_ids = [r.run_id for r in results]

    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")  # Dagster's default storage, same files
    with dg.DagsterInstance.get() as default:
        assert not isinstance(default.event_log_storage, runs)
        for run_id in run_ids:
            kinds = {e.dagster_event_type for e in default.all_logs(run_id) if e.dagster_event}
            assert {dg.DagsterEventType.ASSET_MATERIALIZATION, dg.DagsterEventType.ASSET_CHECK_EVALUATION} <= kinds
            assert default.get_run_by_id(run_id).status == dg.DagsterRunStatus.SUCCESS
        latest = default.get_latest_materialization_event(dg.AssetKey("priced"))
        assert latest is not None and latest.run_id == run_ids[-1]
        check = default.event_log_storage.get_asset_check_execution_history(
            dg.AssetCheckKey(dg.AssetKey("priced"), "priced_has_rows"), limit=100
        )
        assert len(check) == len(run_ids)


def test_a_wipe_closes_the_kept_connections_before_deleting_the_files(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    ensure_dagster_home(home)
    with dg.DagsterInstance.get() as instance:
        run_id = dg.materialize([priced], instance=instance).run_id
        assert run_id in instance.event_log_storage._engines
        instance.event_log_storage.wipe()
        assert run_id not in instance.event_log_storage._engines  # (the index is emptied through a new one)
        assert instance.all_logs(run_id) == []
        assert dg.materialize([priced], instance=instance).success  # the files are made again

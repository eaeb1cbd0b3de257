"""The parse one dbt invocation leaves is the next one's start; old invocation folders are pruned; invoking dbt
starts no second dbt process and builds no dbt adapter in this one."""

import os

import dagster_dbt.core.resource
import dbt.adapters.factory
from dbt.version import __version__ as dbt_core_version
from packaging import version

from orchestration.dbt_invocation import (
    KEEP,
    PARTIAL_PARSE,
    WarehouseDbtCliResource,
    _nodes_of,
    _prune,
    keep_parse,
    reads_bronze,
)
from orchestration.defs.forecast.assets import cpt_forecast_models
from orchestration.defs.warehouse.assets import cpt_dbt_models
from orchestration.resources import DBT_EXECUTABLE, DBT_PROJECT_DIR


def test_the_newest_parse_replaces_the_saved_one_whole(tmp_path):
    saved = tmp_path / PARTIAL_PARSE
    keep_parse(tmp_path / "run-1" / PARTIAL_PARSE, saved)  # an invocation that failed before parsing left none
    assert not saved.exists()
    for run, content in (("run-1", b"first"), ("run-2", b"second")):
        (tmp_path / run).mkdir()
        (tmp_path / run / PARTIAL_PARSE).write_bytes(content)
        keep_parse(tmp_path / run / PARTIAL_PARSE, saved)
    assert saved.read_bytes() == b"second"
    assert sorted(p.name for p in tmp_path.iterdir()) == [PARTIAL_PARSE, "run-1", "run-2"]  # no temporary left


def test_whether_an_invocation_reads_bronze_follows_from_the_nodes_it_builds():
    """Which dbt invocation copies bronze to the bucket first (with CPT_BRONZE_URI on S3) is derived, not declared:
    the main build reads bronze through its staging views; the forecast models read tables built before them."""
    manifest, main = _nodes_of(cpt_dbt_models)
    assert reads_bronze(manifest, main)
    manifest, forecast = _nodes_of(cpt_forecast_models)
    assert not reads_bronze(manifest, forecast)
    # the day a forecast model reads a staging view over bronze (a view: read where it is read), it copies first
    daily = manifest["nodes"]["model.cpt.fct_forecast_daily"]
    reading = {
        **daily,
        "depends_on": {"nodes": [*daily["depends_on"]["nodes"], "model.cpt.stg_aws__billing_line_items"]},
    }
    assert reads_bronze({**manifest, "nodes": {**manifest["nodes"], "model.cpt.fct_forecast_daily": reading}}, forecast)
    # ... and a test attached to one of its models that reads bronze too
    test = {"attached_node": "model.cpt.fct_forecast_daily", "config": {"materialized": "test"}}
    test["depends_on"] = {"nodes": ["model.cpt.fct_forecast_daily", "source.cpt.bronze_tokens.inference_requests"]}
    assert reads_bronze({**manifest, "nodes": {**manifest["nodes"], "test.cpt.reads_bronze": test}}, forecast)


def test_only_the_newest_invocation_folders_are_kept(tmp_path):
    for n in range(KEEP + 5):
        folder = tmp_path / f"cpt_dbt_models-{n:03}"
        folder.mkdir()
        os.utime(folder, (1_000_000 + n, 1_000_000 + n))
    (tmp_path / PARTIAL_PARSE).write_bytes(b"parse")
    _prune(tmp_path)
    kept = sorted(p.name for p in tmp_path.iterdir() if p.is_dir())
    assert kept == [f"cpt_dbt_models-{n:03}" for n in range(5, KEEP + 5)]
    assert (tmp_path / PARTIAL_PARSE).exists()


def test_invoking_dbt_starts_no_version_process_and_builds_no_adapter(tmp_path, monkeypatch):
    started, built = [], []
    monkeypatch.setattr(dagster_dbt.core.resource, "check_output", lambda *a, **k: started.append(a) or b"")
    monkeypatch.setattr(dbt.adapters.factory, "register_adapter", lambda *a, **k: built.append(a))
    monkeypatch.setenv("CPT_DATA_DIR", str(tmp_path / "data"))
    resource = WarehouseDbtCliResource(
        project_dir=str(DBT_PROJECT_DIR), profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=DBT_EXECUTABLE
    )
    listed = resource.cli(["ls", "--select", "fct_cpt_daily", "--quiet"], target_path=tmp_path / "target")
    assert listed.is_successful()
    assert started == [] and built == []
    assert resource._cli_version == version.parse(dbt_core_version)


def test_another_environments_dbt_is_asked_its_version(tmp_path, monkeypatch):
    other = tmp_path / "other-env" / "bin" / "dbt"
    other.parent.mkdir(parents=True)
    other.write_text("#!/bin/sh\n")
    other.chmod(0o755)
    asked = []
    answer = b"Core:\n  - installed: 1.2.3\n"
    monkeypatch.setattr(dagster_dbt.core.resource, "check_output", lambda *a, **k: asked.append(a[0]) or answer)
    resource = WarehouseDbtCliResource(project_dir=str(DBT_PROJECT_DIR), dbt_executable=str(other))
    assert resource._cli_version == version.parse("1.2.3")
    assert asked == [[str(other), "--version"]]

import json
import os
import re
from pathlib import Path

import dagster as dg
import pytest

from orchestration.definitions import defs

SNAPSHOT = Path(__file__).parent / "definitions_snapshot.json"


def _keys(keys) -> set[str]:
    return {k.to_user_string() for k in keys}


def _job_assets(name: str) -> set[str]:
    """The assets job ``name`` materializes."""
    return _keys(defs.resolve_job_def(name).asset_layer.executable_asset_keys)


def _partitions(partitions_def) -> str | None:
    return type(partitions_def).__name__ if partitions_def else None


def definitions_snapshot(definitions: dg.Definitions) -> dict:
    """Everything the definitions declare, as plain sorted data: assets (group, kinds, partitioning, parents),
    checks, jobs (partitioning and assets), schedules, sensors, resources and loggers."""
    repository = definitions.get_repository_def()
    graph = repository.asset_graph
    assets = {
        key.to_user_string(): {
            "group": node.group_name,
            "kinds": sorted(node.kinds),
            "partitions": _partitions(node.partitions_def),
            "materializable": node.is_materializable,
            "parents": sorted(_keys(node.parent_keys)),
        }
        for key, node in ((key, graph.get(key)) for key in graph.get_all_asset_keys())
    }
    checks = sorted(f"{key.asset_key.to_user_string()}:{key.name}" for key in graph.asset_check_keys)
    jobs = {
        job.name: {
            "partitions": _partitions(job.partitions_def),
            "assets": sorted(_keys(job.asset_layer.executable_asset_keys)),
        }
        for job in repository.get_all_jobs()
        if not job.name.startswith("__")
    }
    schedules = {
        s.name: {
            "job": s.job_name,
            "cron": s.cron_schedule,
            "timezone": s.execution_timezone,
            "default_status": s.default_status.value,
        }
        for s in repository.schedule_defs
    }
    sensors = {
        s.name: {
            "job": s.job_name,
            "minimum_interval_seconds": s.minimum_interval_seconds,
            "default_status": s.default_status.value,
        }
        for s in repository.sensor_defs
    }
    return {
        "assets": dict(sorted(assets.items())),
        "asset_checks": checks,
        "jobs": dict(sorted(jobs.items())),
        "schedules": dict(sorted(schedules.items())),
        "sensors": dict(sorted(sensors.items())),
        "resources": sorted(repository.get_top_level_resources()),
        "loggers": sorted(repository.get_job("daily_refresh").loggers),
    }


def test_the_definitions_match_their_snapshot(cpt_env):
    """Every asset, check, job, schedule and sensor, found under orchestration/defs/, against the reviewed
    snapshot: a change to the graph shows up here as a diff to read. CPT_WRITE_SNAPSHOT=1 rewrites it."""
    dg.Definitions.validate_loadable(defs)
    snapshot = definitions_snapshot(defs)
    # one line per list, so that the file reads (and diffs) like a table
    text = re.sub(r"\[[^\[\]{}]*\]", lambda m: re.sub(r"\s*\n\s*", " ", m.group(0)), json.dumps(snapshot, indent=1))
    text = text + "\n"
    if os.environ.get("CPT_WRITE_SNAPSHOT"):
        SNAPSHOT.write_text(text)
    expected = json.loads(SNAPSHOT.read_text())
    for part in expected:
        assert snapshot[part] == expected[part], f"{part} differ from {SNAPSHOT.name} (CPT_WRITE_SNAPSHOT=1 rewrites)"


def test_the_asset_graph_joins_ingest_to_the_published_warehouse(cpt_env):
    graph = defs.resolve_asset_graph()

    def parents(key: str) -> set[str]:
        return _keys(graph.get(dg.AssetKey(key)).parent_keys)

    from orchestration.defs.warehouse.assets import MARTS

    assert parents("published_warehouse") == set(MARTS)
    assert {"focus_billing", "ops_conservation_monthly", "ops_token_quarantine_daily"} <= set(MARTS)
    assert parents("token_quarantine") == {"inference_requests", "inference_token_counter_samples"}
    sources = {
        key for key in _keys(graph.get_all_asset_keys()) if graph.get(dg.AssetKey(key)).tags.get("layer") == "bronze"
    }
    staging = {key for key in _keys(graph.get_all_asset_keys()) if key.startswith("stg_")}
    forecast_files = {"series_forecasts", "series_fitted", "series_accuracy", "series_methods"}
    closed_store = {"closed_months", "closed_chargeback", "closed_reconciliation", "closed_adjustments"}
    # every source asset is read by staging (list prices by the GCP asset too), and staging reads only sources, the
    # forecast step's files and the closed months' store
    assert sources | forecast_files | closed_store == set().union(*(parents(key) for key in staging))
    assert parents("gcp_billing_line_items") == {"gcp_list_prices"}


def test_forecasts_run_between_the_two_dbt_builds_and_before_publishing(cpt_env):
    graph = defs.resolve_asset_graph()

    def parents(key: str) -> set[str]:
        return _keys(graph.get(dg.AssetKey(key)).parent_keys)

    for name in ("series_forecasts", "series_fitted", "series_accuracy", "series_methods"):
        assert parents(name) == {"int_forecast_series_daily"}
    assert parents("int_forecast_series_daily") == {"fct_cpt_daily"}
    assert "stg_forecast__series_forecasts" in parents("fct_forecast_daily")
    forecast_marts = {
        "fct_forecast_daily",
        "fct_forecast_accuracy",
        "fct_month_end_projection",
        "fct_budget_status",
        "fct_gateway_team_limits",
        "fct_cost_anomalies",
        "dim_forecast_series",
    }
    assert forecast_marts <= parents("published_warehouse")
    for name in ("forecast_charts", "gateway_limits", "budget_alerts"):
        assert parents(name) == {"published_warehouse"}
    # the daily job (its schedule is the daily one) runs all of it
    job = defs.resolve_job_def("daily_refresh")
    in_job = _keys(job.asset_layer.selected_asset_keys)
    assert forecast_marts | {"series_forecasts", "forecast_charts", "gateway_limits", "budget_alerts"} <= in_job


def test_conservation_check_is_blocking_and_dbt_tests_are_checks(cpt_env):
    graph = defs.resolve_asset_graph()
    checks = {(k.asset_key.to_user_string(), k.name) for k in graph.asset_check_keys}
    assert ("fct_cpt_daily", "in_scope_cost_is_conserved") in checks
    assert ("fct_cpt_daily", "assert_in_scope_cost_conserved") in checks
    assert ("fct_cpt_daily", "assert_tokens_conserved") in checks
    assert ("fct_cpt_daily", "assert_in_scope_cost_conserved_per_day") in checks
    assert ("fct_cpt_daily", "assert_in_scope_cost_conserved_per_deployment_month") in checks
    assert any(a == "fct_reconciliation_monthly" and "allocation_difference" in n for a, n in checks)
    assert ("inference_requests", "quarantine_rate_is_low") in checks
    assert {
        ("fct_budget_status", "spend_within_budget"),
        ("fct_budget_status", "projection_within_budget"),
        ("fct_cost_anomalies", "no_recent_anomalies"),
    } <= checks
    from orchestration.defs.warehouse.checks import in_scope_cost_is_conserved

    spec = next(s for s in in_scope_cost_is_conserved.check_specs if s.name == "in_scope_cost_is_conserved")
    assert spec.blocking


def test_daily_schedule_runs_the_refresh_job_for_yesterday(cpt_env):
    schedule = defs.resolve_schedule_def("daily_refresh_schedule")
    assert schedule.cron_schedule == "0 3 * * *"
    assert schedule.job_name == "daily_refresh"


def test_a_deployed_instance_refreshes_without_a_switch_flipped_and_says_when(cpt_env):
    automations = [*defs.schedules, *defs.sensors]
    assert {a.name for a in automations} == {
        "daily_refresh_schedule",
        "gcp_catalog_refresh_schedule",
        "aws_price_list_refresh_schedule",
        "monthly_reports_schedule",
        "aws_billing_delivery_sensor",
        "token_log_sensor",
    }
    for automation in automations:
        assert automation.default_status.value == "RUNNING", automation.name
        assert automation.description and len(automation.description) > 30, automation.name
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    for automation in automations:
        assert f"`{automation.name}`" in readme  # listed with its time


def test_a_ui_backfill_of_any_range_is_one_run_per_partitioning(cpt_env):
    graph = defs.resolve_asset_graph()
    partitioned = [graph.get(key) for key in graph.materializable_asset_keys if graph.get(key).partitions_def]
    assert {a.key.to_user_string() for a in partitioned} >= {"aws_billing_line_items", "inference_requests"}
    for asset in partitioned:
        assert asset.backfill_policy == dg.BackfillPolicy.single_run(), asset.key


def test_the_history_kept_starts_where_configured():
    from orchestration.partitions import FIRST_DAY, daily_partitions, monthly_partitions

    assert daily_partitions.start.date().isoformat() == FIRST_DAY
    assert monthly_partitions.get_first_partition_key() == FIRST_DAY
    assert FIRST_DAY <= "2023-01-01"  # the default reaches years back


def test_jobs_rebuild_the_warehouse_after_each_kind_of_ingest(cpt_env):
    aws = _job_assets("aws_billing_refresh")
    daily = _job_assets("daily_refresh")
    assert "aws_billing_line_items" in aws and "inference_requests" not in aws
    assert {"inference_requests", "gcp_billing_line_items"} <= daily and "aws_billing_line_items" not in daily
    assert {"fct_cpt_daily", "published_warehouse"} <= aws & daily
    assert defs.resolve_sensor_def("aws_billing_delivery_sensor").job_name == "aws_billing_refresh"
    assert defs.resolve_sensor_def("token_log_sensor").job_name == "token_logs_refresh"
    tokens = _job_assets("token_logs_refresh")
    reports = _job_assets("monthly_reports")
    assert reports == {"chargeback_reports"} and not reports & (aws | daily | tokens)
    assert {"inference_requests", "inference_token_counter_samples", "published_warehouse"} <= tokens
    assert "aws_billing_line_items" not in tokens
    assert {"int_inference_requests_attributed", "int_pool_costs_allocated", "fct_cpt_daily"} <= tokens
    assert not {"int_billing_lines_scoped", "int_billing_lines_spread_hourly", "int_cost_pools_aggregated"} & tokens
    catalog = defs.resolve_schedule_def("gcp_catalog_refresh_schedule")
    assert catalog.cron_schedule == "0 2 * * 1" and catalog.job_name == "gcp_catalog_refresh"
    prices = defs.resolve_schedule_def("aws_price_list_refresh_schedule")
    assert prices.cron_schedule == "30 2 * * 1" and prices.job_name == "aws_price_list_refresh"
    assert _job_assets("aws_price_list_refresh") == {"aws_list_prices"}


def test_allocation_policies_are_run_config_passed_to_dbt_as_vars():
    from orchestration.defs.warehouse.assets import AllocationPolicy, dbt_build_args

    assert dbt_build_args(AllocationPolicy()) == ["build", "--exclude-resource-type", "unit_test"]
    args = dbt_build_args(
        AllocationPolicy(idle_policy="central", central_team="ml-platform", allocation_key="output_tokens")
    )
    assert args[:4] == ["build", "--exclude-resource-type", "unit_test", "--vars"]
    assert json.loads(args[4]) == {
        "cpt_allocation_key": "output_tokens",
        "cpt_idle_policy": "central",
        "cpt_central_team": "ml-platform",
    }
    assert dbt_build_args(AllocationPolicy(full_refresh=True))[-1] == "--full-refresh"
    with pytest.raises(Exception, match="idle_policy"):
        AllocationPolicy(idle_policy="everyone")

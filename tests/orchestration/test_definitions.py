import json
from pathlib import Path

import dagster as dg
import pytest

from orchestration.definitions import defs

INGEST = {
    "aws_billing_line_items",
    "gcp_list_prices",
    "gcp_billing_line_items",
    "inference_requests",
    "inference_token_counter_samples",
}
DBT = {
    "hardware_specs",
    "currency_rates",
    "stg_aws__billing_line_items",
    "stg_gcp__billing_line_items",
    "stg_gcp__list_prices",
    "stg_tokens__inference_requests",
    "stg_tokens__token_counter_samples",
    "int_token_counter_deltas",
    "int_inference_request_copies",
    "int_inference_requests_attributed",
    "int_token_usage_hourly",
    "int_request_latency_daily",
    "team_mappings",
    "deployment_mappings",
    "deployment_owners",
    "int_billing_line_items_unioned",
    "int_billing_lines_scoped",
    "int_billing_lines_spread_hourly",
    "int_deployments_resolved",
    "int_cost_pools_aggregated",
    "int_shared_costs_spread",
    "int_token_usage_aggregated",
    "int_pool_usage_shares",
    "int_pool_idle_shares",
    "int_pool_costs_allocated",
    "fct_cpt_daily",
    "fct_cpt_monthly",
    "fct_deployment_hours",
    "fct_reconciliation_monthly",
    "fct_invoice_accounts_monthly",
    "dim_deployments",
    "dim_teams",
    "dim_models",
    "dim_hardware",
    "stg_focus__billing_line_items",
    "stg_tokens__token_quarantine",
    "focus_billing",
    "ops_conservation_monthly",
    "ops_billing_deliveries",
    "ops_token_quarantine_daily",
    "stg_landing__files",
    "ops_load_history",
}


def _keys(keys) -> set[str]:
    return {k.to_user_string() for k in keys}


def test_every_definition_loads_with_the_expected_asset_graph(cpt_env):
    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    # token_quarantine: an asset of its own, written by the two token assets as they read, read by dbt
    assert _keys(graph.get_all_asset_keys()) == INGEST | DBT | {
        "published_warehouse",
        "warehouse_exports",
        "token_quarantine",
    }

    def parents(key: str) -> set[str]:
        return _keys(graph.get(dg.AssetKey(key)).parent_keys)

    assert parents("stg_aws__billing_line_items") == {"aws_billing_line_items"}
    assert parents("stg_gcp__billing_line_items") == {"gcp_billing_line_items"}
    assert parents("int_billing_line_items_unioned") == {
        "stg_aws__billing_line_items",
        "stg_gcp__billing_line_items",
        "currency_rates",
    }
    assert parents("stg_gcp__list_prices") == {"gcp_list_prices"}
    assert "gcp_list_prices" in parents("gcp_billing_line_items")
    assert parents("stg_tokens__inference_requests") == {"inference_requests"}
    assert parents("int_inference_request_copies") == {
        "stg_tokens__inference_requests",
        "team_mappings",
        "deployment_mappings",
    }
    assert parents("int_inference_requests_attributed") == {"int_inference_request_copies"}
    assert (
        parents("int_token_usage_hourly")
        == parents("int_request_latency_daily")
        == {"int_inference_requests_attributed"}
    )
    assert "int_pool_costs_allocated" in parents("fct_cpt_daily")
    from orchestration.defs.warehouse.assets import MARTS

    assert parents("published_warehouse") == set(MARTS)
    assert {"focus_billing", "ops_conservation_monthly", "ops_token_quarantine_daily"} <= set(MARTS)
    assert parents("stg_tokens__token_quarantine") == {"token_quarantine"}
    assert parents("token_quarantine") == {"inference_requests", "inference_token_counter_samples"}
    assert isinstance(graph.get(dg.AssetKey("inference_requests")).partitions_def, dg.DailyPartitionsDefinition)
    assert isinstance(graph.get(dg.AssetKey("aws_billing_line_items")).partitions_def, dg.MonthlyPartitionsDefinition)
    assert isinstance(graph.get(dg.AssetKey("gcp_billing_line_items")).partitions_def, dg.DailyPartitionsDefinition)
    assert graph.get(dg.AssetKey("fct_cpt_daily")).group_name == "warehouse_marts"


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
    spec = next(s for s in defs.asset_checks[0].check_specs if s.name == "in_scope_cost_is_conserved")
    assert spec.blocking


def test_daily_schedule_runs_the_refresh_job_for_yesterday(cpt_env):
    schedule = defs.get_schedule_def("daily_refresh_schedule")
    assert schedule.cron_schedule == "0 3 * * *"
    assert schedule.job_name == "daily_refresh"


def test_a_deployed_instance_refreshes_without_a_switch_flipped_and_says_when(cpt_env):
    automations = [*defs.schedules, *defs.sensors]
    assert {a.name for a in automations} == {
        "daily_refresh_schedule",
        "gcp_catalog_refresh_schedule",
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
    aws = {k.to_user_string() for k in defs.get_job_def("aws_billing_refresh").asset_layer.executable_asset_keys}
    daily = {k.to_user_string() for k in defs.get_job_def("daily_refresh").asset_layer.executable_asset_keys}
    assert "aws_billing_line_items" in aws and "inference_requests" not in aws
    assert {"inference_requests", "gcp_billing_line_items"} <= daily and "aws_billing_line_items" not in daily
    assert {"fct_cpt_daily", "published_warehouse"} <= aws & daily
    assert defs.get_sensor_def("aws_billing_delivery_sensor").job_name == "aws_billing_refresh"
    assert defs.get_sensor_def("token_log_sensor").job_name == "token_logs_refresh"
    tokens = {k.to_user_string() for k in defs.get_job_def("token_logs_refresh").asset_layer.executable_asset_keys}
    assert {"inference_requests", "inference_token_counter_samples", "published_warehouse"} <= tokens
    assert "aws_billing_line_items" not in tokens
    assert {"int_inference_requests_attributed", "int_pool_costs_allocated", "fct_cpt_daily"} <= tokens
    assert not {"int_billing_lines_scoped", "int_billing_lines_spread_hourly", "int_cost_pools_aggregated"} & tokens
    catalog = defs.get_schedule_def("gcp_catalog_refresh_schedule")
    assert catalog.cron_schedule == "0 2 * * 1" and catalog.job_name == "gcp_catalog_refresh"


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

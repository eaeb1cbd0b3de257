"""The one Definitions object of the CPT warehouse (workspace.yaml loads this module)."""

import dagster as dg

from orchestration.defs.aws.assets import aws_billing_line_items
from orchestration.defs.aws.sensors import aws_billing_delivery_sensor
from orchestration.defs.gcp.assets import gcp_billing_line_items
from orchestration.defs.gcp.catalog import gcp_list_prices
from orchestration.defs.jobs import (
    aws_billing_job,
    daily_refresh_job,
    daily_refresh_schedule,
    gcp_catalog_job,
    gcp_catalog_schedule,
    token_logs_job,
)
from orchestration.defs.tokens.assets import inference_requests, token_quarantine
from orchestration.defs.tokens.checks import quarantine_rate_is_low
from orchestration.defs.tokens.counters import inference_token_counter_samples
from orchestration.defs.tokens.sensors import token_log_sensor
from orchestration.defs.warehouse.assets import cpt_dbt_models, published_warehouse, warehouse_exports
from orchestration.defs.warehouse.checks import in_scope_cost_is_conserved
from orchestration.resources import build_resources
from orchestration.run_progress import run_events_logger

defs = dg.Definitions(
    assets=[
        aws_billing_line_items,
        gcp_list_prices,
        gcp_billing_line_items,
        inference_requests,
        inference_token_counter_samples,
        token_quarantine,
        cpt_dbt_models,
        published_warehouse,
        warehouse_exports,
    ],
    asset_checks=[in_scope_cost_is_conserved, quarantine_rate_is_low],
    jobs=[aws_billing_job, daily_refresh_job, gcp_catalog_job, token_logs_job],
    schedules=[daily_refresh_schedule, gcp_catalog_schedule],
    sensors=[aws_billing_delivery_sensor, token_log_sensor],
    resources=build_resources(),
    # console: Dagster's default; cpt_events: turned on by `cpt run` for its progress display.
    loggers={"console": dg.colored_console_logger, "cpt_events": run_events_logger},
)

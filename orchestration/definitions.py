"""The one Definitions object of the CPT warehouse (workspace.yaml loads this module)."""

import dagster as dg

from orchestration.defs.billing.assets import billing_line_items
from orchestration.defs.schedules import daily_refresh_job, daily_refresh_schedule
from orchestration.defs.tokens.assets import inference_requests
from orchestration.defs.warehouse.assets import cpt_dbt_models, published_warehouse
from orchestration.defs.warehouse.checks import in_scope_cost_is_conserved
from orchestration.resources import build_resources

defs = dg.Definitions(
    assets=[billing_line_items, inference_requests, cpt_dbt_models, published_warehouse],
    asset_checks=[in_scope_cost_is_conserved],
    jobs=[daily_refresh_job],
    schedules=[daily_refresh_schedule],
    resources=build_resources(),
)

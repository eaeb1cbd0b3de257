"""New token log objects for a day (started by the sensor): load that day, rebuild what token data feeds (the
incremental token models redo that day; allocation and marts are rebuilt; the billing chain is left as the last full
build made it — no bill changed), check, publish. The monthly reports have their own job."""

import dagster as dg

from orchestration.defs.warehouse.selections import REPORTS
from orchestration.partitions import daily_partitions

token_logs_job = dg.define_asset_job(
    "token_logs_refresh",
    selection=dg.AssetSelection.groups("tokens").downstream().materializable() - REPORTS,
    partitions_def=daily_partitions,
    description="Load a day of token logs that just arrived, rebuild what token data feeds, publish it.",
)

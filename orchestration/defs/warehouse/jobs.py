"""Every day: yesterday's token logs, the GCP and Azure exports and any FOCUS exports, the dbt build, checks, then
publish. The job of everything partitioned by day, plus the unpartitioned warehouse (AWS is monthly, refreshed by
its sensor; list prices weekly)."""

import dagster as dg

from orchestration.defs.warehouse.selections import WAREHOUSE
from orchestration.partitions import daily_partitions

daily_refresh_job = dg.define_asset_job(
    "daily_refresh",
    selection=dg.AssetSelection.groups("gcp", "azure", "oci", "focus", "tokens") | WAREHOUSE,
    partitions_def=daily_partitions,
    description=(
        "Ingest a day of token logs, the GCP and Azure exports and any FOCUS exports; rebuild the warehouse; publish."
    ),
)

"""Jobs and the daily schedule. A job holds assets of one partitioning (plus unpartitioned ones)."""

import dagster as dg

from orchestration.partitions import daily_partitions, monthly_partitions

_AWS = dg.AssetSelection.assets("aws_billing_line_items")
_REBUILD = dg.AssetSelection.all() - _AWS - dg.AssetSelection.assets("inference_requests", "gcp_billing_line_items")

# A new AWS delivery: reload its month, rebuild and check the warehouse, publish it (started by the sensor).
aws_billing_job = dg.define_asset_job(
    "aws_billing_refresh",
    selection=_AWS | _REBUILD,
    partitions_def=monthly_partitions,
    description="Load an AWS billing month's latest delivery, rebuild the warehouse, publish it.",
)

# Every day: yesterday's token logs, the GCP export, the dbt build, checks, then publish.
daily_refresh_job = dg.define_asset_job(
    "daily_refresh",
    selection=dg.AssetSelection.all() - _AWS,
    partitions_def=daily_partitions,
    description="Ingest a day of token logs and the GCP billing export, rebuild the warehouse, publish it.",
)

daily_refresh_schedule = dg.build_schedule_from_partitioned_job(daily_refresh_job, hour_of_day=3, minute_of_hour=0)

"""Jobs and the daily schedule. A job holds assets of one partitioning (plus unpartitioned ones)."""

import dagster as dg

from orchestration.partitions import daily_partitions, monthly_partitions

_AWS = dg.AssetSelection.assets("aws_billing_line_items")
_CATALOG = dg.AssetSelection.assets("gcp_list_prices")
_REBUILD = (
    dg.AssetSelection.all()
    - _AWS
    - _CATALOG
    - dg.AssetSelection.assets("inference_requests", "inference_token_counter_samples", "gcp_billing_line_items")
)

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
    selection=dg.AssetSelection.all() - _AWS - _CATALOG,
    partitions_def=daily_partitions,
    description="Ingest a day of token logs and the GCP billing export, rebuild the warehouse, publish it.",
)

# New token log objects for a day (started by the sensor): load that day, rebuild what token data feeds (the
# incremental token models redo that day; allocation and marts are rebuilt; the billing chain is left as the last
# full build made it — no bill changed), check, publish.
token_logs_job = dg.define_asset_job(
    "token_logs_refresh",
    selection=dg.AssetSelection.assets("inference_requests", "inference_token_counter_samples")
    .downstream()
    .materializable(),
    partitions_def=daily_partitions,
    description="Load a day of token logs that just arrived, rebuild what token data feeds, publish it.",
)

# On by default: a deployed instance refreshes every day without anyone switching it on (UTC, like the partitions).
daily_refresh_schedule = dg.build_schedule_from_partitioned_job(
    daily_refresh_job,
    hour_of_day=3,
    minute_of_hour=0,
    description="03:00 UTC every day: yesterday's token logs and the GCP export, rebuild, check, publish.",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

# Every week: the public list prices (they change rarely; the catalog API is not free of quota).
gcp_catalog_job = dg.define_asset_job(
    "gcp_catalog_refresh", selection=_CATALOG, description="Refresh GCP GPU list prices from the catalog."
)
gcp_catalog_schedule = dg.ScheduleDefinition(
    job=gcp_catalog_job,
    cron_schedule="0 2 * * 1",
    execution_timezone="UTC",
    description="02:00 UTC every Monday: GPU list prices from the GCP catalog (skipped when none is configured).",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

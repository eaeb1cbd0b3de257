"""Jobs and schedules."""

import dagster as dg

from orchestration.partitions import daily_partitions

# Everything: yesterday's token logs, any new billing delivery, the dbt build, checks, then publish.
daily_refresh_job = dg.define_asset_job(
    "daily_refresh",
    selection=dg.AssetSelection.all(),
    partitions_def=daily_partitions,
    description="Ingest a day of token logs and any new billing deliveries, rebuild the warehouse, publish it.",
)

daily_refresh_schedule = dg.build_schedule_from_partitioned_job(daily_refresh_job, hour_of_day=3, minute_of_hour=0)

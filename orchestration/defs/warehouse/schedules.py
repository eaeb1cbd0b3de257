"""The daily refresh, on by default: a deployed instance refreshes every day without anyone switching it on (UTC, like
the partitions)."""

import dagster as dg

from orchestration.defs.warehouse.jobs import daily_refresh_job

daily_refresh_schedule = dg.build_schedule_from_partitioned_job(
    daily_refresh_job,
    hour_of_day=3,
    minute_of_hour=0,
    description="03:00 UTC every day: yesterday's token logs and the GCP export, rebuild, check, publish.",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

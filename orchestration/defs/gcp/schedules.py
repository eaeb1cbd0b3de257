"""Every week: the public list prices (they change rarely; the catalog API is not free of quota)."""

import dagster as dg

from orchestration.defs.gcp.jobs import gcp_catalog_job

gcp_catalog_schedule = dg.ScheduleDefinition(
    job=gcp_catalog_job,
    cron_schedule="0 2 * * 1",
    execution_timezone="UTC",
    description="02:00 UTC every Monday: GPU list prices from the GCP catalog (skipped when none is configured).",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

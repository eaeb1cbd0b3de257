"""Every week: the EC2 list prices (they change rarely; the Price List API is rate-limited)."""

import dagster as dg

from orchestration.defs.aws.jobs import aws_price_list_job

aws_price_list_schedule = dg.ScheduleDefinition(
    job=aws_price_list_job,
    cron_schedule="30 2 * * 1",
    execution_timezone="UTC",
    description="02:30 UTC every Monday: GPU instance list prices from the AWS Price List API (skipped when none "
    "is configured).",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

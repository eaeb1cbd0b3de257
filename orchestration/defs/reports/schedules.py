"""The monthly reports, on by default: the 3rd of each month at 06:00 UTC, for the month before (by then the
month's last token logs and most providers' final bills are in; a later restatement of a closed month becomes
adjustments in the next open one)."""

import datetime as dt

import dagster as dg

from orchestration.defs.reports.jobs import monthly_reports_job


@dg.schedule(
    cron_schedule="0 6 3 * *",
    job=monthly_reports_job,
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="06:00 UTC on the 3rd: the previous month's chargeback reports.",
)
def monthly_reports_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    this_month = context.scheduled_execution_time.date().replace(day=1)
    previous = (this_month - dt.timedelta(days=1)).replace(day=1)
    return dg.RunRequest(partition_key=previous.isoformat())

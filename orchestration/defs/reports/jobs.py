"""The monthly reports job (a month per run) and the month close (a job with the month as config)."""

import datetime as dt

import dagster as dg

from orchestration.defs.reports.assets import GROUP
from orchestration.partitions import monthly_partitions
from orchestration.resources import WarehouseResource

monthly_reports_job = dg.define_asset_job(
    "monthly_reports",
    selection=dg.AssetSelection.groups(GROUP),
    partitions_def=monthly_partitions,
    description="The month's finance workbook, finance PDF, team statements and showback page.",
)


class CloseMonthConfig(dg.Config):
    month: str  # YYYY-MM


@dg.op
def close_month_op(context: dg.OpExecutionContext, config: CloseMonthConfig, warehouse: WarehouseResource) -> None:
    """Freeze the month's rows and reports with a checksum manifest (refused when the month has no data, its bill
    is not final, or it is already closed: nothing is changed then)."""
    from ingest.reports.closing import CloseRefused, close_month  # the report writers, only when a month closes

    try:
        month = dt.date.fromisoformat(f"{config.month}-01")
    except ValueError:
        raise dg.Failure(f"month {config.month!r} is not YYYY-MM") from None
    try:
        closed = close_month(warehouse.layout, month, dt.datetime.now(dt.UTC))
    except CloseRefused as refused:
        raise dg.Failure(str(refused)) from None
    context.log.info(f"closed {config.month}: {closed.folder}")


@dg.job(description="Close a month (run config: ops.close_month_op.config.month = YYYY-MM).")
def close_month_job() -> None:
    close_month_op()

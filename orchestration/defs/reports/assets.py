"""The monthly chargeback reports, a partition per month, from the published warehouse: the finance workbook and
PDF, a statement per team and the showback page under reports/YYYY-MM/. A closed month's reports are the frozen
ones under closed/month=YYYY-MM/reports/: checked against their manifest, never written again."""

import datetime as dt

import dagster as dg

from ingest.reports.store import month_folder, verify
from orchestration.partitions import monthly_partitions, months_of
from orchestration.resources import WarehouseResource

GROUP = "reports"

# What a month close writes (ingest/reports/store.py), read by the dbt models of closed months: external to the
# asset graph's materializations (`cpt close` or the close_month job writes them, once per month, never again).
closed_store = [
    dg.AssetSpec(
        f"closed_{table}",
        group_name=GROUP,
        kinds={"parquet"},
        owners=["team:platform"],
        description=f"The {table} of every closed month, frozen at its close (closed/month=YYYY-MM/{table}.parquet).",
    )
    for table in ("months", "chargeback", "reconciliation", "adjustments")
]


@dg.asset(key="chargeback_reports", group_name=GROUP, kinds={"xlsx", "pdf", "html"}, owners=["team:platform"],
          partitions_def=monthly_partitions, backfill_policy=dg.BackfillPolicy.single_run(),
          deps=["published_warehouse"])  # fmt: skip
def chargeback_reports(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """The month's finance workbook (XLSX), finance report (PDF with charts), team statements (PDF and CSV) and
    one-page showback (HTML), tied to the invoice to the cent (a backfill writes each month of its range)."""
    # imported here: the report writers (xlsxwriter, jinja2, WeasyPrint) are not needed to load the definitions
    from ingest.reports.build import write_reports
    from ingest.reports.closing import closed_record
    from ingest.reports.month import months_with_data

    layout = warehouse.layout
    available = months_with_data(layout.warehouse) if layout.warehouse.exists() else []
    summary = []
    for label in sorted(months_of(context.partition_time_window)):
        month = dt.date.fromisoformat(f"{label}-01")
        record = closed_record(layout.closed, month)
        if record is not None:
            problems = verify(month_folder(layout.closed, month))
            if problems:
                raise dg.Failure(f"closed month {label} does not match its manifest: {'; '.join(problems)}")
            summary.append(f"| {label} | closed {record['closed_at']} | | `{month_folder(layout.closed, month)}` |")
        elif month not in available:
            context.log.info(f"no chargeback for {label} in the published warehouse: no reports")
            summary.append(f"| {label} | no data | | |")
        else:
            reports = write_reports(layout.warehouse, month, layout.reports / label)
            context.log.info(f"reports for {label}: {reports.reconciliation_line()}")
            summary.append(f"| {label} | open | {reports.reconciliation_line()} | `{reports.folder}` |")
    table = "| month | status | reconciliation | folder |\n|---|---|---|---|\n" + "\n".join(summary)
    return dg.MaterializeResult(metadata={"months": dg.MetadataValue.md(table)})

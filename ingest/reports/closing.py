"""Closing a month: its chargeback, reconciliation and adjustments rows and its report files frozen under
closed/month=YYYY-MM/ with a checksum manifest. No later run changes them: dbt reads the frozen rows for a closed
month instead of recomputing it, and posts whatever changed since (a re-delivered bill, late rows) as adjustments
into the next open month.

A month closes only when its bill is final. Per provider, from fct_billing_month_status and the clock:
- every provider: the month has ended;
- AWS: every billing line of the month carries an invoice id — the CUR fills bill_invoice_id once AWS issues the
  month's invoice (early in the next month); until then the month's figures are estimates;
- GCP and any other provider: GCP_FINAL_AFTER_DAYS days have passed since the month ended — Google issues the
  invoice in the first days of the next month, and the export can add late rows for the month until then.
Closing a month with no data, one not final, or one already closed is refused and changes nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from ingest import duck
from ingest.housekeeping import temporary_prefix
from ingest.paths import DataLayout
from ingest.reports.build import Reports, rebase, write_files
from ingest.reports.month import read_month
from ingest.reports.store import FROZEN_TABLES, MANIFEST, frozen_columns, month_folder, write_manifest

GCP_FINAL_AFTER_DAYS = 5
FROZEN_WHERE = {"chargeback": "month", "reconciliation": "month", "adjustments": "posting_month"}


class CloseRefused(Exception):
    """The month cannot be closed; the message says why, and nothing was changed."""


@dataclass(frozen=True)
class ClosedMonth:
    month: dt.date
    folder: Path
    closed_at: dt.datetime
    rows: dict[str, int]  # frozen table → rows
    reports: Reports


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def not_final(status: list[tuple[str, int, int]], month: dt.date, today: dt.date) -> list[str]:
    """Why the bill of `month` is not final yet, per provider (empty when it is). `status` holds
    (provider, billing lines, lines without an invoice id) from fct_billing_month_status."""
    ended = next_month(month)
    if today < ended:
        return [f"the month has not ended (it ends on {ended:%Y-%m-%d})"]
    reasons = []
    for provider, lines, without_invoice in status:
        if provider == "aws":
            if without_invoice:
                reasons.append(
                    f"aws: {without_invoice:,} of {lines:,} billing lines have no invoice id yet "
                    "(the CUR is an estimate until AWS issues the month's invoice)"
                )
        elif today < ended + dt.timedelta(days=GCP_FINAL_AFTER_DAYS):
            final_on = ended + dt.timedelta(days=GCP_FINAL_AFTER_DAYS)
            reasons.append(f"{provider}: the bill is final on {final_on:%Y-%m-%d} (invoiced early in the next month)")
    return reasons


def closed_record(closed: Path, month: dt.date) -> dict[str, object] | None:
    manifest = month_folder(closed, month) / MANIFEST
    return json.loads(manifest.read_text()) if manifest.exists() else None


def close_month(layout: DataLayout, month: dt.date, now: dt.datetime) -> ClosedMonth:
    """Freeze `month` from the published warehouse; raises CloseRefused (changing nothing) when it cannot."""
    label = f"{month:%Y-%m}"
    record = closed_record(layout.closed, month)
    if record is not None:
        raise CloseRefused(f"{label} is already closed (at {record['closed_at']}); a closed month never changes")
    if not layout.warehouse.exists():
        raise CloseRefused(f"no published warehouse at {layout.warehouse}: run `cpt run` first")
    with duck.connect(str(layout.warehouse), read_only=True) as con:
        tables = "select 1 from information_schema.tables where table_name = 'fct_billing_month_status'"
        if not con.sql(tables).fetchall():
            raise CloseRefused(f"{layout.warehouse} has no chargeback tables yet: run `cpt run` first")
        status = con.sql(
            "select provider, billing_lines, lines_without_invoice_id from analytics.fct_billing_month_status "
            "where month = $month order by provider",
            params={"month": month},
        ).fetchall()
        ((lines,),) = con.sql(
            "select count(*) from analytics.fct_chargeback_monthly where month = $month", params={"month": month}
        ).fetchall()
    if not status and not lines:
        raise CloseRefused(f"no data for {label}: nothing billed and nothing charged that month")
    reasons = not_final(status, month, now.date())
    if reasons:
        raise CloseRefused(f"{label} is not final: " + "; ".join(reasons))

    staging_root = layout.data_dir / "closing"
    staging = staging_root / f".{temporary_prefix('cpt-close')}{label}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    closed_at = now.astimezone(dt.UTC).replace(microsecond=0, tzinfo=None)
    rows = {}
    with duck.connect(str(layout.warehouse), read_only=True) as con:
        con.execute(
            f"copy (select cast($month as date) as month, cast($at as timestamp) as closed_at) "
            f"to '{staging / 'months.parquet'}' (format parquet)",
            {"month": month, "at": closed_at},
        )
        for table, model in FROZEN_TABLES.items():
            columns = ", ".join(frozen_columns(table))
            query = f"select {columns} from analytics.{model} where {FROZEN_WHERE[table]} = $month order by all"
            ((rows[table],),) = con.sql(f"select count(*) from ({query})", params={"month": month}).fetchall()
            con.execute(f"copy ({query}) to '{staging / f'{table}.parquet'}' (format parquet)", {"month": month})
    data = dataclasses.replace(read_month(layout.warehouse, month), is_closed=True)
    reports = write_files(data, staging / "reports")
    write_manifest(staging, closed_at)
    for path in staging.rglob("*"):
        if path.is_file():
            os.chmod(path, 0o444)  # read-only: a closed month's files are not to be edited
    target = month_folder(layout.closed, month)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging.rename(target)
    shutil.rmtree(layout.reports / label, ignore_errors=True)  # the open month's reports, now superseded
    return ClosedMonth(month, target, closed_at, rows, rebase(reports, target / "reports"))

"""Every report of one month, written together into one folder:

    cpt-finance-YYYY-MM.xlsx                 the finance workbook
    cpt-finance-YYYY-MM.pdf                  the finance report with its charts
    showback-YYYY-MM.html                    the one-page showback (charts inline)
    teams/<team>/statement-YYYY-MM.pdf|csv   one statement per team, with only that team's lines

The folder is built under a temporary name and swapped in whole, so a reader never sees half a month. The same
warehouse gives the same bytes in every file."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from ingest.housekeeping import temporary_prefix
from ingest.reports import documents
from ingest.reports.month import MonthData, read_month
from ingest.reports.workbook import ITEM_LABELS, write_workbook


@dataclass(frozen=True)
class Reports:
    month: dt.date
    folder: Path
    workbook: Path
    finance_pdf: Path
    showback: Path
    statements: dict[str, tuple[Path, Path]]  # team → (PDF, CSV)
    invoice_usd: str
    chargeback_usd: str
    adjustments_usd: str
    items_usd: dict[str, str]  # reconciliation item → total, the invoice's parts (ITEM_LABELS' order)

    def reconciliation_line(self) -> str:
        """The invoice as the sum of its parts, in one line."""
        parts = " + ".join(
            f"{ITEM_LABELS[item].lower()} {float(v):,.2f}"
            for item, v in self.items_usd.items()
            if float(v) or item == "chargeback"
        )
        return f"invoice {float(self.invoice_usd):,.2f} USD = {parts}"

    def files(self) -> list[Path]:
        statements = [path for pair in self.statements.values() for path in pair]
        return [self.workbook, self.finance_pdf, self.showback, *statements]


def team_folder_name(team: str) -> str:
    """A team's name as a folder name: anything but letters, digits, '.', '_' and '-' becomes '_', and so do
    leading dots (no hidden folder, no '..')."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", team)
    return re.sub(r"^\.+", lambda dots: "_" * len(dots[0]), safe) or "_"


def write_files(data: MonthData, folder: Path) -> Reports:
    """Every report of `data` into `folder` (which must not exist yet)."""
    folder.mkdir(parents=True)
    label = data.label
    workbook = write_workbook(data, folder / f"cpt-finance-{label}.xlsx")
    finance = documents.write_pdf(documents.finance_html(data), data, folder / f"cpt-finance-{label}.pdf")
    showback = folder / f"showback-{label}.html"
    showback.write_text(documents.showback_html(data))
    statements = {}
    for team in data.teams:
        team_dir = folder / "teams" / team_folder_name(team)
        team_dir.mkdir(parents=True)
        pdf = documents.write_pdf(documents.statement_html(data, team), data, team_dir / f"statement-{label}.pdf")
        csv = team_dir / f"statement-{label}.csv"
        csv.write_text(documents.statement_csv(data, team))
        statements[team] = (pdf, csv)
    return Reports(
        data.month,
        folder,
        workbook,
        finance,
        showback,
        statements,
        f"{data.invoice_total():.2f}",
        f"{data.chargeback_total():.2f}",
        f"{data.adjustments_total():.2f}",
        {item: f"{data.item_total(item):.2f}" for item in ITEM_LABELS},
    )


def rebase(reports: Reports, folder: Path) -> Reports:
    """The same reports, found under `folder` (after the folder they were written in was renamed)."""

    def moved(path: Path) -> Path:
        return folder / path.relative_to(reports.folder)

    return dataclasses.replace(
        reports,
        folder=folder,
        workbook=moved(reports.workbook),
        finance_pdf=moved(reports.finance_pdf),
        showback=moved(reports.showback),
        statements={team: (moved(pdf), moved(csv)) for team, (pdf, csv) in reports.statements.items()},
    )


def write_reports(warehouse: Path, month: dt.date, folder: Path) -> Reports:
    """The month's reports from the published warehouse into `folder`, replacing what was there."""
    data = read_month(warehouse, month)
    staging = folder.parent / f".{temporary_prefix('cpt-reports')}{folder.name}"
    shutil.rmtree(staging, ignore_errors=True)
    reports = write_files(data, staging)
    old = folder.parent / f".{temporary_prefix('cpt-replaced')}{folder.name}"
    if folder.exists():
        folder.rename(old)
    staging.rename(folder)
    shutil.rmtree(old, ignore_errors=True)
    return rebase(reports, folder)

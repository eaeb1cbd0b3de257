"""The finance workbook (XLSX, xlsxwriter) of one month.

Sheets: Summary (the invoice per provider and billing account reconciled to chargeback + out-of-scope + tax +
commitment amortization + invoice-month shift), Teams (team × model: tokens and cost), Lines (every chargeback
line), CPT (by model, region, pricing tier and hardware), Idle and shared (per deployment, and what each team
received), Adjustments (restatements of closed months posted here), Policies. Money is the warehouse's cents in a
currency format; a totals row is a SUM formula that carries the warehouse's own total as its value, so a reader
that does not calculate (openpyxl) sees the same figure. Header rows are frozen. The same month gives the same
bytes: the document's dates are the month's end, and xlsxwriter writes fixed timestamps in the zip."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from ingest.reports.month import LINE_KEYS, USD_PARTS, MonthData

MONEY = "$#,##0.00"
MICRO = "#,##0.000000"
COUNT = "#,##0"

ITEM_LABELS = {
    "chargeback": "Charged back",
    "out_of_scope": "Out of scope",
    "tax": "Tax",
    "commitment_amortization": "Commitments billed less amortized",
    "invoice_month_shift": "Other months' usage",
}


def month_end(month: dt.date) -> dt.datetime:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return dt.datetime.combine(following, dt.time()) - dt.timedelta(seconds=1)


class _Sheets:
    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.book = book
        self.header = book.add_format({"bold": True, "bg_color": "#e2e8f0", "border": 1, "text_wrap": True})
        self.bold = book.add_format({"bold": True})
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.formats = {
            "money": book.add_format({"num_format": MONEY}),
            "micro": book.add_format({"num_format": MICRO}),
            "count": book.add_format({"num_format": COUNT}),
            "text": book.add_format({}),
            "percent": book.add_format({"num_format": "0.0%"}),
        }
        self.total_money = book.add_format({"num_format": MONEY, "bold": True, "top": 1})
        self.total_count = book.add_format({"num_format": COUNT, "bold": True, "top": 1})

    def table(
        self,
        sheet: Any,
        first_row: int,
        frame: pl.DataFrame,
        kinds: dict[str, str],
        totals: tuple[str, ...] = (),
        widths: dict[str, int] | None = None,
    ) -> int:
        """`frame` from `first_row` (a header, then rows, then a totals row when `totals` names columns);
        returns the next free row."""
        for col, name in enumerate(frame.columns):
            sheet.write(first_row, col, name, self.header)
            width = (widths or {}).get(name, max(12, min(40, len(name) + 2)))
            sheet.set_column(col, col, width)
        for r, row in enumerate(frame.iter_rows(), start=first_row + 1):
            for col, (name, value) in enumerate(zip(frame.columns, row, strict=True)):
                kind = kinds.get(name, "text")
                if value is None or (isinstance(value, float) and not math.isfinite(value)):
                    sheet.write_blank(r, col, None)
                elif isinstance(value, Decimal):
                    sheet.write_number(r, col, float(value), self.formats[kind])
                elif isinstance(value, int | float):
                    sheet.write_number(r, col, value, self.formats[kind])
                else:
                    sheet.write_string(r, col, str(value), self.formats[kind])
        last = first_row + frame.height
        if totals:
            sheet.write(last + 1, 0, "Total", self.bold)
            for name in totals:
                col = frame.columns.index(name)
                value = sum((Decimal(v) for v in frame[name].to_list() if v is not None), Decimal(0))
                cells = f"{xl_rowcol_to_cell(first_row + 1, col)}:{xl_rowcol_to_cell(max(last, first_row + 1), col)}"
                style = self.total_money if kinds.get(name) == "money" else self.total_count
                sheet.write_formula(last + 1, col, f"=SUM({cells})", style, float(value))
            last += 1
        return last + 2


def _summary(data: MonthData) -> pl.DataFrame:
    """One row per provider × billing account (provider-level items on the provider's row)."""
    rec = data.reconciliation.with_columns(pl.col("billing_account_id").fill_null("(all accounts)"))
    wide = rec.pivot(
        on="item", index=["provider", "billing_account_id"], values="amount_usd", aggregate_function="sum"
    ).sort("provider", "billing_account_id")
    for item in ["invoice", *ITEM_LABELS]:
        if item not in wide.columns:
            wide = wide.with_columns(pl.lit(None, dtype=pl.Decimal(38, 2)).alias(item))
    return wide.select(
        "provider",
        "billing_account_id",
        pl.col("invoice").alias("Invoice"),
        *[pl.col(item).alias(label) for item, label in ITEM_LABELS.items()],
    )


def _cpt_by(lines: pl.DataFrame, column: str) -> pl.DataFrame:
    return (
        lines.group_by(column)
        .agg(
            pl.col("output_tokens").sum(),
            pl.col("input_tokens").sum(),
            pl.col("total_usd").sum(),
            (pl.col("total_cost").sum().cast(pl.Float64) * 1e6 / pl.col("output_tokens").sum()).alias(
                "cpt_micro_usd_per_output_token"
            ),
        )
        .sort(column)
    )


def write_workbook(data: MonthData, path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path))
    book.set_properties(
        {
            "title": f"CPT chargeback {data.label}",
            "subject": "Cost-per-token chargeback reconciled to the invoice",
            "author": "cpt warehouse",
            "created": month_end(data.month),
        }
    )
    sheets = _Sheets(book)
    money = dict.fromkeys(("Invoice", *ITEM_LABELS.values()), "money")

    summary = book.add_worksheet("Summary")
    summary.write(0, 0, f"Chargeback {data.label}: the invoice reconciled", sheets.title)
    state = "closed" if data.is_closed else "open (figures may still change)"
    summary.write(1, 0, f"Month {state}. Amounts in USD, rounded to the cent so that every total ties to the invoice.")
    frame = _summary(data)
    next_row = sheets.table(summary, 3, frame, money, totals=tuple(money), widths={"billing_account_id": 22})
    summary.write(next_row, 0, "Invoice total", sheets.bold)
    summary.write_number(next_row, 2, float(data.invoice_total()), sheets.total_money)
    summary.write(next_row + 1, 0, "Charged back to teams", sheets.bold)
    summary.write_number(next_row + 1, 2, float(data.chargeback_total()), sheets.total_money)
    summary.write(next_row + 2, 0, "Adjustments posted this month", sheets.bold)
    summary.write_number(next_row + 2, 2, float(data.adjustments_total()), sheets.total_money)
    summary.freeze_panes(4, 0)

    kinds = {
        "requests": "count",
        "input_tokens": "count",
        "cached_input_tokens": "count",
        "output_tokens": "count",
        "allocated_usd": "money",
        "idle_usd": "money",
        "shared_usd": "money",
        "unallocated_usd": "money",
        "total_usd": "money",
        "cpt_micro_usd_per_output_token": "micro",
        "gpu_hours": "micro",
        "amount_usd": "money",
        "idle_share": "percent",
    }
    usd = USD_PARTS
    teams = book.add_worksheet("Teams")
    by_team = (
        data.lines.group_by("team", "model")
        .agg(
            pl.col("requests", "input_tokens", "output_tokens").sum(),
            *[pl.col(c).sum() for c in usd],
            (pl.col("total_cost").sum().cast(pl.Float64) * 1e6 / pl.col("output_tokens").sum()).alias(
                "cpt_micro_usd_per_output_token"
            ),
        )
        .sort("team", "model")
    )
    sheets.table(teams, 0, by_team, kinds, totals=("requests", "input_tokens", "output_tokens", *usd))
    teams.freeze_panes(1, 0)

    lines = book.add_worksheet("Lines")
    columns = [*LINE_KEYS, "requests", "input_tokens", "output_tokens", "gpu_hours", *usd]
    sheets.table(lines, 0, data.lines.select(*columns, "cpt_micro_usd_per_output_token"), kinds, totals=usd)
    lines.freeze_panes(1, 0)

    cpt = book.add_worksheet("CPT")
    row = 0
    for column in ("model", "region", "pricing_tier", "hardware"):
        cpt.write(row, 0, f"CPT by {column.replace('_', ' ')}", sheets.bold)
        row = sheets.table(cpt, row + 1, _cpt_by(data.lines, column), kinds, totals=("total_usd",))
    cpt.freeze_panes(2, 0)

    idle = book.add_worksheet("Idle and shared")
    idle.write(0, 0, "Per deployment: idle capacity and shared overhead, and how they were spread", sheets.bold)
    per_deployment = (
        data.lines.group_by("deployment")
        .agg(pl.col("gpu_hours").sum(), *[pl.col(c).sum() for c in usd])
        .with_columns(idle_share=pl.col("idle_usd").cast(pl.Float64) / pl.col("total_usd").cast(pl.Float64))
        .sort("deployment")
    )
    row = sheets.table(idle, 1, per_deployment, kinds, totals=usd)
    idle.write(row, 0, "Received by each team", sheets.bold)
    per_team = data.lines.group_by("team").agg(*[pl.col(c).sum() for c in usd]).sort("team")
    row = sheets.table(idle, row + 1, per_team, kinds, totals=usd)
    policy = dict(data.policies.select("setting", "setting_value").iter_rows())
    idle.write(row, 0, f"Idle policy: {policy['cpt_idle_policy']}; shared policy: {policy['cpt_shared_policy']}.")
    idle.freeze_panes(2, 0)

    adjustments = book.add_worksheet("Adjustments")
    adjustments.write(0, 0, adjustments_note(data), sheets.bold)
    adjustment_rows = data.adjustments.select(pl.col("restated_month").dt.strftime("%Y-%m"), *LINE_KEYS, "amount_usd")
    sheets.table(adjustments, 2, adjustment_rows, kinds, totals=("amount_usd",))
    adjustments.freeze_panes(3, 0)

    policies = book.add_worksheet("Policies")
    sheets.table(policies, 0, data.policies, {}, widths={"meaning": 80, "setting": 32, "setting_value": 20})
    policies.freeze_panes(1, 0)

    book.close()
    return path


def adjustments_note(data: MonthData) -> str:
    """The note a month's reports carry about restatements of closed months posted into it."""
    if data.adjustments.is_empty():
        return "No closed month was restated: no adjustments this month."
    months = ", ".join(sorted({f"{m:%Y-%m}" for m in data.adjustments["restated_month"]}))
    return (
        f"Adjustments: {months} changed after its close (a re-delivered bill, late billing rows or token logs). "
        f"The closed statements stand; the differences, {data.adjustments_total():,.2f} USD in all, are charged "
        f"or credited here."
    )

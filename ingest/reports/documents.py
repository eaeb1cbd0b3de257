"""The month's documents from one set of HTML templates (jinja2): the finance report (PDF), a statement per team
(PDF, and the same lines as CSV) and the one-page showback (HTML, charts inline, opens in any browser). PDFs are
rendered by WeasyPrint; with the document's dates and SOURCE_DATE_EPOCH (the font subsets' timestamps) set to the
month's end, the same month gives the same bytes."""

from __future__ import annotations

import base64
import contextlib
import csv
import io
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
import polars as pl

from ingest.reports import charts
from ingest.reports.month import LINE_KEYS, USD_PARTS, MonthData
from ingest.reports.workbook import ITEM_LABELS, adjustments_note, month_end

TEMPLATES = Path(__file__).parent / "templates"


def _usd(value: Decimal | float | None) -> str:
    if value is None:
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"))
    return f"−${-amount:,.2f}" if amount < 0 else f"${amount:,.2f}"


def _count(value: int | None) -> str:
    return "" if value is None else f"{int(value):,}"


_env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined)
_env.filters["usd"] = _usd
_env.filters["count"] = _count


def _cpt(cost: Decimal, tokens: int) -> str:
    return f"{float(cost) * 1e6 / tokens:,.1f}" if tokens else "—"


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def _zero() -> Decimal:
    return Decimal("0.00")


def _team_rows(data: MonthData) -> tuple[list[dict[str, Any]], dict[str, Decimal]]:
    adjustments = dict(data.adjustments.group_by("team").agg(pl.col("amount_usd").sum()).iter_rows())
    rows = []
    for team in data.teams:
        lines = data.lines.filter(pl.col("team") == team)
        row: dict[str, Any] = {"team": team, "output_tokens": int(lines["output_tokens"].sum())}
        row |= {part: Decimal(lines[part].sum() or 0) for part in USD_PARTS}
        row["adjustments_usd"] = Decimal(adjustments.get(team, 0) or 0)
        row["cpt"] = _cpt(Decimal(lines["total_cost"].sum() or 0), row["output_tokens"])
        rows.append(row)
    totals = {key: sum((row[key] for row in rows), _zero()) for key in (*USD_PARTS, "adjustments_usd")}
    return rows, totals


def _common(data: MonthData) -> dict[str, Any]:
    tokens = int(data.lines["output_tokens"].sum())
    return {
        "d": data,
        "css": (TEMPLATES / "report.css").read_text(),
        "created": month_end(data.month).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tokens": tokens,
        "cpt": _cpt(Decimal(data.lines["total_cost"].sum() or 0), tokens),
        "note": adjustments_note(data) if data.adjustments.height else "",
        "policy": dict(data.policies.select("setting", "setting_value").iter_rows()),
    }


def finance_html(data: MonthData) -> str:
    rec = data.reconciliation.with_columns(pl.col("billing_account_id").fill_null("(all accounts)"))
    summary = []
    for (provider, account), rows in rec.group_by("provider", "billing_account_id", maintain_order=True):
        amounts = dict(rows.select("item", "amount_usd").iter_rows())
        summary.append(
            {"provider": provider, "billing_account_id": account}
            | {item: amounts.get(item) for item in ("invoice", *ITEM_LABELS)}
        )
    summary.sort(key=lambda row: (row["provider"], row["billing_account_id"]))
    totals = {item: sum((Decimal(row[item] or 0) for row in summary), _zero()) for item in ("invoice", *ITEM_LABELS)}
    teams, team_totals = _team_rows(data)
    adjustments = data.adjustments.with_columns(pl.col("restated_month").dt.strftime("%Y-%m")).to_dicts()
    return _env.get_template("finance.html.j2").render(
        **_common(data),
        items=ITEM_LABELS,
        summary=summary,
        totals=totals,
        parts_total=sum((totals[item] for item in ITEM_LABELS), _zero()),
        teams=teams,
        team_totals=team_totals,
        adjustments=adjustments,
        policies=data.policies.to_dicts(),
        charts={name: _data_uri(draw(data)) for name, draw in charts.ALL.items()},
    )


def statement_html(data: MonthData, team: str) -> str:
    own = data.for_team(team)
    lines = own.lines.with_columns(
        pl.struct("total_cost", "output_tokens")
        .map_elements(lambda r: _cpt(Decimal(r["total_cost"]), r["output_tokens"]), return_dtype=pl.String)
        .alias("cpt")
    ).to_dicts()
    sums = {part: Decimal(own.lines[part].sum() or 0) for part in USD_PARTS}
    return _env.get_template("statement.html.j2").render(
        **_common(own),
        team=team,
        lines=lines,
        sums=sums,
        total=sums["total_usd"],
        adjustments=own.adjustments.with_columns(pl.col("restated_month").dt.strftime("%Y-%m")).to_dicts(),
        adjustments_total=own.adjustments_total(),
    )


def showback_html(data: MonthData) -> str:
    teams, team_totals = _team_rows(data)
    return _env.get_template("showback.html.j2").render(
        **_common(data),
        teams=teams,
        team_totals=team_totals,
        charts={name: _data_uri(charts.ALL[name](data)) for name in ("cost_by_team", "cpt_trend", "month_over_month")},
    )


@contextlib.contextmanager
def _source_date(data: MonthData) -> Iterator[None]:
    """SOURCE_DATE_EPOCH at the month's end while a PDF renders: fontTools stamps font subsets with it."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(month_end(data.month).timestamp()))
    try:
        yield
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def write_pdf(html: str, data: MonthData, path: Path) -> Path:
    import logging

    from weasyprint import HTML

    logging.getLogger("fontTools").setLevel(logging.WARNING)
    with _source_date(data):
        HTML(string=html, base_url=str(TEMPLATES)).write_pdf(path, pdf_identifier=f"cpt-{data.label}".encode())
    return path


def statement_csv(data: MonthData, team: str) -> str:
    """The team's lines, its adjustments and the totals, as CSV (amounts in cents as on the PDF)."""
    own = data.for_team(team)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    keys = [key for key in LINE_KEYS if key != "team"]
    counts = ["requests", "input_tokens", "output_tokens"]
    writer.writerow(["team", "kind", "month", "restated_month", *keys, *counts, *USD_PARTS])
    for row in own.lines.to_dicts():
        writer.writerow([team, "charge", data.label, "", *(row[c] for c in (*keys, *counts, *USD_PARTS))])
    blanks = [""] * (len(counts) + len(USD_PARTS) - 1)  # an adjustment has no tokens, and its amount is the total
    for row in own.adjustments.to_dicts():
        restated = f"{row['restated_month']:%Y-%m}"
        writer.writerow([team, "adjustment", data.label, restated, *(row[c] for c in keys), *blanks, row["amount_usd"]])
    total = Decimal(own.lines["total_usd"].sum() or 0) + own.adjustments_total()
    writer.writerow([team, "total", data.label, "", *[""] * len(keys), *blanks, f"{total:.2f}"])
    return out.getvalue()

"""The monthly chargeback reports and the month close, on the demo's three months through the real pipeline.

The demo's reports for 2026-10 are read as finance would: the workbook with openpyxl (totals and reconciliation
against the warehouse), each team's statement (only that team's lines; its totals), the showback page. Re-running
the reports gives the same bytes. Then, on a copy of the demo: refusals (no data, a bill not final, already
closed) that change nothing; 2026-09 closed by `cpt close` and 2026-08 by the Dagster job; 2026-09's CUR
re-delivered restated and the pipeline run again — the closed month's rows and files stay as issued and the
difference arrives as adjustments in 2026-10, with a note in its reports."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pyarrow.parquet as pq
import pytest

from ingest.paths import DataLayout
from ingest.reports.build import team_folder_name, write_reports
from ingest.reports.closing import CloseRefused, close_month
from ingest.reports.store import MANIFEST, month_folder, verify
from ingest.sample.cur2 import restated, write_cur2_delivery
from tests.cpt_runner import cpt, one_line

pytestmark = pytest.mark.slow
OCTOBER, SEPTEMBER = dt.date(2026, 10, 1), dt.date(2026, 9, 1)


def _query(warehouse: Path, sql: str, **params: object) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.sql(sql, params=params or None).fetchall()


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_demo_month_s_workbook_ties_to_the_warehouse_and_the_invoice(demo):
    data, output = demo
    layout = DataLayout(data)
    folder = layout.reports / "2026-10"
    assert "data/reports/2026-10/cpt-finance-2026-10.xlsx" in output  # `make demo` prints where they are
    [(invoice, chargeback)] = _query(
        layout.warehouse,
        "select sum(amount_usd) filter (where item = 'invoice'), sum(amount_usd) filter (where item = 'chargeback') "
        "from analytics.fct_chargeback_reconciliation where month = $m",
        m=OCTOBER,
    )
    [(lines_total,)] = _query(
        layout.warehouse, "select sum(total_usd) from analytics.fct_chargeback_monthly where month = $m", m=OCTOBER
    )
    assert chargeback == lines_total and invoice > chargeback > 0

    book = openpyxl.load_workbook(folder / "cpt-finance-2026-10.xlsx", data_only=True)
    assert book.sheetnames == ["Summary", "Teams", "Lines", "CPT", "Idle and shared", "Adjustments", "Policies"]
    summary = book["Summary"]
    rows = list(summary.iter_rows(values_only=True))
    header = rows[3]
    total = next(row for row in rows if row[0] == "Total")
    column = {name: i for i, name in enumerate(header)}
    assert Decimal(str(total[column["Invoice"]])) == invoice
    assert Decimal(str(total[column["Charged back"]])) == chargeback
    parts = sum(Decimal(str(total[i] or 0)) for name, i in column.items() if i > column["Invoice"])
    assert parts == invoice  # the invoice = chargeback + out of scope + tax + commitments + other months, to the cent
    assert summary.freeze_panes == "A5" and book["Lines"].freeze_panes == "A2"
    money_cell = next(c for c in book["Lines"][2] if c.column_letter == "P")  # total_usd
    assert money_cell.number_format == "$#,##0.00"

    teams = list(book["Teams"].iter_rows(values_only=True))
    at = teams[0].index("total_usd")
    assert Decimal(str(teams[-1][at])) == lines_total and teams[-1][0] == "Total"
    per_team = dict(
        _query(
            layout.warehouse,
            "select team, sum(total_usd) from analytics.fct_chargeback_monthly where month = $m group by team",
            m=OCTOBER,
        )
    )
    for team, amount in per_team.items():
        in_sheet = sum(Decimal(str(row[at])) for row in teams[1:-1] if row[0] == team)
        assert in_sheet == amount, team


def test_a_team_statement_holds_only_that_team(demo):
    data, _ = demo
    layout = DataLayout(data)
    folder = layout.reports / "2026-10"
    per_team = dict(
        _query(
            layout.warehouse,
            "select team, sum(total_usd) from analytics.fct_chargeback_monthly where month = $m group by team",
            m=OCTOBER,
        )
    )
    assert len(per_team) >= 4
    for team, amount in per_team.items():
        own = folder / "teams" / team_folder_name(team)
        frame = pl.read_csv(own / "statement-2026-10.csv", infer_schema=False)
        assert set(frame["team"]) == {team}
        assert Decimal(frame.filter(pl.col("kind") == "total")["total_usd"].item()) == amount
        text = _pdf_text(own / "statement-2026-10.pdf")
        assert f"Statement 2026-10: {team}" in text and f"${amount:,.2f}" in text
        others = [other for other in per_team if other != team and other not in team]
        assert not [other for other in others if other in text], team
    showback = (folder / "showback-2026-10.html").read_text()
    assert all(team in showback for team in per_team) and "http://" not in showback and "https://" not in showback
    finance = _pdf_text(folder / "cpt-finance-2026-10.pdf")
    assert "Reconciliation to the invoice" in finance and "difference $0.00" in finance


def test_the_reports_of_a_month_are_the_same_bytes_run_after_run(demo, tmp_path):
    data, _ = demo
    warehouse = DataLayout(data).warehouse
    first = write_reports(warehouse, OCTOBER, tmp_path / "first")
    second = write_reports(warehouse, OCTOBER, tmp_path / "second")
    assert len(first.files()) >= 3 + 2 * 4
    assert _digests(first.folder) == _digests(second.folder)
    assert _digests(first.folder) == _digests(DataLayout(data).reports / "2026-10")  # and the demo's own


def test_a_closed_month_stays_as_issued_and_a_restatement_becomes_next_month_s_adjustments(demo, tmp_path, monkeypatch):
    demo_data, _ = demo
    data = tmp_path / "data"
    shutil.copytree(demo_data, data, ignore=shutil.ignore_patterns("dagster_home"), symlinks=True)
    layout, source = DataLayout(data), data / "source"

    # Refusals change nothing.
    refused = cpt(monkeypatch, data, source, "close", "--month", "2026-11")
    assert refused.exit_code == 1 and "no data for 2026-11" in one_line(refused.output)
    with pytest.raises(
        CloseRefused, match=r"2026-10 is not final: azure: the bill is final on 2026-11-06 .*; gcp: .*; oci: "
    ):
        close_month(layout, OCTOBER, dt.datetime(2026, 11, 3, tzinfo=dt.UTC))  # two days after the month
    assert not list(layout.closed.glob("month=*"))  # nothing closed, nothing half-written

    # Close 2026-09.
    before = _query(layout.warehouse, "select * from analytics.fct_chargeback_monthly where month = $m order by all",
                    m=SEPTEMBER)  # fmt: skip
    closed = cpt(monkeypatch, data, source, "close", "--month", "2026-09")
    assert closed.exit_code == 0, closed.output
    folder = month_folder(layout.closed, SEPTEMBER)
    assert "closed 2026-09" in closed.output and (folder / MANIFEST).exists() and verify(folder) == []
    issued = _digests(folder)
    assert {"chargeback.parquet", "reports/cpt-finance-2026-09.pdf", "reports/cpt-finance-2026-09.xlsx"} <= set(issued)
    frozen = pq.read_table(folder / "chargeback.parquet")
    assert frozen.num_rows == len(before) > 0
    again = cpt(monkeypatch, data, source, "close", "--month", "2026-09")
    assert again.exit_code == 1 and "2026-09 is already closed" in one_line(again.output)
    assert _digests(folder) == issued

    # The Dagster job closes a month too (and refuses the same way).
    from orchestration.definitions import defs

    job = defs.resolve_job_def("close_month_job")
    failed = job.execute_in_process(run_config={"ops": {"close_month_op": {"config": {"month": "2026-11"}}}},
                                    raise_on_error=False)  # fmt: skip
    assert not failed.success and not (layout.closed / "month=2026-11").exists()
    done = job.execute_in_process(run_config={"ops": {"close_month_op": {"config": {"month": "2026-08"}}}})
    assert done.success and verify(month_folder(layout.closed, dt.date(2026, 8, 1))) == []

    # AWS restates 2026-09 after its close: every amount 1 % higher, delivered again.
    cur = next((source / "aws").rglob("BILLING_PERIOD=2026-09/*.parquet"))
    write_cur2_delivery(source / "aws", restated(pq.read_table(cur), 1.01), "2026-09")
    rerun = cpt(monkeypatch, data, source, "run", "--month", "2026-09")
    assert rerun.exit_code == 0, rerun.output

    # The closed month is as issued: rows and files.
    after = _query(layout.warehouse, "select * exclude (is_closed) from analytics.fct_chargeback_monthly "
                   "where month = $m order by all", m=SEPTEMBER)  # fmt: skip
    assert after == [row[:-1] for row in before]
    assert _digests(folder) == issued and verify(folder) == []
    # … and the difference is adjustments posted into 2026-10, the next open month.
    [(posted, posted_usd, months)] = _query(
        layout.warehouse,
        "select sum(amount), sum(amount_usd), list(distinct restated_month) from analytics.fct_chargeback_adjustments "
        "where posting_month = $m",
        m=OCTOBER,
    )
    build = layout.build_warehouse
    [(now_cost,)] = _query(build, "select sum(total_cost) from internal.int_chargeback_lines where month = $m",
                           m=SEPTEMBER)  # fmt: skip
    [(frozen_cost,)] = _query(layout.warehouse, "select sum(total_cost) from analytics.fct_chargeback_monthly "
                              "where month = $m", m=SEPTEMBER)  # fmt: skip
    assert months == [SEPTEMBER] and posted > 0
    assert abs(posted - (now_cost - frozen_cost)) < Decimal("1e-6")
    assert abs(posted_usd - posted) < Decimal("0.01") * 40  # cents, line by line

    # 2026-10's reports carry them with a note; 2026-09's are the ones issued.
    october = cpt(monkeypatch, data, source, "reports", "--month", "2026-10")
    assert october.exit_code == 0 and "adjustments to closed months posted here" in october.output
    note = "2026-09 changed after its close"
    assert note in (layout.reports / "2026-10" / "showback-2026-10.html").read_text()
    assert note in " ".join(_pdf_text(layout.reports / "2026-10" / "cpt-finance-2026-10.pdf").split())
    statements = list((layout.reports / "2026-10" / "teams").rglob("*.csv"))
    kinds = pl.concat([pl.read_csv(p, infer_schema=False) for p in statements])["kind"]
    assert "adjustment" in set(kinds)
    september = cpt(monkeypatch, data, source, "reports", "--month", "2026-09")
    assert september.exit_code == 0 and "2026-09 is closed" in september.output
    assert _digests(folder) == issued


def test_the_preview_shows_every_pdf_page_and_the_showback_page(demo, tmp_path):
    """What `make reports-preview` makes for a reviewer: every PDF page as a PNG that is not blank, and a
    headless-Chromium screenshot of the showback page."""
    import matplotlib.image

    from ingest.reports.preview import pdf_pages, screenshot

    data, _ = demo
    folder = DataLayout(data).reports / "2026-10"
    pages = pdf_pages(folder, tmp_path / "preview")
    pdfs = sorted(folder.rglob("*.pdf"))
    expected = 0
    for pdf in pdfs:
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        expected += int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert len(pages) == expected >= len(pdfs) + 2  # the finance report has several pages
    for page in pages:
        assert matplotlib.image.imread(page).std() > 0.01, page  # something drawn on it
    shot = screenshot(folder / "showback-2026-10.html", tmp_path / "showback.png")
    pixels = matplotlib.image.imread(shot)
    assert pixels.shape[1] == 1280 and pixels.std() > 0.01

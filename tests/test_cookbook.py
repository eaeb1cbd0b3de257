"""The SQL cookbook (docs/COOKBOOK.md) tells the truth: every query runs on the demo warehouse and prints the
answer written under it, and the answers agree with the facts computed another way.

After a change to the models, `CPT_WRITE_COOKBOOK=1 pytest tests/test_cookbook.py` rewrites the answers (then read
the diff before committing it)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ingest.paths import DataLayout

COOKBOOK_PATH = Path(__file__).parent.parent / "docs" / "COOKBOOK.md"
_QUESTION = re.compile(r"^### (\d+)\. (.+?)\n.*?```sql\n(.*?)```\n\n```text\n(.*?)```", re.S | re.M)


@dataclass(frozen=True)
class Question:
    number: int
    title: str
    sql: str
    answer: str


def questions(text: str | None = None) -> list[Question]:
    text = COOKBOOK_PATH.read_text() if text is None else text
    return [Question(int(n), title, sql, answer) for n, title, sql, answer in _QUESTION.findall(text)]


def question(title: str) -> Question:
    return next(q for q in questions() if q.title == title)


def _text(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")  # 0.000000000, not 0E-9
    return str(value)


def answer(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    """The query's result as an aligned text table: names first, numbers right-aligned."""
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    cells = [[_text(v) for v in row] for row in rows]
    numeric = [
        all(isinstance(row[i], int | float | Decimal) for row in rows if row[i] is not None) and bool(rows)
        for i in range(len(names))
    ]
    widths = [max([len(names[i])] + [len(r[i]) for r in cells]) for i in range(len(names))]

    def line(values: list[str]) -> str:
        return "  ".join(
            v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric, strict=True)
        ).rstrip()

    return "\n".join([line(names), *(line(r) for r in cells), f"({len(rows)} row{'' if len(rows) == 1 else 's'})"])


def _warehouse(demo) -> duckdb.DuckDBPyConnection:
    data, _ = demo
    return duckdb.connect(str(DataLayout(data).warehouse), read_only=True)


def test_the_cookbook_asks_at_least_twelve_questions_in_order():
    found = questions()
    assert len(found) >= 12
    assert [q.number for q in found] == list(range(1, len(found) + 1))
    assert all(q.sql.strip().endswith(";") for q in found)


@pytest.mark.slow
def test_every_cookbook_query_prints_its_documented_answer_on_the_demo_warehouse(demo):
    text = COOKBOOK_PATH.read_text()
    with _warehouse(demo) as con:
        answers = {q.number: answer(con, q.sql) for q in questions(text)}
    if os.environ.get("CPT_WRITE_COOKBOOK"):
        for q in questions(text):
            block = f"```sql\n{q.sql}```\n\n```text\n{q.answer}```"
            text = text.replace(block, f"```sql\n{q.sql}```\n\n```text\n{answers[q.number]}\n```")
        COOKBOOK_PATH.write_text(text)
        return
    for q in questions(text):
        assert q.answer.rstrip("\n") == answers[q.number], (
            f"question {q.number} ({q.title}) now answers:\n{answers[q.number]}"
        )


@pytest.mark.slow
def test_the_cookbook_answers_agree_with_the_facts(demo):
    """Independent checks of the answers: the same figures computed from the facts in polars, or from the bill."""
    with _warehouse(demo) as con:
        facts = con.sql("select * from analytics.fct_cpt_daily").pl()
        hours = con.sql("select * from analytics.fct_deployment_hours").pl()
        focus = con.sql("select * from analytics.focus_billing").pl()
        asked = {q.title: con.execute(q.sql).fetchall() for q in questions()}

    # CPT by model: Σpriced_cost ÷ Σoutput tokens of priced rows, over the 30 days up to the newest day.
    recent = facts.filter(pl.col("usage_date") > facts["usage_date"].max() - pl.duration(days=30))
    priced = recent.filter(pl.col("priced_cost").is_not_null())
    by_model = priced.group_by("model").agg(pl.col("priced_cost").sum(), pl.col("output_tokens").sum())
    expected = {m: round(1e6 * float(c) / t, 2) for m, c, t in by_model.iter_rows() if t > 0}
    assert {m: cpt for m, _, _, cpt in asked["CPT by model, last 30 days"]} == expected

    # Top teams: the first is the team charged most, and the listed shares are of the month's whole cost.
    newest = facts["usage_date"].max()
    month = facts.filter(pl.col("usage_date") >= newest.replace(day=1))  # type: ignore[union-attr]
    teams = month.group_by("team").agg(pl.col("total_cost").sum()).sort("total_cost", descending=True)
    top = asked["Top teams by spend this month"]
    assert top[0][0] == teams["team"][0] and len(top) == min(5, teams.height)
    assert top[0][2] == round(100 * float(teams["total_cost"][0]) / float(teams["total_cost"].sum()), 1)

    # Input and output split: rate × tokens, summed, is each model's priced cost (to the cent of the rounding).
    for model, per_input, per_output in asked["Cost per 1M input vs output tokens"]:
        rows = facts.filter(
            (pl.col("model") == model) & pl.col("priced_cost").is_not_null() & (pl.col("output_tokens") > 0)
        )
        recombined = (per_input * rows["input_tokens"].sum() + per_output * rows["output_tokens"].sum()) / 1e6
        assert recombined == pytest.approx(float(rows["priced_cost"].sum()), rel=1e-4), model

    # Utilization: throughput never above the deployment's best hour; busy share from the hours' flags.
    for deployment, busy, throughput in asked["Utilization: busy hours vs throughput"]:
        own = hours.filter(pl.col("deployment") == deployment)
        assert 0 < throughput <= 1
        assert busy == round(float(own.filter("is_busy")["gpu_hours"].sum()) / float(own["gpu_hours"].sum()), 3)

    # FOCUS categories add up to the invoice; the reconciliation ties the invoice to the bill and charges all of it.
    categories = asked["Cost by FOCUS ServiceCategory"]
    rounding = Decimal("0.005") * len(categories)
    assert abs(sum(billed for _, billed, _, _ in categories) - focus["BilledCost"].sum()) <= rounding
    for _, _, invoice, in_scope, charged, difference in asked["Reconciliation to the invoice"]:
        assert charged == in_scope and difference == 0 and invoice > in_scope

    # Idle cost by deployment equals the facts' idle cost; savings never negative.
    idle = {d: round(float(c), 2) for d, c in facts.group_by("deployment").agg(pl.col("idle_cost").sum()).iter_rows()}
    assert {d: float(usd) for d, usd, _, _ in asked["Idle cost by deployment"]} == {d: c for d, c in idle.items() if c}
    assert all(saved >= 0 for *_, saved in asked["What commitments and spot saved"])

    # Load history: the billing files in force are those the bill's lines came from.
    loaded: dict[str, int] = {}
    for dataset, _, _, rows, _, _ in asked["Load history: the billing files in force"]:
        loaded[dataset] = loaded.get(dataset, 0) + rows
    assert loaded == {  # the demo's Azure and OCI bills arrive as FOCUS exports
        "billing/aws": focus.filter(pl.col("ProviderName") == "AWS").height,
        "billing/gcp": focus.filter(pl.col("ProviderName") == "Google Cloud").height,
        "billing/focus": focus.filter(pl.col("ProviderName").is_in(["Microsoft", "Oracle"])).height,
    }


@pytest.mark.slow
def test_the_forecast_answers_agree_with_their_definitions(demo):
    with _warehouse(demo) as con:
        asked = {q.title: con.execute(q.sql).fetchall() for q in questions()}
        [(open_budgets,)] = con.sql(
            "select count(*) from analytics.fct_budget_status "
            "where month = (select max(as_of_date) + 1 from analytics.fct_budget_status)"
        ).fetchall()
        [(chosen, baseline)] = con.sql(
            "select avg(mase), avg(seasonal_naive_mase) from analytics.fct_forecast_accuracy where chosen"
        ).fetchall()

    budgets = asked["Which budgets will we miss?"]
    assert len(budgets) == open_budgets > 0
    assert all(0 <= p_over <= 1 for *_, p_over, _, _ in budgets)
    # on the demo's history the models chosen by backtest beat "same weekday last week" on average
    assert chosen < baseline
    assert {horizon for _, horizon, *_ in asked["How good are the forecasts?"]} == {7, 30}
    for _, usd, tokens, cpt in asked["What will a token cost next month?"]:
        assert cpt == pytest.approx(1e6 * float(usd) / float(tokens), abs=0.02)


@pytest.mark.slow
def test_every_column_of_every_model_is_described_in_the_dbt_docs(demo):
    """What a BI user sees in the analytics schema, and what a maintainer reads in the internal one (staging and
    intermediate models, in the build warehouse), column by column, has a description in the dbt docs."""
    import json

    from ingest.paths import DataLayout
    from orchestration.resources import dbt_project

    manifest = json.loads(dbt_project.manifest_path.read_text())
    described = {
        (node["schema"], node["name"], column.lower())
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        for column, spec in node["columns"].items()
        if spec.get("description", "").strip()
    }
    models = {(n["schema"], n["name"]) for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    query = "select table_schema, table_name, lower(column_name) from information_schema.columns"
    with _warehouse(demo) as con:
        published = con.execute(f"{query} where table_schema = 'analytics'").fetchall()
    with duckdb.connect(str(DataLayout(demo[0]).build_warehouse), read_only=True) as con:
        internal = [
            row for row in con.execute(f"{query} where table_schema = 'internal'").fetchall() if row[:2] in models
        ]
    assert len(published) > 150 and len(internal) > 350
    assert sorted(set(published) - described) == []
    assert sorted(set(internal) - described) == []

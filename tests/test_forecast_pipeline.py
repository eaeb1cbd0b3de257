"""The look-ahead through the real pipeline, on the demo's generated three-month history (growth, weekends, a
holiday, a deployment that starts half-way, one team's traffic doubling): forecasts, backtests, projections,
budgets, gateway limits, anomalies, charts, and alerts to a webhook that is down, then back."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from ingest.paths import DataLayout
from orchestration.defs.forecast.outputs import budget_alerts
from orchestration.resources import AlertWebhookResource, WarehouseResource
from tests.cpt_runner import one_line
from tests.fakes.http import free_port
from tests.fakes.webhook_server import WebhookServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def history(demo):
    """The demo: three generated months run at once (data dir, truth, run output)."""
    data, output = demo
    return data, json.loads((data / "source" / "truth.json").read_text()), output


def _query(data: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(DataLayout(data).warehouse), read_only=True) as con:
        return con.sql(sql).fetchall()


def test_the_run_publishes_and_lists_the_budget_alerts_without_failing(history):
    _, _, output = history
    said = one_line(output)
    assert "published" in said  # the demo fixture holds the exit code to 0: budgets over are alerts, not failures
    assert "alert spend_within_budget: over budget:" in said
    assert "alert projection_within_budget: projected over budget:" in said


def test_every_series_is_forecast_90_days_with_nested_intervals_and_cpt_from_cost_and_tokens(history):
    data, _, _ = history
    [(series, days, first, last, bad_nesting, cpt_mismatch, negative)] = _query(
        data,
        """
        select count(distinct series_level || series_key), count(distinct forecast_date), min(forecast_date),
               max(forecast_date),
               count(*) filter (where not (cost_lo_95 <= cost_lo_80 and cost_lo_80 <= cost and cost <= cost_hi_80
                                           and cost_hi_80 <= cost_hi_95)),
               count(*) filter (where output_tokens > 0
                                and abs(cpt_micro_usd_per_output_token - 1e6 * cost / output_tokens) > 1e-6),
               count(*) filter (where least(cost_lo_95, input_tokens_lo_95, output_tokens_lo_95) < 0)
        from analytics.fct_forecast_daily
        """,
    )
    assert days == 90 and first == dt.date(2026, 11, 1) and last == dt.date(2027, 1, 29)
    levels = dict(
        _query(data, "select series_level, count(distinct series_key) from analytics.fct_forecast_daily group by 1")
    )
    teams = _query(data, "select count(distinct team) from analytics.fct_cpt_daily")[0][0]
    assert levels["total"] == 1 and levels["team"] == teams and levels["deployment"] >= 7 and levels["model"] >= 4
    assert series == sum(levels.values())
    assert bad_nesting == 0 and cpt_mismatch == 0 and negative == 0


def test_the_chosen_models_beat_seasonal_naive_on_average_and_the_accuracy_table_says_where_not(history):
    data, _, _ = history
    rows = _query(
        data,
        """
        select horizon_days, avg(mase), avg(seasonal_naive_mase), avg(coverage_95),
               count(*) filter (where not beats_seasonal_naive)
        from analytics.fct_forecast_accuracy where chosen group by 1 order by 1
        """,
    )
    assert [r[0] for r in rows] == [7, 30]  # three months: 30-day backtests from three origins
    for _, chosen, baseline, coverage_95, _ in rows:
        assert chosen < baseline
        assert 0.8 < coverage_95 <= 1
    # the backtest's scores are those of the model each series is forecast by
    [(mismatched,)] = _query(
        data,
        """
        select count(*) from analytics.fct_forecast_accuracy as a
        join analytics.dim_forecast_series as s using (series_level, series_key, measure)
        where a.chosen and a.model <> s.method
        """,
    )
    assert mismatched == 0


def test_the_history_s_odd_parts_get_their_fallbacks(history):
    data, truth, _ = history
    notes = dict(
        ((key, measure), (note, days))
        for key, measure, note, days in _query(
            data, "select series_key, measure, note, history_days from analytics.dim_forecast_series"
        )
    )
    started = dt.date.fromisoformat(truth["history"]["deployment_started"]["day"])
    note, days = notes[(truth["history"]["deployment_started"]["deployment"], "output_tokens")]
    assert "started mid-way" in note and days == (dt.date(2026, 10, 31) - started).days + 1
    step = dt.date.fromisoformat(truth["history"]["team_step"]["day"])
    note, days = notes[(truth["history"]["team_step"]["team"], "output_tokens")]
    since_step = (dt.date(2026, 10, 31) - step).days + 1
    assert "step change" in note and since_step - 6 <= days <= since_step


def test_the_month_end_projection_is_actual_plus_forecast(history):
    data, _, _ = history
    [(october, november, nov_forecast, lo, hi)] = _query(
        data,
        """
        select
            max(case when month = '2026-10-01' then projected_cost end),
            max(case when month = '2026-11-01' then projected_cost end),
            (select sum(cost) from analytics.fct_forecast_daily where series_level = 'total'
             and forecast_date < '2026-12-01'),
            max(case when month = '2026-11-01' then projected_lo_95 end),
            max(case when month = '2026-11-01' then projected_hi_95 end)
        from analytics.fct_month_end_projection where series_level = 'total'
        """,
    )
    [(october_actual,)] = _query(
        data, "select sum(total_cost) from analytics.fct_cpt_monthly where month = '2026-10-01'"
    )
    assert october == october_actual  # a complete month is its actual cost, to the last digit
    assert float(november) == pytest.approx(float(nov_forecast), abs=1e-6) and lo <= november <= hi


def test_budgets_become_statuses_probabilities_and_gateway_limits(history):
    data, _, _ = history
    statuses = _query(
        data,
        """
        select status, budget_usd, spent_to_date, projected_cost, projected_hi_95, probability_over_budget,
               budget_left, output_tokens_left_at_forecast_cpt, forecast_cpt_micro_usd_per_output_token
        from analytics.fct_budget_status
        """,
    )
    assert statuses
    for status, budget, spent, projected, hi_95, probability, left, tokens_left, cpt_forecast in statuses:
        assert 0 <= probability <= 1
        expected = (
            "over_budget" if spent > budget else "projected_over" if projected > budget
            else "at_risk" if hi_95 > budget else "within"
        )  # fmt: skip
        assert status == expected
        assert left == max(budget - spent, 0)
        if cpt_forecast:
            assert tokens_left == pytest.approx(float(left) / float(cpt_forecast) * 1e6, rel=1e-6, abs=1)
    limits = _query(
        data,
        "select team_id, max_budget, budget_duration, tpm_limit from analytics.fct_gateway_team_limits order by team",
    )
    bodies = [
        json.loads(line) for line in (DataLayout(data).gateway / "litellm_team_update.jsonl").read_text().splitlines()
    ]
    assert sorted(b["team_id"] for b in bodies) == sorted(row[0] for row in limits)
    assert all(b["budget_duration"] == "1mo" and b["tpm_limit"] > 0 and b["max_budget"] > 0 for b in bodies)
    # the mapped LiteLLM team id, not the team's name, where team_mappings.csv has one
    assert "6f1c2a9e-3b7d-4f4e-9a51-2d8c0e7b1a01" in {b["team_id"] for b in bodies}


def test_the_holiday_shows_as_tokens_down(history):
    data, truth, _ = history
    holiday = truth["history"]["holidays"]["days"][0]
    drivers = {
        driver
        for (driver,) in _query(
            data,
            f"select likely_driver from analytics.fct_cost_anomalies where usage_date = '{holiday}' "
            "and measure in ('input_tokens', 'output_tokens')",
        )
    }
    assert drivers == {"tokens down"}


def test_charts_are_written_for_the_total_and_every_team(history):
    data, _, _ = history
    charts = DataLayout(data).charts
    teams = {
        t
        for (t,) in _query(
            data, "select distinct series_key from analytics.fct_forecast_daily where series_level = 'team'"
        )
    }
    forecasts = {p.name for p in charts.glob("*.png") if not p.name.startswith("frontier-")}  # the frontier's apart
    assert forecasts == {"total.png"} | {f"team-{t}.png" for t in teams}
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 10_000 for p in charts.glob("*.png"))


def test_alerts_missed_while_the_webhook_was_down_are_posted_once_when_it_is_back(history, tmp_path):
    data, _, _ = history
    # the alerts asset on a copy of the published warehouse (it records what was sent beside it)
    own = WarehouseResource(data_dir=str(tmp_path / "data"))
    own.layout.warehouse.parent.mkdir(parents=True)
    shutil.copy(DataLayout(data).warehouse, own.layout.warehouse)

    def alert_run(url: str) -> dict:
        resources = {"warehouse": own, "alerts_webhook": AlertWebhookResource(url=url)}
        result = dg.materialize([budget_alerts], resources=resources, instance=dg.DagsterInstance.ephemeral())
        assert result.success  # an endpoint that is down never fails the run
        return dict(result.get_asset_materialization_events()[0].materialization.metadata)

    down = alert_run(f"http://127.0.0.1:{free_port()}/services/T000/B000/secret")
    assert down["posted"].value == 0 and down["pending"].value == down["alerts"].value > 0
    assert not (own.layout.alerts / "sent.json").exists()  # nothing was accepted
    with WebhookServer() as hook:
        back = alert_run(hook.hook_url)
        again = alert_run(hook.hook_url)
    assert back["posted"].value == down["alerts"].value == len(hook.received)
    assert again["posted"].value == 0 and again["already_sent"].value == len(hook.received)
    texts = [body["text"] for body in hook.received]
    assert len(texts) == len(set(texts))
    assert any("spent" in text and "budget" in text for text in texts)

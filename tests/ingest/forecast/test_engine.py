"""The model chosen per series by backtest: better than the seasonal naive baseline where there is something to
learn, honest intervals, and a forecast that starts the day after the last day with data."""

import datetime as dt

import numpy as np
import polars as pl

from ingest.forecast.engine import BASELINE, backtest_plan, forecast

LAST = dt.date(2026, 10, 31)


def test_backtest_plans_follow_the_length_of_the_history():
    assert backtest_plan(92) == (30, 3)  # 21 days of training + 30 ahead + two more origins a week apart
    assert backtest_plan(65) == (30, 3)
    assert backtest_plan(64) == (7, 3)
    assert backtest_plan(31) == (7, 1)  # a single month: one origin of a week
    assert backtest_plan(35) == (7, 2)
    assert backtest_plan(42) == (7, 3)
    assert backtest_plan(28) == (7, 1)
    assert backtest_plan(27) is None


def test_on_trending_weekly_series_the_chosen_models_beat_seasonal_naive():
    rng = np.random.default_rng(11)
    t = np.arange(92)
    series = {
        f"s{i}": (200 + 40 * i) * (1 + 0.002 * t) * (1 + 0.3 * np.sin(2 * np.pi * t / 7)) + rng.normal(0, 8, 92)
        for i in range(6)
    }
    result = forecast(series, LAST)
    accuracy = result.accuracy.filter(pl.col("horizon_days") == 30)
    chosen = accuracy.filter(pl.col("chosen"))
    baseline = accuracy.filter(pl.col("model") == BASELINE)
    assert chosen.height == 6
    assert chosen["mase"].mean() < baseline["mase"].mean()  # type: ignore[operator]
    # with Gaussian noise the 95 % intervals hold most of the backtest days
    assert chosen["coverage_95"].mean() > 0.8  # type: ignore[operator]
    assert result.forecasts["ds"].min() == LAST + dt.timedelta(days=1)
    assert result.forecasts["ds"].max() == LAST + dt.timedelta(days=90)
    # the in-sample fit covers the history, for the anomaly check
    assert result.fitted["ds"].max() == LAST


def test_a_series_with_nothing_to_learn_keeps_the_baseline_on_ties():
    flat = {"flat": np.full(60, 10.0)}
    result = forecast(flat, LAST, horizon=14)
    assert result.methods["method"].to_list() == [BASELINE]  # no MASE to compare models by: the baseline
    assert "MASE undefined" in result.methods["note"].item()
    assert result.forecasts["yhat"].to_list() == [10.0] * 14

"""Odd histories: each gets its documented fallback, never a crash, never a negative forecast."""

import datetime as dt

import numpy as np
import pytest

from ingest.forecast.engine import forecast
from ingest.forecast.history import MIN_MODEL_DAYS, find_step, prepare

LAST = dt.date(2026, 10, 31)
rng = np.random.default_rng(5)


def weekly(days: int, level: float = 100.0, noise: float = 3.0, growth: float = 0.0) -> np.ndarray:
    t = np.arange(days)
    return level * (1 + growth * t) * (1 + 0.25 * np.sin(2 * np.pi * t / 7)) + rng.normal(0, noise, days)


def test_all_zeros_forecast_zero():
    assert prepare(np.zeros(60)).method == "zero"


def test_a_retired_deployment_forecasts_zero():
    prepared = prepare(np.r_[weekly(50), np.zeros(10)])
    assert prepared.method == "retired" and "10 days" in prepared.note


def test_a_weekend_lull_is_not_retirement():
    values = weekly(56)
    values[-2:] = 0  # two quiet days
    assert prepare(values).method is None


def test_a_series_started_mid_way_learns_from_its_first_value():
    prepared = prepare(np.r_[np.zeros(40), weekly(30)])
    assert prepared.method is None and len(prepared.values) == 30 and "started mid-way" in prepared.note


def test_under_two_weeks_is_the_recent_mean():
    prepared = prepare(np.r_[np.zeros(50), weekly(10)])
    assert prepared.method == "recent_mean" and len(prepared.values) == 10


@pytest.mark.parametrize("days_since", [20, 35])
def test_a_step_change_is_found_and_only_the_days_since_are_learnt(days_since):
    values = np.r_[weekly(90 - days_since, level=100), weekly(days_since, level=200)]
    step = find_step(values)
    assert step is not None and 90 - days_since <= step <= 90 - days_since + 6
    prepared = prepare(values)
    assert "step change" in prepared.note and len(prepared.values) == 90 - step


def test_steady_growth_and_weekly_shape_are_not_a_step():
    assert find_step(weekly(92, growth=0.002)) is None  # 6 % a month, as the sample history grows
    assert find_step(weekly(92, noise=15)) is None


def test_odd_histories_never_crash_and_never_forecast_below_zero():
    falling = np.linspace(500, 5, 60) + rng.normal(0, 20, 60)  # a trend heading below zero
    series = {
        "zeros": np.zeros(60),
        "retired": np.r_[weekly(40), np.zeros(20)],
        "one_day": np.r_[np.zeros(59), [7.0]],
        "short": np.r_[np.zeros(52), weekly(8)],
        "mid_month": np.r_[np.zeros(15), weekly(45)],
        "step": np.r_[weekly(40, level=50), weekly(20, level=150)],
        "falling": np.clip(falling, 0, None),
        "flat": np.full(60, 42.0),
        "steady": weekly(60),
    }
    result = forecast(series, LAST, horizon=90)
    methods = dict(zip(result.methods["unique_id"], result.methods["method"], strict=True))
    assert methods["zeros"] == "zero" and methods["retired"] == "retired"
    assert methods["one_day"] == "recent_mean" and methods["short"] == "recent_mean"
    assert methods["mid_month"] in ("seasonal_naive", "ets", "theta")
    bands = ["yhat", "lo_80", "hi_80", "lo_95", "hi_95"]
    assert result.forecasts.height == 90 * len(series)
    assert min(result.forecasts[c].min() for c in bands) >= 0  # type: ignore[type-var]
    assert result.forecasts.select(bands).null_count().sum_horizontal().item() == 0
    # the intervals nest: 95 % around 80 % around the point
    f = result.forecasts
    assert (f["lo_95"] <= f["lo_80"] + 1e-9).all() and (f["lo_80"] <= f["yhat"] + 1e-9).all()
    assert (f["yhat"] <= f["hi_80"] + 1e-9).all() and (f["hi_80"] <= f["hi_95"] + 1e-9).all()
    assert result.forecasts.filter(result.forecasts["unique_id"] == "zeros")["hi_95"].max() == 0
    one_day = result.forecasts.filter(result.forecasts["unique_id"] == "one_day")
    assert one_day["yhat"].unique().to_list() == [7.0]


def test_min_model_days_is_two_weekly_cycles():
    assert MIN_MODEL_DAYS == 14

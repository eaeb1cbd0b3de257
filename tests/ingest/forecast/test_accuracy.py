"""Backtest scores on series whose errors are known by construction: MAPE, MASE and coverage by hand."""

import datetime as dt

import polars as pl
import pytest

from ingest.forecast.accuracy import score, seasonal_naive_scales

DAY = dt.date(2026, 10, 1)


def _backtest(cutoff: dt.date, actual: list[float], forecast: list[float], half_80: float, half_95: float):
    return pl.DataFrame(
        {
            "unique_id": "s",
            "model": "m",
            "cutoff": cutoff,
            "step": list(range(1, len(actual) + 1)),
            "y": actual,
            "yhat": forecast,
            "lo_80": [f - half_80 for f in forecast],
            "hi_80": [f + half_80 for f in forecast],
            "lo_95": [f - half_95 for f in forecast],
            "hi_95": [f + half_95 for f in forecast],
        }
    )


def test_scores_of_a_series_with_known_errors():
    # two origins of 30 days; the forecast is 100 every day; actuals alternate 90 and 110 (|error| 10, 10 %),
    # except the first origin's day 3, which is 150 (|error| 50, 33 %)
    first = [90.0, 110.0, 150.0] + [90.0 if i % 2 == 0 else 110.0 for i in range(27)]
    second = [90.0 if i % 2 == 0 else 110.0 for i in range(30)]
    backtests = pl.concat(
        [
            _backtest(DAY, first, [100.0] * 30, half_80=12, half_95=20),
            _backtest(DAY + dt.timedelta(days=7), second, [100.0] * 30, half_80=8, half_95=20),
        ]
    )
    scales = pl.DataFrame({"unique_id": ["s", "s"], "cutoff": [DAY, DAY + dt.timedelta(days=7)], "scale": [5.0, 10.0]})
    scores = {row["horizon_days"]: row for row in score(backtests, scales).iter_rows(named=True)}

    week = scores[7]  # steps 1..7 of each origin
    assert week["origins"] == 2 and week["points"] == 14
    # MAE per origin: (10 + 10 + 50 + 4 × 10) / 7 = 110/7 and 10; MASE = mean(110/7 ÷ 5, 10 ÷ 10)
    assert week["mase"] == pytest.approx((110 / 7 / 5 + 1.0) / 2)
    # the 14 days: seven 90s and six 110s (|error| 10) and the 150
    assert week["mape"] == pytest.approx((7 * 10 / 90 + 6 * 10 / 110 + 50 / 150) / 14)
    # 80 %: the first origin's ±12 holds every day but the 150; the second's ±8 holds none
    assert week["coverage_80"] == pytest.approx(6 / 14)
    # 95 %: ±20 holds every day but the 150
    assert week["coverage_95"] == pytest.approx(13 / 14)

    month = scores[30]
    assert month["points"] == 60
    assert month["mase"] == pytest.approx(((10 * 29 + 50) / 30 / 5 + 1.0) / 2)
    assert month["coverage_95"] == pytest.approx(59 / 60)


def test_an_origin_that_did_not_reach_a_horizon_is_not_scored_at_it():
    backtests = _backtest(DAY, [1.0] * 7, [1.0] * 7, half_80=0.5, half_95=1)
    scales = pl.DataFrame({"unique_id": ["s"], "cutoff": [DAY], "scale": [1.0]})
    scored = score(backtests, scales)
    assert scored["horizon_days"].to_list() == [7]
    assert scored["mase"].to_list() == [0.0]
    assert scored["coverage_80"].to_list() == [1.0]


def test_mape_leaves_zero_actuals_out_and_is_null_when_all_are_zero():
    backtests = _backtest(DAY, [0.0] * 6 + [10.0], [5.0] * 7, half_80=1, half_95=2)
    scales = pl.DataFrame(
        {"unique_id": ["s"], "cutoff": [DAY], "scale": [None]}, schema_overrides={"scale": pl.Float64}
    )
    row = score(backtests, scales).row(0, named=True)
    assert row["mape"] == pytest.approx(0.5)  # only the day with actual 10: |10 − 5| / 10
    assert row["mase"] is None  # no scale: undefined, not zero or infinite
    zeros = _backtest(DAY, [0.0] * 7, [5.0] * 7, half_80=1, half_95=2)
    assert score(zeros, scales).row(0, named=True)["mape"] is None


def test_the_mase_scale_is_the_seasonal_naive_in_sample_error_of_each_training_window():
    days = [DAY + dt.timedelta(days=i) for i in range(21)]
    # weekly pattern 0..6 plus 1 per week: |y_t − y_{t−7}| = 1 everywhere; a 100 on the last day moves the second
    # window only
    values = [float(i % 7 + i // 7) for i in range(20)] + [100.0]
    history = pl.DataFrame({"unique_id": "s", "ds": days, "y": values})
    cutoffs = pl.DataFrame({"unique_id": ["s", "s", "s"], "cutoff": [days[6], days[13], days[20]]})
    scales = {row["cutoff"]: row["scale"] for row in seasonal_naive_scales(history, cutoffs).iter_rows(named=True)}
    assert scales[days[6]] is None  # one week: no seasonal difference yet
    assert scales[days[13]] == pytest.approx(1.0)
    assert scales[days[20]] == pytest.approx((13 * 1.0 + abs(100.0 - values[13])) / 14)

"""Daily forecasts per series with statsforecast: candidates backtested from several origins, the best per series
(lowest MASE) refitted on the whole history and projected 90 days with 80 % and 95 % prediction intervals.

The candidates, all with weekly seasonality (SEASON days):
- `seasonal_naive`: the same weekday last week — the baseline every score is measured against;
- `ets`: exponential smoothing with additive damped trend and additive weekly seasonality, ETS(A,Ad,A) — a
  damped trend keeps a 90-day projection from running away on a month of growth;
- `theta`: the Theta method on the seasonally adjusted series (M3 competition's winner, cheap and robust).

Backtests are rolling-origin: up to three origins a week apart, each forecasting 30 days (7 days, from as many
origins as fit, for histories too short for 30), scored at 7 and 30 days ahead (`accuracy.score`). A series is
forecast by the candidate with the lowest MASE at its longest scored horizon; ties and series too short for any
backtest go to the seasonal naive forecast.
statsforecast 2.x compiles its models ahead of time (C++), so there is no JIT warm-up; importing it costs ~4 s.
Forecasts and intervals are clipped at zero: cost and tokens are never negative."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import polars as pl

from ingest.forecast.accuracy import HORIZONS, SEASON, score, seasonal_naive_scales
from ingest.forecast.history import MIN_MODEL_DAYS, Prepared, Z, prepare, recent_mean

HORIZON_DAYS = 90
LEVELS = (80, 95)
ORIGINS = 3  # backtest origins per series, a week apart
# The shortest training window of a backtest origin: three weekly cycles. ETS(A,Ad,A) estimates 13 values (three
# smoothing weights, the damping, a level, a trend and seven seasonal states); on two cycles it has no degree of
# freedom left for its error variance, and so no interval.
MIN_TRAIN_DAYS = 21
CANDIDATES = ("seasonal_naive", "ets", "theta")
BASELINE = "seasonal_naive"
PARALLEL_FROM = 500  # series: from here the fits run in a process per core


@dataclass(frozen=True)
class Result:
    forecasts: pl.DataFrame  # unique_id, ds, method, yhat, lo_80, hi_80, lo_95, hi_95
    fitted: pl.DataFrame  # unique_id, ds, method, y, yhat, lo_95, hi_95 (in sample, for anomalies)
    accuracy: (
        pl.DataFrame
    )  # unique_id, model, horizon_days, origins, points, mape, mase, coverage_80, coverage_95, chosen
    methods: pl.DataFrame  # unique_id, method, note, history_days


def _models(names: tuple[str, ...]) -> list:
    from statsforecast.models import AutoETS, SeasonalNaive, Theta  # heavy import (pandas, statsmodels): on use

    made = {
        "seasonal_naive": lambda: SeasonalNaive(season_length=SEASON, alias="seasonal_naive"),
        "ets": lambda: AutoETS(season_length=SEASON, model="AAA", damped=True, alias="ets"),
        "theta": lambda: Theta(season_length=SEASON, alias="theta"),
    }
    return [made[name]() for name in names]


@contextlib.contextmanager
def _flat_series_quiet() -> Iterator[None]:
    """On a flat series, statsmodels' seasonality test (inside Theta) divides by a zero variance and warns before
    Theta goes on without seasonality: expected, so not printed."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "invalid value encountered", RuntimeWarning, "statsmodels")
        yield


def workers_for(series: int) -> int:
    """Processes to fit with: one below PARALLEL_FROM series (a pool's start costs more than it saves on a small
    fleet's hundred series), else every core this process may use."""
    return 1 if series < PARALLEL_FROM else max(1, len(os.sched_getaffinity(0)))


def _statsforecast(names: tuple[str, ...], workers: int = 1):
    from statsforecast import StatsForecast
    from statsforecast.models import SeasonalNaive

    # a series a model cannot fit (flat, too short for its parameters) gets the seasonal naive forecast instead
    fallback = SeasonalNaive(season_length=SEASON)
    return StatsForecast(models=_models(names), freq="1d", n_jobs=workers, fallback_model=fallback)


def _frame(series: dict[str, Prepared], last_day: dt.date) -> pl.DataFrame:
    """The prepared series as statsforecast's long frame (unique_id, ds, y), each ending at last_day."""
    parts = []
    for uid, prepared in series.items():
        n = len(prepared.values)
        first = last_day - dt.timedelta(days=n - 1)
        parts.append(
            pl.DataFrame(
                {
                    "unique_id": [uid] * n,
                    "ds": pl.date_range(first, last_day, "1d", eager=True),
                    "y": prepared.values,
                }
            )
        )
    return pl.concat(parts).with_columns(pl.col("ds").cast(pl.Datetime("us")))


def _rename_model_columns(frame: pl.DataFrame, model: str) -> pl.DataFrame:
    return frame.select(
        "unique_id",
        pl.col("ds").cast(pl.Date),
        *([pl.col("y")] if "y" in frame.columns else []),
        *([pl.col("cutoff").cast(pl.Date)] if "cutoff" in frame.columns else []),
        pl.col(model).alias("yhat"),
        *[pl.col(f"{model}-{side}-{level}").alias(f"{side}_{level}") for level in LEVELS for side in ("lo", "hi")],
    )


def backtest_plan(days: int) -> tuple[int, int] | None:
    """(horizon, origins) of a series' backtest: 30 days from ORIGINS origins when the history holds them after
    MIN_TRAIN_DAYS of training, else 7 days from as many origins (up to ORIGINS) as fit; None when not even one."""
    if days >= MIN_TRAIN_DAYS + max(HORIZONS) + (ORIGINS - 1) * 7:
        return max(HORIZONS), ORIGINS
    origins = min(ORIGINS, (days - MIN_TRAIN_DAYS - min(HORIZONS)) // 7 + 1)
    return (min(HORIZONS), origins) if origins >= 1 else None


def _backtest(frame: pl.DataFrame, horizon: int, origins: int, workers: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rolling-origin forecasts of every candidate (unique_id, model, cutoff, step, y, yhat, bounds) and the MASE
    scale of each origin's training window. Parameters are estimated at the first origin and kept for the later
    ones, whose states are updated with the days in between (refit=False): a third of the fits, and the way a
    model that is refitted weekly is used."""
    sf = _statsforecast(CANDIDATES, workers)
    with _flat_series_quiet():
        cv = sf.cross_validation(df=frame, h=horizon, n_windows=origins, step_size=7, level=list(LEVELS), refit=False)
    per_model = pl.concat(
        _rename_model_columns(cv, model).with_columns(model=pl.lit(model)) for model in CANDIDATES
    ).with_columns(step=(pl.col("ds") - pl.col("cutoff")).dt.total_days().cast(pl.Int32))
    history = frame.with_columns(pl.col("ds").cast(pl.Date))
    return per_model, seasonal_naive_scales(history, per_model.select("unique_id", "cutoff"))


def _choose(accuracy: pl.DataFrame) -> dict[str, str]:
    """Per series: the candidate with the lowest MASE at its longest scored horizon (ties → the baseline)."""
    longest = accuracy.group_by("unique_id").agg(pl.col("horizon_days").max())
    ranked = (
        accuracy.join(longest, on=["unique_id", "horizon_days"])
        .filter(pl.col("mase").is_not_null())
        .with_columns(baseline_first=pl.col("model") != BASELINE)
        .sort("unique_id", "mase", "baseline_first")
        .unique("unique_id", keep="first", maintain_order=True)
    )
    return dict(zip(ranked["unique_id"], ranked["model"], strict=True))


def forecast(series: dict[str, np.ndarray], last_day: dt.date, horizon: int = HORIZON_DAYS) -> Result:
    """Forecast every series (values per day ending at last_day) `horizon` days ahead."""
    workers = workers_for(len(series))
    prepared = {uid: prepare(values) for uid, values in series.items()}
    modelled = {uid: p for uid, p in prepared.items() if p.method is None}
    # backtest each series at the longest horizon its history allows (30 days, else 7, else none)
    plans: dict[tuple[int, int], dict[str, Prepared]] = {}
    for uid, p in modelled.items():
        if plan := backtest_plan(len(p.values)):
            plans.setdefault(plan, {})[uid] = p
    accuracy_parts = [
        score(*_backtest(_frame(group, last_day), *plan, workers)) for plan, group in sorted(plans.items())
    ]
    accuracy = pl.concat(accuracy_parts) if accuracy_parts else _empty_accuracy()
    chosen = _choose(accuracy)

    forecasts, fitted = [], []
    method_of = {uid: p.method or chosen.get(uid, BASELINE) for uid, p in prepared.items()}
    backtested = {uid for group in plans.values() for uid in group}
    notes = {
        uid: p.note if p.method or uid in chosen else _baseline_note(p, uid in backtested)
        for uid, p in prepared.items()
    }
    method_frame = pl.DataFrame(
        [(uid, method_of[uid], notes[uid], len(p.values)) for uid, p in prepared.items()],
        schema=_METHODS_SCHEMA,
        orient="row",
    )

    future = pl.date_range(last_day + dt.timedelta(days=1), last_day + dt.timedelta(days=horizon), "1d", eager=True)
    for uid, p in prepared.items():
        method = method_of[uid]
        if method in ("zero", "retired"):
            zeros = np.zeros(horizon)
            bands = {"yhat": zeros, **{f"{s}_{lv}": zeros for lv in LEVELS for s in ("lo", "hi")}}
            forecasts.append(_future_frame(uid, future, method, bands))
        elif method == "recent_mean":
            forecasts.append(_future_frame(uid, future, method, recent_mean(p.values, horizon)))
            fitted.append(_robust_fitted(uid, p.values, last_day))
    for model in CANDIDATES:
        group = {uid: prepared[uid] for uid in prepared if method_of[uid] == model}
        if not group:
            continue
        sf = _statsforecast((model,), workers)
        with _flat_series_quiet():
            out = sf.forecast(df=_frame(group, last_day), h=horizon, level=list(LEVELS), fitted=True)
        forecasts.append(_rename_model_columns(out, model).with_columns(method=pl.lit(model)))
        in_sample = _rename_model_columns(sf.forecast_fitted_values(), model).drop("lo_80", "hi_80")
        fitted.append(in_sample.with_columns(method=pl.lit(model)).filter(pl.col("yhat").is_not_nan()))
    forecast_frame = (
        pl.concat([f.select(_FORECAST_COLUMNS) for f in forecasts])
        .with_columns([pl.col(c).clip(lower_bound=0.0) for c in _BAND_COLUMNS])
        .sort("unique_id", "ds")
    )
    fitted_frame = (
        pl.concat([f.select(_FITTED_COLUMNS) for f in fitted]).sort("unique_id", "ds")
        if fitted
        else pl.DataFrame(schema=_FITTED_SCHEMA)
    ).with_columns([pl.col(c).clip(lower_bound=0.0) for c in ("yhat", "lo_95", "hi_95")])
    chosen_flag = accuracy.join(method_frame.select("unique_id", "method"), on="unique_id", how="left").with_columns(
        chosen=pl.col("model") == pl.col("method")
    )
    return Result(forecast_frame, fitted_frame, chosen_flag.drop("method"), method_frame)


_BAND_COLUMNS = ["yhat", *[f"{s}_{lv}" for lv in LEVELS for s in ("lo", "hi")]]
_FORECAST_COLUMNS = ["unique_id", "ds", "method", *_BAND_COLUMNS]
_FITTED_COLUMNS = ["unique_id", "ds", "method", "y", "yhat", "lo_95", "hi_95"]
_FITTED_SCHEMA = {
    "unique_id": pl.String,
    "ds": pl.Date,
    "method": pl.String,
    **{c: pl.Float64 for c in ("y", "yhat", "lo_95", "hi_95")},
}
_METHODS_SCHEMA = {"unique_id": pl.String, "method": pl.String, "note": pl.String, "history_days": pl.Int64}


def _baseline_note(prepared: Prepared, backtested: bool) -> str:
    why = "flat: MASE undefined, seasonal naive" if backtested else "too short to backtest: seasonal naive"
    return "; ".join(filter(None, [prepared.note, why]))


def _empty_accuracy() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "unique_id": pl.String,
            "model": pl.String,
            "horizon_days": pl.Int32,
            "origins": pl.UInt32,
            "points": pl.UInt32,
            "mape": pl.Float64,
            "mase": pl.Float64,
            "coverage_80": pl.Float64,
            "coverage_95": pl.Float64,
        }
    )


def _future_frame(uid: str, days: pl.Series, method: str, bands: dict[str, np.ndarray]) -> pl.DataFrame:
    return pl.DataFrame({"unique_id": uid, "ds": days, "method": method, **{c: bands[c] for c in _BAND_COLUMNS}})


def _robust_fitted(uid: str, values: np.ndarray, last_day: dt.date) -> pl.DataFrame:
    """In-sample expectations for a short series (the robust residual rule): each day against the median of the
    seven days before it, ± 1.96 × 1.4826 × their median absolute deviation (from the fourth day on)."""
    rows = []
    first = last_day - dt.timedelta(days=len(values) - 1)
    for i in range(3, len(values)):
        prior = values[max(0, i - 7) : i]
        median = float(np.median(prior))
        spread = Z[95] * 1.4826 * float(np.median(np.abs(prior - median)))
        rows.append(
            (
                uid,
                first + dt.timedelta(days=i),
                "recent_mean",
                float(values[i]),
                median,
                median - spread,
                median + spread,
            )
        )
    return pl.DataFrame(rows, schema=_FITTED_SCHEMA, orient="row")


__all__ = ["CANDIDATES", "HORIZON_DAYS", "LEVELS", "MIN_MODEL_DAYS", "Result", "forecast"]

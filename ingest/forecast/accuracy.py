"""How good a forecast was, scored the standard ways: MAPE, MASE against the seasonal naive forecast, and how often
the actual value fell inside the prediction intervals (empirical coverage). Pure functions over polars frames."""

from __future__ import annotations

import polars as pl

SEASON = 7  # days: the weekly cycle every series is modelled with
HORIZONS = (7, 30)  # days ahead the backtests are scored at: a week, and a month


def seasonal_naive_scales(history: pl.DataFrame, cutoffs: pl.DataFrame, season: int = SEASON) -> pl.DataFrame:
    """MASE's denominator per backtest origin: the in-sample mean absolute error of the seasonal naive forecast
    (|y_t − y_{t−season}|) over the training window ending at the cutoff, so that a MASE below 1 beats what "same
    day last week" did in sample. `history`: unique_id, ds, y; `cutoffs`: unique_id, cutoff. The scale is null for
    a window no longer than a season or flat (a scale of zero leaves MASE undefined)."""
    differences = history.sort("unique_id", "ds").with_columns(
        difference=(pl.col("y") - pl.col("y").shift(season).over("unique_id")).abs()
    )
    return (
        cutoffs.unique()
        .join(differences, on="unique_id")
        .filter(pl.col("ds") <= pl.col("cutoff"))
        .sort("unique_id", "cutoff", "ds")
        .group_by("unique_id", "cutoff", maintain_order=True)
        .agg(scale=pl.col("difference").mean())
        .with_columns(scale=pl.when(pl.col("scale") > 0).then(pl.col("scale")))
    )


def score(backtests: pl.DataFrame, scales: pl.DataFrame) -> pl.DataFrame:
    """One row per series × model × horizon from backtest forecasts.

    `backtests`: unique_id, model, cutoff, step (1 = the day after the cutoff), y (actual), yhat, lo_80, hi_80,
    lo_95, hi_95. `scales`: unique_id, cutoff, scale (seasonal_naive_scale of the training window ending at the
    cutoff). A horizon H scores the steps 1..H of every origin that reached H days. MAPE leaves out days whose
    actual is zero (undefined there) and is null when all are; MASE is the mean over origins of each origin's MAE ÷
    its scale, null when no origin has a scale."""
    # sorted, and grouped keeping that order: float sums in a fixed order give the same last digit every run
    backtests = backtests.sort("unique_id", "model", "cutoff", "step")
    rows = []
    for horizon in HORIZONS:
        reached = backtests.group_by("unique_id", "model", "cutoff").agg(pl.col("step").max().alias("reach"))
        window = (
            backtests.join(reached, on=["unique_id", "model", "cutoff"], maintain_order="left")
            .filter(pl.col("reach") >= horizon, pl.col("step") <= horizon)
            .with_columns(error=(pl.col("y") - pl.col("yhat")).abs())
        )
        per_origin = (
            window.group_by("unique_id", "model", "cutoff", maintain_order=True)
            .agg(
                mae=pl.col("error").mean(),
                ape_sum=pl.when(pl.col("y") != 0).then(pl.col("error") / pl.col("y").abs()).sum(),
                ape_n=(pl.col("y") != 0).sum(),
                in_80=((pl.col("y") >= pl.col("lo_80")) & (pl.col("y") <= pl.col("hi_80"))).sum(),
                in_95=((pl.col("y") >= pl.col("lo_95")) & (pl.col("y") <= pl.col("hi_95"))).sum(),
                points=pl.len(),
            )
            .join(scales, on=["unique_id", "cutoff"], how="left", maintain_order="left")
        )
        rows.append(
            per_origin.group_by("unique_id", "model", maintain_order=True)
            .agg(
                origins=pl.len(),
                points=pl.col("points").sum(),
                mape=pl.when(pl.col("ape_n").sum() > 0).then(pl.col("ape_sum").sum() / pl.col("ape_n").sum()),
                mase=(pl.col("mae") / pl.col("scale")).mean(),
                coverage_80=pl.col("in_80").sum() / pl.col("points").sum(),
                coverage_95=pl.col("in_95").sum() / pl.col("points").sum(),
            )
            .with_columns(horizon_days=pl.lit(horizon, pl.Int32))
        )
    return pl.concat(rows).select(
        "unique_id", "model", "horizon_days", "origins", "points", "mape", "mase", "coverage_80", "coverage_95"
    )

"""Odd histories, each with a documented fallback, so that no series crashes a run or forecasts below zero.

A series is one measure (cost or tokens) of one team, model, deployment or the total, one value per day from its
first day to the last day with data. Before any model sees it:

- **all zeros** → forecast zero (method `zero`);
- **retired**: nothing for the last `RETIRED_AFTER_DAYS` days after activity (a deployment switched off) → zero;
- **started mid-way**: the days before its first non-zero value are dropped (the deployment did not exist yet);
- **a step change** (one team's traffic doubling, a fleet resized): only the days since the step are learnt from
  (`find_step`);
- **under `MIN_MODEL_DAYS` days** left after the above → the mean of the last week with a normal interval from its
  spread (method `recent_mean`): too short for weekly seasonality to be estimated or backtested.

Everything else goes to the models (`engine`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_MODEL_DAYS = 14  # two weekly cycles: the least a seasonal model is fitted on
RETIRED_AFTER_DAYS = 7  # a week of zeros after activity: the deployment is gone, not quiet
STEP_MIN_RELATIVE = 0.25  # a step moves the weekly level by at least a quarter …
STEP_MIN_NOISE_MULTIPLE = 4.0  # … and by at least four robust standard deviations of the weekly level's wobble


@dataclass(frozen=True)
class Prepared:
    """A series after the odd-history rules: the values to learn from and why."""

    values: np.ndarray  # the days to learn from (ending at the last day with data)
    method: str | None  # a fallback's name (zero, retired, recent_mean), or None: the models decide
    note: str  # what was done, for the accuracy table ("" when nothing)


def find_step(values: np.ndarray) -> int | None:
    """The first day of the last level shift, or None.

    The weekly level (7-day trailing mean, which removes the weekly shape) is split in two at the point that
    explains it best (least squares, two means); the split is a step when the level moved by at least
    STEP_MIN_RELATIVE of the larger mean and by STEP_MIN_NOISE_MULTIPLE robust standard deviations (1.4826 × MAD)
    of the level within the two segments. A steady growth trend moves the level too little for either."""
    if len(values) < 4 * 7:
        return None
    level = np.convolve(values, np.ones(7) / 7, mode="valid")  # level[i] covers days i .. i+6
    n = len(level)
    csum, csq = np.cumsum(level), np.cumsum(level**2)
    best, best_k = np.inf, None
    for k in range(7, n - 7 + 1):  # each side holds at least a week of levels
        left_sse = csq[k - 1] - csum[k - 1] ** 2 / k
        right_sum, right_sq = csum[-1] - csum[k - 1], csq[-1] - csq[k - 1]
        right_sse = right_sq - right_sum**2 / (n - k)
        if left_sse + right_sse < best:
            best, best_k = left_sse + right_sse, k
    if best_k is None:
        return None
    before, after = level[:best_k], level[best_k:]
    jump = abs(after.mean() - before.mean())
    residuals = np.concatenate([before - np.median(before), after - np.median(after)])
    noise = 1.4826 * np.median(np.abs(residuals - np.median(residuals)))
    larger = max(abs(after.mean()), abs(before.mean()))
    if larger == 0 or jump < STEP_MIN_RELATIVE * larger or jump < STEP_MIN_NOISE_MULTIPLE * noise:
        return None
    # level[k] is the first weekly mean wholly after the split when the step happened on day k + 6
    return best_k + 6


def prepare(values: np.ndarray) -> Prepared:
    """The odd-history rules of the module docstring, in that order."""
    values = np.asarray(values, dtype=float)
    nonzero = np.flatnonzero(values)
    if len(nonzero) == 0:
        return Prepared(values, "zero", "all zeros: forecast zero")
    if len(values) - 1 - nonzero[-1] >= RETIRED_AFTER_DAYS:
        days = len(values) - 1 - nonzero[-1]
        return Prepared(values, "retired", f"nothing for the last {days} days: retired, forecast zero")
    notes = []
    if nonzero[0] > 0:
        values = values[nonzero[0] :]
        notes.append(f"started mid-way: the {nonzero[0]} days before its first value left out")
    step = find_step(values)
    if step is not None:
        notes.append(f"step change {len(values) - step} days before the end: learnt from the days since")
        values = values[step:]
    if len(values) < MIN_MODEL_DAYS:
        notes.append(f"{len(values)} days: under {MIN_MODEL_DAYS}, mean of the last week")
        return Prepared(values, "recent_mean", "; ".join(notes))
    return Prepared(values, None, "; ".join(notes))


Z = {80: 1.2815515655446004, 95: 1.959963984540054}  # two-sided normal quantiles of the interval levels


def recent_mean(values: np.ndarray, horizon: int) -> dict[str, np.ndarray]:
    """The `recent_mean` fallback: the mean of the last seven days (or fewer), with intervals ± z × their standard
    deviation × √(1 + 1/n) (a new day's spread around an estimated mean), clipped at zero."""
    window = np.asarray(values[-7:], dtype=float)
    mean = float(window.mean())
    spread = float(window.std(ddof=1)) * np.sqrt(1 + 1 / len(window)) if len(window) > 1 else 0.0
    out = {"yhat": np.full(horizon, mean)}
    for level, z in Z.items():
        out[f"lo_{level}"] = np.full(horizon, max(mean - z * spread, 0.0))
        out[f"hi_{level}"] = np.full(horizon, mean + z * spread)
    return out

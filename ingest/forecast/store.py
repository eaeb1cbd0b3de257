"""The forecast step's input and output: the daily series read from the warehouse build, and four parquet files
under the data directory's forecast/ folder that dbt's forecast marts read.

| file | one row per |
|---|---|
| `series_forecasts.parquet` | series × future day: method, point forecast, 80 % and 95 % bounds |
| `series_fitted.parquet` | series × past day: actual, in-sample expectation and 95 % bounds (anomalies) |
| `series_accuracy.parquet` | series × candidate model × backtest horizon: MAPE, MASE, coverage, chosen |
| `series_methods.parquet` | series: the method used, why (odd-history notes), days learnt from |

A series is (series_level, series_key, measure); measures are cost, input_tokens, output_tokens. Each file is
written under a temporary name and renamed into place, so a reader sees the old file or the new one."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from ingest import duck
from ingest.forecast.engine import BASELINE, Result, forecast
from ingest.housekeeping import temporary_prefix

SERIES_MODEL = "internal.int_forecast_series_daily"
MEASURES = ("cost", "input_tokens", "output_tokens")
DESCRIPTIONS = {
    "series_forecasts": "Per series × future day: method, point forecast, 80 % and 95 % bounds (forecast/).",
    "series_fitted": "Per series × past day: actual, in-sample expectation and 95 % bounds, for anomalies.",
    "series_accuracy": "Per series × candidate model × backtest horizon: MAPE, MASE, coverage, chosen.",
    "series_methods": "Per series: the method used, the odd-history rules applied, the days learnt from.",
}
FILES = tuple(DESCRIPTIONS)
KEYS = {"series_level": pl.String, "series_key": pl.String, "measure": pl.String}


@dataclass(frozen=True)
class Summary:
    as_of_date: dt.date | None
    series: int
    methods: dict[str, int]  # series per method
    mase_chosen: dict[int, float]  # backtest horizon (days) → mean MASE of the chosen models
    mase_seasonal_naive: dict[int, float]  # … and of the seasonal naive baseline on the same series

    def metadata(self) -> dict[str, str | int | float]:
        """What a run reports about its forecasts."""
        return {
            "as_of_date": str(self.as_of_date),
            "series": self.series,
            "methods": ", ".join(f"{method} {count}" for method, count in sorted(self.methods.items())),
            **{f"mean_mase_{h}d_chosen": v for h, v in self.mase_chosen.items()},
            **{f"mean_mase_{h}d_seasonal_naive": v for h, v in self.mase_seasonal_naive.items()},
        }


def _mean_mase(accuracy: pl.DataFrame, chosen: bool) -> dict[int, float]:
    rows = accuracy.filter(pl.col("chosen") if chosen else pl.col("model") == BASELINE)
    means = rows.group_by("horizon_days").agg(pl.col("mase").mean()).drop_nulls().sort("horizon_days")
    return {int(h): round(float(m), 4) for h, m in means.iter_rows()}


# The history's values are learnt to a millionth (of a dollar, of a token). Two engines (DuckDB, Spark) sum the
# same rows into doubles whose last bits differ; unrounded, a forecast fitted to either moves by parts in 10^13 and
# a tie between two candidate methods can tip. Rounded, every engine gives the forecast step the same numbers.
HISTORY_DECIMALS = 6


def read_series(warehouse: Path) -> pl.DataFrame:
    """The long history (series_level, series_key, measure, usage_date, value) from a warehouse build, its values
    rounded to HISTORY_DECIMALS places."""
    with duck.connect(str(warehouse), read_only=True) as con:
        wide = con.sql(f"select * from {SERIES_MODEL}").pl()
    return (
        wide.drop("team", "model")
        .unpivot(index=["series_level", "series_key", "usage_date"], on=list(MEASURES), variable_name="measure")
        .with_columns(pl.col("value").cast(pl.Float64).round(HISTORY_DECIMALS))
        .sort("series_level", "series_key", "measure", "usage_date")
    )


def run(history: pl.DataFrame) -> tuple[dict[str, pl.DataFrame], Summary]:
    """Forecast every series of `history`; the four frames keyed by file name."""
    if history.is_empty():
        return {name: pl.DataFrame(schema=schema) for name, schema in _SCHEMAS.items()}, Summary(None, 0, {}, {}, {})
    as_of = history["usage_date"].max()
    assert isinstance(as_of, dt.date)
    keys = history.select(*KEYS).unique(maintain_order=True).with_row_index("n")
    keys = keys.with_columns(unique_id=pl.format("s{}", pl.col("n"))).drop("n")
    indexed = history.join(keys, on=list(KEYS))
    series = {
        uid: group.sort("usage_date")["value"].to_numpy().astype(np.float64)
        for (uid,), group in indexed.group_by("unique_id")
    }
    result: Result = forecast(series, as_of)
    as_of_column = pl.lit(as_of).alias("as_of_date")
    frames = {
        "series_forecasts": result.forecasts.rename({"ds": "forecast_date"}),
        "series_fitted": result.fitted.rename({"ds": "usage_date", "y": "actual"}),
        "series_accuracy": result.accuracy,
        "series_methods": result.methods,
    }
    out = {
        name: keys.join(frame, on="unique_id")
        .drop("unique_id")
        .with_columns(as_of_column)
        .select(_SCHEMAS[name].keys())
        for name, frame in frames.items()
    }
    methods = result.methods.group_by("method").len()
    summary = Summary(
        as_of,
        len(series),
        dict(zip(methods["method"], methods["len"], strict=True)),
        _mean_mase(result.accuracy, chosen=True),
        _mean_mase(result.accuracy, chosen=False),
    )
    return out, summary


def write(frames: dict[str, pl.DataFrame], folder: Path) -> None:
    """Each frame to folder/<name>.parquet, cast to its documented schema, replaced atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, schema in _SCHEMAS.items():
        temporary = folder / f".{temporary_prefix('write')}{name}.parquet.tmp"
        frames[name].cast(schema).write_parquet(temporary)  # type: ignore[arg-type]
        os.replace(temporary, folder / f"{name}.parquet")


def ensure_files(folder: Path) -> None:
    """Empty typed files where none exist yet, so that dbt's forecast marts build (empty) before any forecast."""
    if all((folder / f"{name}.parquet").exists() for name in FILES):
        return
    write({name: pl.DataFrame(schema=schema) for name, schema in _SCHEMAS.items()}, folder)


_BOUNDS = {f"{side}_{level}": pl.Float64 for level in (80, 95) for side in ("lo", "hi")}
_SCHEMAS: dict[str, dict[str, pl.DataType | type[pl.DataType]]] = {
    "series_forecasts": {
        **KEYS,
        "forecast_date": pl.Date,
        "method": pl.String,
        "yhat": pl.Float64,
        **_BOUNDS,
        "as_of_date": pl.Date,
    },
    "series_fitted": {
        **KEYS,
        "usage_date": pl.Date,
        "method": pl.String,
        "actual": pl.Float64,
        "yhat": pl.Float64,
        "lo_95": pl.Float64,
        "hi_95": pl.Float64,
        "as_of_date": pl.Date,
    },
    "series_accuracy": {
        **KEYS,
        "model": pl.String,
        "horizon_days": pl.Int32,
        "origins": pl.Int32,
        "points": pl.Int32,
        "mape": pl.Float64,
        "mase": pl.Float64,
        "coverage_80": pl.Float64,
        "coverage_95": pl.Float64,
        "chosen": pl.Boolean,
        "as_of_date": pl.Date,
    },
    "series_methods": {
        **KEYS,
        "method": pl.String,
        "note": pl.String,
        "history_days": pl.Int32,
        "as_of_date": pl.Date,
    },
}

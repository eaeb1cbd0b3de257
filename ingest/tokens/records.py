"""What every per-request token format shares: its bronze columns, validation and quarantine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import polars as pl

from ingest.schemas import INFERENCE_REQUESTS_SCHEMA, QUARANTINE_SCHEMA

MAX_TOKENS_PER_REQUEST = 10_000_000  # above this a count is a logging bug, not a request
MAX_DAYS_FROM_LOG_DAY = 2  # a record this far from the day its log was written is a clock or routing error
TOKEN_COLUMNS = ("input_tokens", "cached_input_tokens", "output_tokens")


@dataclass(frozen=True)
class ParsedLog:
    requests: pl.DataFrame
    quarantine: pl.DataFrame
    rows_in: int


def utc(expr: pl.Expr) -> pl.Expr:
    """ISO 8601 text → naive UTC; an offset is honoured, no offset means UTC, unreadable text becomes null."""
    return expr.str.to_datetime(time_zone="UTC", strict=False).dt.replace_time_zone(None)


def split_valid(frame: pl.DataFrame, source_format: str, source_file: str, log_day: date | None = None) -> ParsedLog:
    """``frame`` has the bronze columns plus ``source_row`` (and may have ``defect``, a reason found while
    reading): valid rows load, the others are quarantined with their first reason."""
    if "defect" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias("defect"))
    now = datetime.now(UTC).replace(tzinfo=None)
    if log_day is not None:
        earliest = datetime(log_day.year, log_day.month, log_day.day) - timedelta(days=MAX_DAYS_FROM_LOG_DAY)
        latest = datetime(log_day.year, log_day.month, log_day.day) + timedelta(days=1 + MAX_DAYS_FROM_LOG_DAY)
    else:
        earliest, latest = datetime(1970, 1, 1), now + timedelta(days=1)
    reason = (
        pl.when(pl.col("defect").is_not_null())
        .then(pl.col("defect"))
        .when(pl.col("request_id").is_null())
        .then(pl.lit("missing request id"))
        .when(pl.col("finished_at").is_null())
        .then(pl.lit("missing or invalid finished_at"))
        .when(pl.col("deployment").is_null() & pl.col("model").is_null())
        .then(pl.lit("no deployment or model"))
        .when(pl.any_horizontal([pl.col(c).is_null() for c in ("input_tokens", "output_tokens")]))
        .then(pl.lit("missing token counts"))
        .when(pl.any_horizontal([pl.col(c) < 0 for c in TOKEN_COLUMNS]))
        .then(pl.lit("negative token count"))
        .when(pl.any_horizontal([pl.col(c) > MAX_TOKENS_PER_REQUEST for c in TOKEN_COLUMNS]))
        .then(pl.lit("absurd token count"))
        .when(pl.col("cached_input_tokens") > pl.col("input_tokens"))
        .then(pl.lit("cached exceeds input tokens"))
        .when(pl.col("finished_at") > now + timedelta(hours=1))
        .then(pl.lit("finished in the future"))
        .when((pl.col("finished_at") < earliest) | (pl.col("finished_at") >= latest))
        .then(pl.lit("finished far outside its log's day"))
    )
    checked = frame.with_columns(
        pl.lit(source_format).alias("source_format"), pl.lit(source_file).alias("source_file"), reason.alias("reason")
    )
    bad = checked.filter(pl.col("reason").is_not_null())
    quarantine = bad.select(
        "source_format",
        "source_file",
        pl.col("source_row").cast(pl.Int64),
        "reason",
        pl.col("request_id").alias("record_id"),
        pl.lit(datetime.now(UTC).replace(tzinfo=None)).alias("quarantined_at"),
    ).cast(QUARANTINE_SCHEMA)
    good = checked.filter(pl.col("reason").is_null())
    requests = good.select([pl.col(c).cast(t) for c, t in INFERENCE_REQUESTS_SCHEMA.items()])
    return ParsedLog(requests, quarantine, frame.height)

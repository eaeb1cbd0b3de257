"""What every per-request token format shares: its bronze columns, validation and quarantine.

The validation rules are one SQL CASE (``reason_sql``), used by every reader: the streaming DuckDB readers of
JSON lines and parquet, and ``split_valid`` for formats parsed into a frame first (OTLP JSON, CSV).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache

import duckdb
import polars as pl

from ingest import duck
from ingest.schemas import INFERENCE_REQUESTS_SCHEMA, QUARANTINE_SCHEMA

MAX_TOKENS_PER_REQUEST = 10_000_000  # above this a count is a logging bug, not a request
MAX_DAYS_FROM_LOG_DAY = 2  # a record this far from the day its log was written is a clock or routing error
TOKEN_COLUMNS = ("input_tokens", "cached_input_tokens", "output_tokens")


@dataclass(frozen=True)
class ParsedLog:
    requests: pl.DataFrame
    quarantine: pl.DataFrame
    rows_in: int


@cache
def duckdb_connection() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB per process (opening one per file costs more than parsing a small file); its time
    zone is UTC (``duck.connect``), so a timestamp without an offset is read as UTC."""
    return duck.connect()


def utc_sql(text: str) -> str:
    """ISO 8601 text → naive UTC timestamp in SQL: an offset is honoured, none means UTC, unreadable text is null."""
    return f"(try_cast({text} as timestamptz) at time zone 'UTC')"


def _literal(moment: datetime) -> str:
    return f"timestamp '{moment.isoformat(sep=' ')}'"


def reason_sql(log_day: date | None, now: datetime | None = None) -> str:
    """Why a record is quarantined (null when it loads), over the bronze columns plus ``defect`` (a reason
    found while reading: malformed line, value of the wrong type). The first reason that applies wins."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    if log_day is not None:
        midnight = datetime(log_day.year, log_day.month, log_day.day)
        earliest = midnight - timedelta(days=MAX_DAYS_FROM_LOG_DAY)
        latest = midnight + timedelta(days=1 + MAX_DAYS_FROM_LOG_DAY)
    else:
        earliest, latest = datetime(1970, 1, 1), now + timedelta(days=1)
    any_token = " or ".join(f"{c} {{op}}" for c in TOKEN_COLUMNS)
    return f"""case
        when defect is not null then defect
        when request_id is null then 'missing request id'
        when finished_at is null then 'missing or invalid finished_at'
        when deployment is null and model is null then 'no deployment or model'
        when input_tokens is null or output_tokens is null then 'missing token counts'
        when {any_token.format(op="< 0")} then 'negative token count'
        when {any_token.format(op=f"> {MAX_TOKENS_PER_REQUEST}")} then 'absurd token count'
        when cached_input_tokens > input_tokens then 'cached exceeds input tokens'
        when finished_at > {_literal(now + timedelta(hours=1))} then 'finished in the future'
        when finished_at < {_literal(earliest)} or finished_at >= {_literal(latest)}
            then 'finished far outside its log''s day'
    end"""


def bronze_select(source_format: str, source_file: str) -> str:
    """The bronze inference_requests columns, typed, from a relation that has them (plus literals)."""
    literals = {"source_format": source_format, "source_file": source_file}
    columns = []
    for name, dtype in INFERENCE_REQUESTS_SCHEMA.items():
        if name in literals:
            columns.append("'{}' as {}".format(literals[name].replace("'", "''"), name))
        else:
            columns.append(f"cast({name} as {_DUCK_TYPES[type(dtype)]}) as {name}")
    return ", ".join(columns)


def quarantine_select(source_format: str, source_file: str) -> str:
    """The bronze token_quarantine columns from a relation with ``source_row``, ``request_id`` and ``reason``."""
    return (
        "'{}' as source_format, '{}' as source_file, cast(source_row as bigint) as source_row, reason, "
        "request_id as record_id, cast(current_timestamp at time zone 'UTC' as timestamp) as quarantined_at"
    ).format(source_format.replace("'", "''"), source_file.replace("'", "''"))


_DUCK_TYPES = {pl.String: "varchar", pl.Int64: "bigint", pl.Float64: "double", pl.Datetime: "timestamp"}


def split_valid(frame: pl.DataFrame, source_format: str, source_file: str, log_day: date | None = None) -> ParsedLog:
    """``frame`` has the bronze columns plus ``source_row`` (and may have ``defect``, a reason found while
    reading): valid rows load, the others are quarantined with their first reason (``reason_sql``)."""
    if "defect" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias("defect"))
    with duckdb_connection().cursor() as con:
        con.register("frame", frame)
        con.execute(f"create temp table checked as select *, {reason_sql(log_day)} as reason from frame")
        requests = con.sql(
            f"select {bronze_select(source_format, source_file)} from checked where reason is null order by source_row"
        ).pl()
        quarantine = con.sql(
            f"select {quarantine_select(source_format, source_file)} from checked "
            "where reason is not null order by source_row"
        ).pl()
        con.execute("drop table checked")
    return ParsedLog(requests.cast(INFERENCE_REQUESTS_SCHEMA), quarantine.cast(QUARANTINE_SCHEMA), frame.height)

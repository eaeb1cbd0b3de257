"""Gateway request logs: one JSON object per request with an OpenAI-style ``usage`` object.

Only the fields below are parsed; anything else in a record (messages, prompts, completions) is never read into
memory as a column, so prompt and completion text cannot reach bronze. Records that fail validation go to
quarantine with their reason; rows in = rows loaded + rows quarantined.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl

from ingest.schemas import INFERENCE_REQUESTS_SCHEMA, QUARANTINE_SCHEMA, UNATTRIBUTED_TEAM

FORMAT = "gateway_jsonl"
DAY_PATTERN = re.compile(r"(\d{4})/(\d{2})/(\d{2})/[^/]+\.jsonl(\.gz)?$")

_RECORD_SCHEMA = {
    "id": pl.String(),
    "model": pl.String(),
    "usage": pl.Struct(
        {
            "prompt_tokens": pl.Int64(),
            "completion_tokens": pl.Int64(),
            "prompt_tokens_details": pl.Struct({"cached_tokens": pl.Int64()}),
        }
    ),
    "gateway": pl.Struct(
        {
            "deployment": pl.String(),
            "team": pl.String(),
            "api_key_hash": pl.String(),
            "region": pl.String(),
            "instance_id": pl.String(),
            "started_at": pl.String(),
            "finished_at": pl.String(),
            "latency_ms": pl.Float64(),
            "ttft_ms": pl.Float64(),
            "status": pl.String(),
        }
    ),
}
MAX_TOKENS_PER_REQUEST = 10_000_000  # above this a count is a logging bug, not a request


@dataclass(frozen=True)
class ParsedLog:
    requests: pl.DataFrame
    quarantine: pl.DataFrame
    rows_in: int


def day_of_key(key: str) -> date | None:
    match = DAY_PATTERN.search(key)
    return date(int(match[1]), int(match[2]), int(match[3])) if match else None


def _utc(expr: pl.Expr) -> pl.Expr:
    return expr.str.to_datetime(time_zone="UTC", strict=False).dt.replace_time_zone(None)


def parse_gateway_log(path: Path, source_file: str) -> ParsedLog:
    raw = pl.read_ndjson(path, schema=_RECORD_SCHEMA).with_row_index("source_row", offset=1)
    usage, gw = pl.col("usage"), pl.col("gateway")
    frame = raw.select(
        "source_row",
        pl.col("id").alias("request_id"),
        _utc(gw.struct.field("started_at")).alias("started_at"),
        _utc(gw.struct.field("finished_at")).alias("finished_at"),
        "model",
        gw.struct.field("deployment").alias("deployment"),
        gw.struct.field("team").fill_null(UNATTRIBUTED_TEAM).alias("team"),
        gw.struct.field("api_key_hash").alias("api_key_hash"),
        gw.struct.field("region").alias("region"),
        gw.struct.field("instance_id").alias("instance_id"),
        usage.struct.field("prompt_tokens").alias("input_tokens"),
        usage.struct.field("prompt_tokens_details")
        .struct.field("cached_tokens")
        .fill_null(0)
        .alias("cached_input_tokens"),
        usage.struct.field("completion_tokens").alias("output_tokens"),
        gw.struct.field("status").alias("status"),
        gw.struct.field("ttft_ms").alias("ttft_ms"),
        gw.struct.field("latency_ms").alias("latency_ms"),
        pl.lit(FORMAT).alias("source_format"),
        pl.lit(source_file).alias("source_file"),
    )
    tokens = ("input_tokens", "cached_input_tokens", "output_tokens")
    reason = (
        pl.when(pl.col("request_id").is_null())
        .then(pl.lit("missing request id"))
        .when(pl.col("finished_at").is_null())
        .then(pl.lit("missing or invalid finished_at"))
        .when(pl.col("deployment").is_null() & pl.col("model").is_null())
        .then(pl.lit("no deployment or model"))
        .when(pl.any_horizontal([pl.col(c).is_null() for c in ("input_tokens", "output_tokens")]))
        .then(pl.lit("missing token counts"))
        .when(pl.any_horizontal([pl.col(c) < 0 for c in tokens]))
        .then(pl.lit("negative token count"))
        .when(pl.any_horizontal([pl.col(c) > MAX_TOKENS_PER_REQUEST for c in tokens]))
        .then(pl.lit("absurd token count"))
        .when(pl.col("cached_input_tokens") > pl.col("input_tokens"))
        .then(pl.lit("cached exceeds input tokens"))
    )
    checked = frame.with_columns(reason.alias("reason"))
    good = checked.filter(pl.col("reason").is_null())
    bad = checked.filter(pl.col("reason").is_not_null())
    quarantine = bad.select(
        pl.lit(FORMAT).alias("source_format"),
        pl.lit(source_file).alias("source_file"),
        pl.col("source_row").cast(pl.Int64),
        "reason",
        pl.col("request_id").alias("record_id"),
        pl.lit(datetime.now(UTC).replace(tzinfo=None)).alias("quarantined_at"),
    ).cast(QUARANTINE_SCHEMA)
    requests = good.select([pl.col(c).cast(t) for c, t in INFERENCE_REQUESTS_SCHEMA.items()])
    return ParsedLog(requests, quarantine, raw.height)

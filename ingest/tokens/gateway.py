"""Gateway request logs: one JSON object per request with an OpenAI-style ``usage`` object.

Only the fields below are parsed; anything else in a record (messages, prompts, completions) is never read into
memory as a column, so prompt and completion text cannot reach bronze. Records that fail validation go to
quarantine with their reason; rows in = rows loaded + rows quarantined.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import polars as pl

from ingest.tokens.records import ParsedLog, split_valid, utc

FORMAT = "gateway_jsonl"
DAY_PATTERN = re.compile(r"(\d{4})/(\d{2})/(\d{2})/[^/]+\.(?:jsonl|csv)(?:\.gz)?$")

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


def day_of_key(key: str) -> date | None:
    match = DAY_PATTERN.search(key)
    return date(int(match[1]), int(match[2]), int(match[3])) if match else None


def parse_gateway_log(path: Path, source_file: str) -> ParsedLog:
    raw = pl.read_ndjson(path, schema=_RECORD_SCHEMA).with_row_index("source_row", offset=1)
    usage, gw = pl.col("usage"), pl.col("gateway")
    frame = raw.select(
        "source_row",
        pl.col("id").alias("request_id"),
        utc(gw.struct.field("started_at")).alias("started_at"),
        utc(gw.struct.field("finished_at")).alias("finished_at"),
        "model",
        gw.struct.field("deployment").alias("deployment"),
        gw.struct.field("team").alias("team"),  # as logged; dbt resolves a missing one (mapping seeds)
        gw.struct.field("api_key_hash").alias("api_key_hash"),
        gw.struct.field("region").alias("region"),
        gw.struct.field("instance_id").alias("instance_id"),
        pl.lit(None, dtype=pl.String).alias("endpoint"),
        usage.struct.field("prompt_tokens").alias("input_tokens"),
        usage.struct.field("prompt_tokens_details")
        .struct.field("cached_tokens")
        .fill_null(0)
        .alias("cached_input_tokens"),
        usage.struct.field("completion_tokens").alias("output_tokens"),
        gw.struct.field("status").alias("status"),
        gw.struct.field("ttft_ms").alias("ttft_ms"),
        gw.struct.field("latency_ms").alias("latency_ms"),
    )
    return split_valid(frame, FORMAT, source_file)

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

from ingest.tokens.jsonl import extract, read_lines
from ingest.tokens.records import ParsedLog, split_valid, utc

FORMAT = "gateway_jsonl"
DAY_PATTERN = re.compile(r"(\d{4})/(\d{2})/(\d{2})/[^/]+\.(?:jsonl?|csv)(?:\.gz)?$")

# bronze column → (JSON path, DuckDB type). Nothing else in a record is read.
FIELDS: dict[str, tuple[str, str]] = {
    "request_id": ("$.id", "VARCHAR"),
    "model": ("$.model", "VARCHAR"),
    "started_at": ("$.gateway.started_at", "VARCHAR"),
    "finished_at": ("$.gateway.finished_at", "VARCHAR"),
    "deployment": ("$.gateway.deployment", "VARCHAR"),
    "team": ("$.gateway.team", "VARCHAR"),
    "api_key_hash": ("$.gateway.api_key_hash", "VARCHAR"),
    "region": ("$.gateway.region", "VARCHAR"),
    "instance_id": ("$.gateway.instance_id", "VARCHAR"),
    "input_tokens": ("$.usage.prompt_tokens", "BIGINT"),
    "cached_input_tokens": ("$.usage.prompt_tokens_details.cached_tokens", "BIGINT"),
    "output_tokens": ("$.usage.completion_tokens", "BIGINT"),
    "status": ("$.gateway.status", "VARCHAR"),
    "ttft_ms": ("$.gateway.ttft_ms", "DOUBLE"),
    "latency_ms": ("$.gateway.latency_ms", "DOUBLE"),
}


def day_of_key(key: str) -> date | None:
    match = DAY_PATTERN.search(key)
    return date(int(match[1]), int(match[2]), int(match[3])) if match else None


def parse_gateway_log(path: Path, source_file: str, log_day: date | None = None) -> ParsedLog:
    frame = extract(read_lines(path), FIELDS).with_columns(
        utc(pl.col("started_at")).alias("started_at"),
        utc(pl.col("finished_at")).alias("finished_at"),
        pl.col("cached_input_tokens").fill_null(0),
        pl.lit(None, dtype=pl.String).alias("endpoint"),
    )
    return split_valid(frame, FORMAT, source_file, log_day)

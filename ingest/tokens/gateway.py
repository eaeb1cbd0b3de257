"""Gateway request logs: one JSON object per request with an OpenAI-style ``usage`` object.

Accepted as JSON lines (plain or gzip) or parquet with the same nested shape. Only the fields below are read;
anything else in a record (messages, prompts, completions) is never extracted, so prompt and completion text
cannot reach bronze. Records that fail validation go to quarantine with their reason; rows in = rows loaded +
rows quarantined.
"""

from __future__ import annotations

import re
import tempfile
from datetime import date
from pathlib import Path

from ingest.housekeeping import temporary_prefix
from ingest.tokens.jsonl import RecordFormat, load_records, read_back
from ingest.tokens.records import ParsedLog, utc_sql

FORMAT = "gateway_jsonl"
DAY_PATTERN = re.compile(r"(\d{4})/(\d{2})/(\d{2})/[^/]+\.(?:jsonl?|csv|parquet)(?:\.gz)?$")

# raw field → (JSON path, DuckDB type). Nothing else in a record is read.
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

RECORDS = RecordFormat(
    FORMAT,
    FIELDS,
    {
        **{c: c for c in FIELDS},
        "started_at": utc_sql("started_at"),
        "finished_at": utc_sql("finished_at"),
        "cached_input_tokens": "coalesce(cached_input_tokens, 0)",
    },
)


def day_of_key(key: str) -> date | None:
    match = DAY_PATTERN.search(key)
    return date(int(match[1]), int(match[2]), int(match[3])) if match else None


def load_gateway_log(path: Path, source_file: str, log_day: date | None, out: Path):
    return load_records(path, RECORDS, source_file, log_day, out)


def parse_gateway_log(path: Path, source_file: str, log_day: date | None = None) -> ParsedLog:
    """The whole file as frames (small files and tests; ingestion streams with ``load_gateway_log``)."""
    with tempfile.TemporaryDirectory(prefix=temporary_prefix("cpt-gateway")) as tmp:
        load = load_gateway_log(path, source_file, log_day, Path(tmp) / "part")
        return ParsedLog(read_back(load), load.quarantine, load.rows_in)

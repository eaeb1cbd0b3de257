"""LiteLLM spend-log exports (the proxy's ``/spend/logs`` JSON as JSON lines, parquet, or a CSV export of its
spend table).

Read: request_id, startTime, endTime, completionStartTime, model, model_group, api_base, api_key (LiteLLM stores
its hash), team_id, prompt_tokens, completion_tokens, status. ``messages``, ``response`` and ``metadata`` are
never read. model_group is the deployment as LiteLLM names it and team_id the team, both resolved to this
warehouse's names by dbt's mapping seeds; api_base is kept as the endpoint.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import polars as pl

from ingest.housekeeping import temporary_prefix
from ingest.tokens.jsonl import FileLoad, RecordFormat, load_records, load_text_frame, read_back
from ingest.tokens.records import ParsedLog, utc_sql

FORMAT = "litellm_spend_logs"
_TYPES = {
    "request_id": "VARCHAR",
    "startTime": "VARCHAR",
    "endTime": "VARCHAR",
    "completionStartTime": "VARCHAR",
    "model": "VARCHAR",
    "model_group": "VARCHAR",
    "api_base": "VARCHAR",
    "api_key": "VARCHAR",
    "team_id": "VARCHAR",
    "prompt_tokens": "BIGINT",
    "completion_tokens": "BIGINT",
    "status": "VARCHAR",
}


def _millis(later: str, earlier: str) -> str:
    return f"date_diff('microsecond', {utc_sql(earlier)}, {utc_sql(later)}) / 1000.0"


RECORDS = RecordFormat(
    FORMAT,
    {c: (f"$.{c}", t) for c, t in _TYPES.items()},
    {
        "request_id": "request_id",
        "started_at": utc_sql("startTime"),
        "finished_at": utc_sql("endTime"),
        "model": "model",
        "deployment": "model_group",
        "team": "team_id",
        "api_key_hash": "api_key",
        "endpoint": "api_base",
        "input_tokens": "prompt_tokens",
        "cached_input_tokens": "0",
        "output_tokens": "completion_tokens",
        "status": "status",
        "ttft_ms": _millis("completionStartTime", "startTime"),
        "latency_ms": _millis("endTime", "startTime"),
    },
)


def load_litellm_log(path: Path, source_file: str, log_day: date | None, out: Path) -> FileLoad:
    if path.name.lower().endswith((".csv", ".csv.gz")) or source_file.lower().endswith((".csv", ".csv.gz")):
        text = pl.read_csv(path, infer_schema_length=0).with_row_index("source_row", offset=2)  # line 1: header
        return load_text_frame(text, RECORDS, source_file, log_day, out)
    return load_records(path, RECORDS, source_file, log_day, out)


def parse_litellm_log(path: Path, source_file: str, log_day: date | None = None) -> ParsedLog:
    """The whole file as frames (small files and tests; ingestion streams with ``load_litellm_log``)."""
    with tempfile.TemporaryDirectory(prefix=temporary_prefix("cpt-litellm")) as tmp:
        load = load_litellm_log(path, source_file, log_day, Path(tmp) / "part")
        return ParsedLog(read_back(load), load.quarantine, load.rows_in)

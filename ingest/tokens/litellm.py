"""LiteLLM spend-log exports (the proxy's ``/spend/logs`` JSON, or a CSV export of its spend table).

Read: request_id, startTime, endTime, completionStartTime, model, model_group, api_base, api_key (LiteLLM stores
its hash), team_id, prompt_tokens, completion_tokens, status. ``messages``, ``response`` and ``metadata`` are
never read. model_group is the deployment as LiteLLM names it and team_id the team, both resolved to this
warehouse's names by dbt's mapping seeds; api_base is kept as the endpoint.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from ingest.tokens.jsonl import extract, read_lines
from ingest.tokens.records import ParsedLog, split_valid, utc

FORMAT = "litellm_spend_logs"
_FIELDS = {
    "request_id": pl.String(),
    "startTime": pl.String(),
    "endTime": pl.String(),
    "completionStartTime": pl.String(),
    "model": pl.String(),
    "model_group": pl.String(),
    "api_base": pl.String(),
    "api_key": pl.String(),
    "team_id": pl.String(),
    "prompt_tokens": pl.Int64(),
    "completion_tokens": pl.Int64(),
    "status": pl.String(),
}


_DUCK = {pl.String(): "VARCHAR", pl.Int64(): "BIGINT"}


def _read(path: Path) -> pl.DataFrame:
    name = path.name.lower()
    if name.endswith((".csv", ".csv.gz")):
        text = pl.read_csv(path, infer_schema_length=0)
        present = [c for c in _FIELDS if c in text.columns]
        return text.select(
            [pl.col(c).cast(_FIELDS[c], strict=False) for c in present]
            + [pl.lit(None, dtype=t).alias(c) for c, t in _FIELDS.items() if c not in present]
        )
    return extract(read_lines(path), {c: (f"$.{c}", _DUCK[t]) for c, t in _FIELDS.items()})


def _millis(later: str, earlier: str) -> pl.Expr:
    return (utc(pl.col(later)) - utc(pl.col(earlier))).dt.total_microseconds() / 1000.0


def parse_litellm_log(path: Path, source_file: str, log_day: date | None = None) -> ParsedLog:
    raw = _read(path)
    if "source_row" not in raw.columns:
        raw = raw.with_row_index("source_row", offset=1)
    if "defect" not in raw.columns:
        raw = raw.with_columns(pl.lit(None, dtype=pl.String).alias("defect"))
    frame = raw.select(
        "source_row",
        "defect",
        "request_id",
        utc(pl.col("startTime")).alias("started_at"),
        utc(pl.col("endTime")).alias("finished_at"),
        "model",
        pl.col("model_group").alias("deployment"),
        pl.col("team_id").alias("team"),
        pl.col("api_key").alias("api_key_hash"),
        pl.lit(None, dtype=pl.String).alias("region"),
        pl.lit(None, dtype=pl.String).alias("instance_id"),
        pl.col("api_base").alias("endpoint"),
        pl.col("prompt_tokens").alias("input_tokens"),
        pl.lit(0, dtype=pl.Int64).alias("cached_input_tokens"),
        pl.col("completion_tokens").alias("output_tokens"),
        "status",
        _millis("completionStartTime", "startTime").alias("ttft_ms"),
        _millis("endTime", "startTime").alias("latency_ms"),
    )
    return split_valid(frame, FORMAT, source_file, log_day)

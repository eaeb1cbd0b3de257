"""Bronze schemas for token data and quarantine: one schema per kind, independent of the source format."""

from __future__ import annotations

import polars as pl

_TS = pl.Datetime("us")  # naive UTC

INFERENCE_REQUESTS_SCHEMA: dict[str, pl.DataType] = {
    "request_id": pl.String(),
    "started_at": _TS,
    "finished_at": _TS,
    "model": pl.String(),
    "deployment": pl.String(),
    "team": pl.String(),
    "api_key_hash": pl.String(),
    "region": pl.String(),
    "instance_id": pl.String(),
    "endpoint": pl.String(),  # the server address the gateway called (LiteLLM api_base), when logged
    "input_tokens": pl.Int64(),
    "cached_input_tokens": pl.Int64(),
    "output_tokens": pl.Int64(),
    "status": pl.String(),
    "ttft_ms": pl.Float64(),
    "latency_ms": pl.Float64(),
    "source_format": pl.String(),
    "source_file": pl.String(),
}

QUARANTINE_SCHEMA: dict[str, pl.DataType] = {
    "source_format": pl.String(),
    "source_file": pl.String(),
    "source_row": pl.Int64(),
    "reason": pl.String(),
    "record_id": pl.String(),
    "quarantined_at": _TS,
}

UNATTRIBUTED_TEAM = "unattributed"


def empty_frame(schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)

"""OpenTelemetry GenAI spans from the OTLP JSON file exporter (one ExportTraceServiceRequest per line).

Read per span: gen_ai.request.model (or gen_ai.response.model), gen_ai.usage.input_tokens / output_tokens,
gen_ai.response.id (else the span id), start / end times, server.address (the endpoint), and this project's
``cpt.team`` / ``cpt.deployment`` from the span or its resource; cloud.region and k8s.pod.name / host.name from
the resource. Events and any other attribute (prompt or completion content included) are never read.
Flattening is columnar (polars explode), not a loop over spans; a file is read in chunks of lines, and a
malformed line is one quarantine row with its line number.
"""

from __future__ import annotations

import io
import tempfile
from datetime import date
from pathlib import Path

import polars as pl

from ingest.housekeeping import temporary_prefix
from ingest.tokens.jsonl import FileLoad, read_back
from ingest.tokens.lines import chunks, read_lines
from ingest.tokens.records import ParsedLog, split_valid

FORMAT = "otel_genai_spans"
NOT_A_REQUEST = "not an OTLP ExportTraceServiceRequest (a value of the wrong type?)"
_VALUE = pl.Struct(
    {"stringValue": pl.String(), "intValue": pl.String(), "doubleValue": pl.Float64(), "boolValue": pl.Boolean()}
)
_ATTRIBUTES = pl.List(pl.Struct({"key": pl.String(), "value": _VALUE}))
_SPAN = pl.Struct(
    {
        "traceId": pl.String(),
        "spanId": pl.String(),
        "name": pl.String(),
        "startTimeUnixNano": pl.String(),
        "endTimeUnixNano": pl.String(),
        "attributes": _ATTRIBUTES,
        "status": pl.Struct({"code": pl.Int64()}),
    }
)
SCHEMA = {
    "resourceSpans": pl.List(
        pl.Struct(
            {
                "resource": pl.Struct({"attributes": _ATTRIBUTES}),
                "scopeSpans": pl.List(pl.Struct({"spans": pl.List(_SPAN)})),
            }
        )
    )
}


def _attribute(column: str, key: str) -> pl.Expr:
    """The value of attribute ``key`` in a key/value list column, as text (int and double values included)."""
    value = (
        pl.col(column)
        .list.eval(pl.element().filter(pl.element().struct.field("key") == key).struct.field("value"))
        .list.first()
    )
    return pl.coalesce(
        value.struct.field("stringValue"),
        value.struct.field("intValue"),
        value.struct.field("doubleValue").cast(pl.String),
    )


def _nanos(column: str) -> pl.Expr:
    return pl.from_epoch(pl.col(column).cast(pl.Int64, strict=False) // 1000, time_unit="us")


def _requests_of_lines(good: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """ExportTraceServiceRequests of the good lines (with their source_row), and the lines that are JSON
    objects but not such a request (a value of the wrong type, say) with their defect."""
    text = ("\n".join(good["line"].to_list()) + "\n").encode()
    try:
        parsed = pl.read_ndjson(io.BytesIO(text), schema=SCHEMA)
        return parsed.with_columns(good["source_row"]), good.clear().select("source_row", "defect")
    except (pl.exceptions.PolarsError, ValueError):
        pass  # some line does not fit the schema: find which, one line at a time (only for such a chunk)
    frames, bad_rows = [], []
    for row, line in zip(good["source_row"].to_list(), good["line"].to_list(), strict=True):
        try:
            frames.append(pl.read_ndjson(io.BytesIO(line.encode()), schema=SCHEMA).with_columns(source_row=row))
        except (pl.exceptions.PolarsError, ValueError):
            bad_rows.append(row)
    parsed = pl.concat(frames) if frames else pl.DataFrame(schema={**SCHEMA, "source_row": pl.Int64})
    bad = pl.DataFrame(
        {"source_row": bad_rows, "defect": [NOT_A_REQUEST] * len(bad_rows)},
        schema={"source_row": pl.Int64, "defect": pl.String},
    )
    return parsed, bad


def _spans(requests: pl.DataFrame) -> pl.DataFrame:
    """One row per GenAI span, with the line (source_row) it came from."""
    spans = (
        requests.explode("resourceSpans")
        .select(
            "source_row",
            pl.col("resourceSpans").struct.field("resource").struct.field("attributes").alias("resource_attributes"),
            pl.col("resourceSpans").struct.field("scopeSpans").alias("scope_spans"),
        )
        .explode("scope_spans")
        .select("source_row", "resource_attributes", pl.col("scope_spans").struct.field("spans").alias("span"))
        .explode("span")
        .drop_nulls("span")
        .unnest("span")
    )
    # Only GenAI spans carry token usage; other spans of the same trace are not records.
    spans = spans.filter(
        pl.col("attributes").list.eval(pl.element().struct.field("key").str.starts_with("gen_ai.")).list.any()
    )
    return spans.select(
        pl.col("source_row").cast(pl.Int64),
        pl.coalesce(_attribute("attributes", "gen_ai.response.id"), pl.col("spanId")).alias("request_id"),
        _nanos("startTimeUnixNano").alias("started_at"),
        _nanos("endTimeUnixNano").alias("finished_at"),
        pl.coalesce(
            _attribute("attributes", "gen_ai.request.model"), _attribute("attributes", "gen_ai.response.model")
        ).alias("model"),
        pl.coalesce(
            _attribute("attributes", "cpt.deployment"), _attribute("resource_attributes", "cpt.deployment")
        ).alias("deployment"),
        pl.coalesce(_attribute("attributes", "cpt.team"), _attribute("resource_attributes", "cpt.team")).alias("team"),
        pl.lit(None, dtype=pl.String).alias("api_key_hash"),
        _attribute("resource_attributes", "cloud.region").alias("region"),
        pl.coalesce(
            _attribute("resource_attributes", "k8s.pod.name"), _attribute("resource_attributes", "host.name")
        ).alias("instance_id"),
        _attribute("attributes", "server.address").alias("endpoint"),
        _attribute("attributes", "gen_ai.usage.input_tokens").cast(pl.Int64, strict=False).alias("input_tokens"),
        pl.lit(0, dtype=pl.Int64).alias("cached_input_tokens"),
        _attribute("attributes", "gen_ai.usage.output_tokens").cast(pl.Int64, strict=False).alias("output_tokens"),
        pl.when(pl.col("status").struct.field("code") == 2)
        .then(pl.lit("error"))
        .otherwise(pl.lit("success"))
        .alias("status"),
        pl.lit(None, dtype=pl.Float64).alias("ttft_ms"),
        ((_nanos("endTimeUnixNano") - _nanos("startTimeUnixNano")).dt.total_microseconds() / 1000.0).alias(
            "latency_ms"
        ),
    )


def load_otel_spans(path: Path, source_file: str, log_day: date | None, out: Path) -> FileLoad:
    """Load one OTLP JSON file chunk by chunk: a malformed line is one quarantine row (its line number), the
    GenAI spans of the other lines load or are quarantined one by one."""
    load = FileLoad(way="otlp")
    quarantined = []
    first_row = 1
    for number, chunk in enumerate(chunks(path)):
        lines, line_count = read_lines(chunk, first_row)
        first_row += line_count
        requests, not_requests = _requests_of_lines(lines.filter(pl.col("defect").is_null()))
        bad_lines = pl.concat(
            [lines.filter(pl.col("defect").is_not_null()).select("source_row", "defect"), not_requests]
        )
        spans = _spans(requests)
        frame = pl.concat([spans, bad_lines], how="diagonal_relaxed").sort("source_row")
        parsed = split_valid(frame, FORMAT, source_file, log_day)
        dest = out.with_name(f"{out.name}-{number}.parquet")
        dest.parent.mkdir(parents=True, exist_ok=True)
        parsed.requests.write_parquet(dest, compression="zstd")
        load.parts.append(dest)
        quarantined.append(parsed.quarantine)
        load.rows_in += parsed.rows_in
        load.rows_loaded += parsed.requests.height
    if quarantined:
        load.quarantine = pl.concat(quarantined)
    return load


def parse_otel_spans(path: Path, source_file: str, log_day: date | None = None) -> ParsedLog:
    """The whole file as frames (small files and tests; ingestion streams with ``load_otel_spans``)."""
    with tempfile.TemporaryDirectory(prefix=temporary_prefix("cpt-otel")) as tmp:
        load = load_otel_spans(path, source_file, log_day, Path(tmp) / "part")
        return ParsedLog(read_back(load), load.quarantine, load.rows_in)

"""OpenTelemetry GenAI spans from the OTLP JSON file exporter (one ExportTraceServiceRequest per line).

Read per span: gen_ai.request.model (or gen_ai.response.model), gen_ai.usage.input_tokens / output_tokens,
gen_ai.response.id (else the span id), start / end times, server.address (the endpoint), and this project's
``cpt.team`` / ``cpt.deployment`` from the span or its resource; cloud.region and k8s.pod.name / host.name from
the resource. Events and any other attribute (prompt or completion content included) are never read.
Flattening is columnar (polars explode), not a loop over spans.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from ingest.tokens.records import ParsedLog, split_valid

FORMAT = "otel_genai_spans"
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


def parse_otel_spans(path: Path, source_file: str, log_day: date | None = None) -> ParsedLog:
    requests = pl.read_ndjson(path, schema=SCHEMA)
    spans = (
        requests.explode("resourceSpans")
        .select(
            pl.col("resourceSpans").struct.field("resource").struct.field("attributes").alias("resource_attributes"),
            pl.col("resourceSpans").struct.field("scopeSpans").alias("scope_spans"),
        )
        .explode("scope_spans")
        .select("resource_attributes", pl.col("scope_spans").struct.field("spans").alias("span"))
        .explode("span")
        .drop_nulls("span")
        .unnest("span")
        .with_row_index("source_row", offset=1)
    )
    # Only GenAI spans carry token usage; other spans of the same trace are not records.
    spans = spans.filter(
        pl.col("attributes").list.eval(pl.element().struct.field("key").str.starts_with("gen_ai.")).list.any()
    )
    frame = spans.select(
        "source_row",
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
    return split_valid(frame, FORMAT, source_file, log_day)

"""OpenTelemetry GenAI spans (OTLP JSON) into bronze: usage and model read, content attributes never stored."""

from datetime import date

import polars as pl

from ingest.landing.sources import LocalFolderSource
from ingest.landing.zone import LandingZone
from tests.ingest.tokens.support import (
    CANARY,
    assert_no_canary,
    otel_attribute,
    otel_span,
    write_log,
)


def test_otel_genai_spans_load_and_their_content_never_reaches_disk(tmp_path):
    from ingest.tokens.ingest import ingest_requests_day
    from ingest.tokens.otel import FORMAT

    genai = [
        otel_attribute("gen_ai.operation.name", "chat"),
        otel_attribute("gen_ai.request.model", "llama-3.1-8b-instruct"),
        otel_attribute("gen_ai.response.id", "chatcmpl-otel-1"),
        otel_attribute("gen_ai.usage.input_tokens", 321),
        otel_attribute("gen_ai.usage.output_tokens", 45),
        otel_attribute("server.address", "vllm-8b.eks"),
        otel_attribute("cpt.team", "support-bot"),
        otel_attribute("gen_ai.prompt", CANARY),
    ]
    request = {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [
                        otel_attribute("cpt.deployment", "chat-llama8b-use1"),
                        otel_attribute("cloud.region", "us-east-1"),
                        otel_attribute("k8s.pod.name", "vllm-8b-0"),
                    ]
                },
                "scopeSpans": [
                    {
                        "spans": [
                            otel_span(
                                "a1",
                                genai,
                                events=[
                                    {
                                        "name": "gen_ai.content.completion",
                                        "attributes": [otel_attribute("gen_ai.completion", CANARY)],
                                    }
                                ],
                            ),
                            otel_span("a2", [otel_attribute("http.method", "POST")]),  # not a GenAI span: not a record
                            otel_span(
                                "a3",
                                [
                                    otel_attribute("gen_ai.request.model", "m"),
                                    otel_attribute("gen_ai.usage.input_tokens", -1),
                                    otel_attribute("gen_ai.usage.output_tokens", 3),
                                ],
                            ),
                        ]
                    }
                ],
            }
        ]
    }
    write_log(tmp_path / "src" / "2026" / "10" / "03" / "traces.jsonl", [request])
    load = ingest_requests_day(
        LocalFolderSource(tmp_path / "src"),
        "",
        LandingZone(tmp_path / "landing"),
        tmp_path / "bronze",
        date(2026, 10, 3),
        FORMAT,
    )
    assert (load.rows_in, load.rows_loaded, load.rows_quarantined) == (2, 1, 1)
    row = pl.read_parquet(tmp_path / "bronze" / "inference_requests" / "**" / "*.parquet").row(0, named=True)
    assert (row["request_id"], row["deployment"], row["team"], row["region"], row["instance_id"]) == (
        "chatcmpl-otel-1",
        "chat-llama8b-use1",
        "support-bot",
        "us-east-1",
        "vllm-8b-0",
    )
    assert (row["input_tokens"], row["output_tokens"], row["latency_ms"]) == (321, 45, 2500.0)
    assert_no_canary(tmp_path)

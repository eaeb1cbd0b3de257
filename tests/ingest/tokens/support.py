"""What the token log tests share: a gateway record (with prompt text that must never be stored) and a log writer."""

import json

import polars as pl

CANARY = "CANARY-prompt-text-7f3a"


def gateway_record(i: int, **override) -> dict:
    record = {
        "id": f"req-{i}",
        "object": "chat.completion",
        "model": "llama-3.1-8b-instruct",
        "messages": [{"role": "user", "content": CANARY}],
        "choices": [{"message": {"role": "assistant", "content": CANARY}}],
        "usage": {
            "prompt_tokens": 100,
            "completion_tokens": 20,
            "total_tokens": 120,
            "prompt_tokens_details": {"cached_tokens": 40},
        },
        "gateway": {
            "deployment": "d1",
            "team": "search",
            "api_key_hash": "abc",
            "region": "us-east-1",
            "instance_id": None,
            "started_at": "2026-10-03T10:00:00Z",
            "finished_at": "2026-10-03T10:00:02.5Z",
            "latency_ms": 2500.0,
            "ttft_ms": 80.0,
            "status": "success",
        },
    }
    for key, value in override.items():
        if key == "cached_tokens":
            record["usage"]["prompt_tokens_details"]["cached_tokens"] = value
        elif key in record["usage"]:
            record["usage"][key] = value
        elif key in record["gateway"]:
            record["gateway"][key] = value
        else:
            record[key] = value
    return record


def write_log(path, records):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def litellm_record(i: int, **override) -> dict:
    record = {
        "request_id": f"ll-{i}",
        "call_type": "acompletion",
        "api_key": "88dc28d0f030c55ed4ab77ed8faf098196cb1c05",
        "spend": 0.0012,
        "total_tokens": 150,
        "prompt_tokens": 120,
        "completion_tokens": 30,
        "startTime": "2026-10-03T10:00:00.000000+00:00",
        "endTime": "2026-10-03T10:00:01.500000+00:00",
        "completionStartTime": "2026-10-03T10:00:00.250000+00:00",
        "model": "llama-3.1-70b-instruct",
        "model_group": "llama-70b-chat",
        "api_base": "http://vllm-70b:8000/v1",
        "user": "u1",
        "team_id": "6f1c2a9e-3b7d-4f4e-9a51-2d8c0e7b1a01",
        "status": "success",
        "request_tags": ["prod"],
        "metadata": {"user_api_key_alias": "search-prod", "headers": {"x-note": CANARY}},
        "messages": [{"role": "user", "content": CANARY}],
        "response": {"choices": [{"message": {"content": CANARY}}]},
    }
    record.update(override)
    return record


def assert_no_canary(root):
    """Not in any landed file, nor in any string column of bronze (parquet is compressed: read it)."""
    for path in (root / "landing").rglob("*"):
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path
    for path in (root / "bronze").rglob("*.parquet"):
        frame = pl.read_parquet(path)
        for column in frame.columns:
            if frame[column].dtype == pl.String:
                assert not frame[column].str.contains(CANARY).any(), (path, column)


def otel_attribute(key, value):
    kind = "intValue" if isinstance(value, int) else "stringValue"
    return {"key": key, "value": {kind: str(value) if kind == "intValue" else value}}


def otel_span(span_id, attributes, start=1791021600_000_000_000, seconds=2.5, events=()):
    return {
        "traceId": "0af7651916cd43dd8448eb211c80319c",
        "spanId": span_id,
        "name": "chat",
        "kind": 3,
        "startTimeUnixNano": str(start),
        "endTimeUnixNano": str(start + int(seconds * 1e9)),
        "attributes": attributes,
        "events": list(events),
        "status": {"code": 1},
    }

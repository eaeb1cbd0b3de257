import json
from datetime import date
from pathlib import Path

import polars as pl

from ingest.landing.sources import LocalFolderSource
from ingest.landing.zone import LandingZone
from ingest.sample.fleet import DEPLOYMENTS
from ingest.tokens.gateway import parse_gateway_log
from ingest.tokens.ingest import ingest_gateway_day

CANARY = "CANARY-prompt-text-7f3a"


def _record(i: int, **override) -> dict:
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


def _write_log(path, records):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def test_good_records_load_and_bad_ones_are_quarantined_with_reasons(tmp_path):
    records = [
        _record(1),
        _record(2, team=None),
        _record(3, id=None),
        _record(4, completion_tokens=-5),
        _record(5, finished_at="not a time"),
        _record(6, prompt_tokens=50_000_000),
        _record(7, cached_tokens=500),
    ]
    path = tmp_path / "log.jsonl"
    _write_log(path, records)
    parsed = parse_gateway_log(path, "logs/log.jsonl")

    assert parsed.rows_in == 7 == parsed.requests.height + parsed.quarantine.height
    assert parsed.requests["request_id"].to_list() == ["req-1", "req-2"]
    assert parsed.requests["team"].to_list() == ["search", None]  # as logged; dbt resolves it (mapping seeds)
    assert parsed.requests["cached_input_tokens"].to_list() == [40, 40]
    assert parsed.requests["finished_at"][0].isoformat() == "2026-10-03T10:00:02.500000"
    reasons = dict(zip(parsed.quarantine["source_row"].to_list(), parsed.quarantine["reason"].to_list(), strict=True))
    assert reasons == {
        3: "missing request id",
        4: "negative token count",
        5: "missing or invalid finished_at",
        6: "absurd token count",
        7: "cached exceeds input tokens",
    }


def test_prompt_and_completion_text_never_reach_disk(tmp_path):
    source_dir = tmp_path / "src"
    _write_log(
        source_dir / "gw" / "2026" / "10" / "03" / "gateway-20261003.jsonl",
        [_record(i) for i in range(20)] + [_record(99, id=None)],
    )
    load = ingest_gateway_day(
        LocalFolderSource(source_dir),
        "gw",
        LandingZone(tmp_path / "landing"),
        tmp_path / "bronze",
        date(2026, 10, 3),
    )
    assert (load.rows_in, load.rows_loaded, load.rows_quarantined) == (21, 20, 1)
    _assert_no_canary(tmp_path)
    manifest = (tmp_path / "landing" / "tokens" / "gateway_jsonl" / "_manifest.jsonl").read_text()
    assert "gateway-20261003.jsonl" in manifest and "not copied" in manifest


def test_sample_logs_parse_to_the_generated_token_counts(sample_month, tmp_path):
    root, truth = sample_month
    totals = {"requests": 0, "output_tokens": 0}
    for day in range(1, 32):
        load = ingest_gateway_day(
            LocalFolderSource(root),
            "tokens/gateway",
            LandingZone(tmp_path / "l"),
            tmp_path / "b",
            date(2026, 10, day),
        )
        assert load.rows_quarantined == 0
        totals["requests"] += load.rows_loaded
        totals["output_tokens"] += load.output_tokens
    logged = [t for name, t in truth["tokens"].items() if name in {d.name for d in DEPLOYMENTS if d.request_logs}]
    assert totals["requests"] == sum(t["requests"] for t in logged)
    assert totals["output_tokens"] == sum(t["output_tokens"] for t in logged)


def test_the_real_vllm_scrape_gives_its_known_token_counts(tmp_path):
    from ingest.tokens.ingest import ingest_counter_day

    sample = Path(__file__).parents[1] / "fixtures" / "vllm_metrics" / "vllm_metrics_excerpt.prom"
    target = tmp_path / "src" / "2026" / "10" / "03" / "qwen-coder" / "pod-0" / "scrape-1790985600.prom"
    target.parent.mkdir(parents=True)
    target.write_bytes(sample.read_bytes())
    (target.parent / "scrape-1790985900.prom").write_text("this is { not prometheus\n")
    load = ingest_counter_day(
        LocalFolderSource(tmp_path / "src"), "", LandingZone(tmp_path / "l"), tmp_path / "b", date(2026, 10, 3)
    )
    assert (load.files, load.files_quarantined) == (2, 1)
    samples = pl.read_parquet(tmp_path / "b" / "inference_token_counter_samples" / "**" / "*.parquet")
    values = dict(zip(samples["counter"], samples["value"], strict=True))
    assert values == {"input_tokens": 148.0, "output_tokens": 955.0, "requests": 4.0}  # 148 + 955 = 1103
    assert samples["model"].unique().to_list() == ["Qwen/Qwen2.5-Coder-1.5B-Instruct"]
    quarantine = pl.read_parquet(tmp_path / "b" / "token_quarantine" / "**" / "*.parquet")
    assert quarantine["reason"].str.starts_with("not Prometheus text").to_list() == [True]


def _litellm_record(i: int, **override) -> dict:
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


def test_litellm_spend_logs_load_in_jsonl_and_csv_and_bad_rows_are_quarantined(tmp_path):
    from ingest.tokens.litellm import parse_litellm_log

    records = [_litellm_record(1), _litellm_record(2, prompt_tokens=-3), _litellm_record(3, request_id=None)]
    jsonl = tmp_path / "spend.jsonl"
    _write_log(jsonl, records)
    parsed = parse_litellm_log(jsonl, "litellm/spend.jsonl")
    assert parsed.rows_in == 3 and parsed.requests.height == 1
    row = parsed.requests.row(0, named=True)
    assert (row["deployment"], row["team"], row["endpoint"]) == (
        "llama-70b-chat",
        "6f1c2a9e-3b7d-4f4e-9a51-2d8c0e7b1a01",
        "http://vllm-70b:8000/v1",
    )
    assert (row["input_tokens"], row["output_tokens"], row["ttft_ms"], row["latency_ms"]) == (120, 30, 250.0, 1500.0)
    assert sorted(parsed.quarantine["reason"].to_list()) == ["missing request id", "negative token count"]

    csv = tmp_path / "spend.csv"
    pl.DataFrame([{k: v for k, v in _litellm_record(7).items() if not isinstance(v, (list, dict))}]).write_csv(csv)
    from_csv = parse_litellm_log(csv, "litellm/spend.csv")
    assert from_csv.requests["output_tokens"].to_list() == [30]


def test_litellm_text_never_reaches_disk(tmp_path):
    from ingest.tokens.ingest import ingest_requests_day
    from ingest.tokens.litellm import FORMAT

    _write_log(tmp_path / "src" / "2026" / "10" / "03" / "spend-0.jsonl", [_litellm_record(i) for i in range(5)])
    load = ingest_requests_day(
        LocalFolderSource(tmp_path / "src"),
        "",
        LandingZone(tmp_path / "landing"),
        tmp_path / "bronze",
        date(2026, 10, 3),
        FORMAT,
    )
    assert load.rows_loaded == 5
    _assert_no_canary(tmp_path)


def _assert_no_canary(root):
    """Not in any landed file, nor in any string column of bronze (parquet is compressed: read it)."""
    for path in (root / "landing").rglob("*"):
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path
    for path in (root / "bronze").rglob("*.parquet"):
        frame = pl.read_parquet(path)
        for column in frame.columns:
            if frame[column].dtype == pl.String:
                assert not frame[column].str.contains(CANARY).any(), (path, column)


def test_malformed_lines_are_quarantined_one_by_one_and_the_rest_loads(tmp_path):
    good = json.dumps(_record(1)).encode()
    lines = [
        good,
        b"\xef\xbb\xbf" + json.dumps(_record(2)).encode(),  # byte order mark
        json.dumps(_record(3)).encode()[:60],  # truncated JSON
        json.dumps(_record(4)).encode().replace(b"search", b"s\xffarch"),  # invalid UTF-8
        json.dumps(_record(5, prompt_tokens="many")).encode(),  # wrong type
        b"[1, 2, 3]",  # not an object
        b"",  # a blank line is not a record
        json.dumps(_record(6)).encode(),
    ]
    path = tmp_path / "log.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    parsed = parse_gateway_log(path, "logs/log.jsonl")
    assert parsed.requests["request_id"].to_list() == ["req-1", "req-6"]
    reasons = dict(zip(parsed.quarantine["source_row"].to_list(), parsed.quarantine["reason"].to_list(), strict=True))
    assert reasons == {
        2: "byte order mark",
        3: "truncated or invalid JSON, or not an object",
        4: "invalid UTF-8",
        5: "input_tokens is not BIGINT",
        6: "truncated or invalid JSON, or not an object",
    }
    assert parsed.rows_in == 7 == parsed.requests.height + parsed.quarantine.height


def test_records_in_the_future_or_far_from_their_log_day_are_quarantined_not_shifted(tmp_path):
    records = [
        _record(1),
        _record(2, finished_at="2099-01-01T00:00:00Z"),
        _record(3, finished_at="2026-09-20T10:00:00Z"),
    ]
    path = tmp_path / "log.jsonl"
    _write_log(path, records)
    parsed = parse_gateway_log(path, "logs/log.jsonl", date(2026, 10, 3))
    assert parsed.requests["request_id"].to_list() == ["req-1"]
    assert sorted(parsed.quarantine["reason"].to_list()) == [
        "finished far outside its log's day",
        "finished in the future",
    ]


def _attr(key, value):
    kind = "intValue" if isinstance(value, int) else "stringValue"
    return {"key": key, "value": {kind: str(value) if kind == "intValue" else value}}


def _span(span_id, attributes, start=1791021600_000_000_000, seconds=2.5, events=()):
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


def test_otel_genai_spans_load_and_their_content_never_reaches_disk(tmp_path):
    from ingest.tokens.ingest import ingest_requests_day
    from ingest.tokens.otel import FORMAT

    genai = [
        _attr("gen_ai.operation.name", "chat"),
        _attr("gen_ai.request.model", "llama-3.1-8b-instruct"),
        _attr("gen_ai.response.id", "chatcmpl-otel-1"),
        _attr("gen_ai.usage.input_tokens", 321),
        _attr("gen_ai.usage.output_tokens", 45),
        _attr("server.address", "vllm-8b.eks"),
        _attr("cpt.team", "support-bot"),
        _attr("gen_ai.prompt", CANARY),
    ]
    request = {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [
                        _attr("cpt.deployment", "chat-llama8b-use1"),
                        _attr("cloud.region", "us-east-1"),
                        _attr("k8s.pod.name", "vllm-8b-0"),
                    ]
                },
                "scopeSpans": [
                    {
                        "spans": [
                            _span(
                                "a1",
                                genai,
                                events=[
                                    {
                                        "name": "gen_ai.content.completion",
                                        "attributes": [_attr("gen_ai.completion", CANARY)],
                                    }
                                ],
                            ),
                            _span("a2", [_attr("http.method", "POST")]),  # not a GenAI span: not a record
                            _span(
                                "a3",
                                [
                                    _attr("gen_ai.request.model", "m"),
                                    _attr("gen_ai.usage.input_tokens", -1),
                                    _attr("gen_ai.usage.output_tokens", 3),
                                ],
                            ),
                        ]
                    }
                ],
            }
        ]
    }
    _write_log(tmp_path / "src" / "2026" / "10" / "03" / "traces.jsonl", [request])
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
    _assert_no_canary(tmp_path)


def test_a_truncated_gzip_log_loads_the_lines_before_the_break_and_quarantines_the_rest(tmp_path):
    """One bad file is one bad file: the day's other files load, the cut-off file's whole lines before the break
    load, the line the break cut and the unreadable rest are quarantined with the file named."""
    import gzip

    day = tmp_path / "logs" / "2026" / "10" / "03"
    whole = [_record(i) for i in range(3000)]
    _write_log(day / "gateway-a.jsonl", whole[:10])
    packed = gzip.compress("".join(json.dumps(r) + "\n" for r in whole[10:]).encode())
    (day / "gateway-b.jsonl.gz").write_bytes(packed[: len(packed) // 2])
    (day / "gateway-c.jsonl.gz").write_bytes(b"\x1f\x8b" + b"not a gzip stream at all")

    load = ingest_gateway_day(
        LocalFolderSource(tmp_path / "logs"),
        "",
        LandingZone(tmp_path / "landing"),
        tmp_path / "bronze",
        date(2026, 10, 3),
    )
    quarantine = pl.read_parquet(tmp_path / "bronze" / "token_quarantine" / "**" / "*.parquet")
    cut = quarantine.filter(pl.col("source_file") == "2026/10/03/gateway-b.jsonl.gz").sort("source_row")
    read_before_break = cut["source_row"][-1] - 1
    assert cut["reason"][-1].startswith(f"compressed stream breaks off after line {read_before_break} (")
    assert "valid ones loaded" in cut["reason"][-1]
    assert cut["reason"][-2] == "truncated or invalid JSON, or not an object"  # the line the break cut
    assert 10 < read_before_break < 2990
    garbage = quarantine.filter(pl.col("source_file") == "2026/10/03/gateway-c.jsonl.gz")
    assert garbage.height == 1 and "could not be read" in garbage["reason"][0]
    assert load.rows_loaded == 10 + read_before_break - 1
    assert load.rows_in == load.rows_loaded + load.rows_quarantined == 10 + read_before_break + 1 + 1


def test_a_counter_that_halves_mid_day_is_counted_as_a_restart_and_reported(tmp_path):
    """The stated rule (Prometheus' counter-reset rule): any drop is a restart; the load names each one."""
    from ingest.tokens.ingest import ingest_counter_day

    sample = (Path(__file__).parents[1] / "fixtures" / "vllm_metrics" / "vllm_metrics_excerpt.prom").read_text()
    folder = tmp_path / "src" / "2026" / "10" / "03" / "qwen-coder" / "pod-0"
    folder.mkdir(parents=True)
    for epoch, factor in ((1790985600, 1.0), (1790985900, 2.0), (1790986200, 1.0)):  # 955 → 1910 → 955 tokens
        text = sample.replace("955.0", f"{955.0 * factor}").replace("148.0", f"{148.0 * factor}")
        (folder / f"scrape-{epoch}.prom").write_text(text)
    load = ingest_counter_day(
        LocalFolderSource(tmp_path / "src"), "", LandingZone(tmp_path / "l"), tmp_path / "b", date(2026, 10, 3)
    )
    assert (load.files, load.files_quarantined) == (3, 0)
    assert sorted(r.split(": ")[0].split(" ")[2] for r in load.resets) == ["input_tokens", "output_tokens"]
    assert any(r.endswith("1,910 → 955") for r in load.resets)

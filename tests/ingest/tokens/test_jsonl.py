"""The three ways through a JSON-lines file agree, and the other containers (gzip, parquet, OTLP) hold up."""

import gzip
import json
from datetime import date

import polars as pl
import pytest

from ingest.tokens import jsonl
from ingest.tokens import lines as line_reading
from ingest.tokens.gateway import RECORDS, load_gateway_log, parse_gateway_log
from ingest.tokens.otel import parse_otel_spans
from tests.ingest.tokens.support import gateway_record, otel_attribute, otel_span

DIRTY_LINES = [
    json.dumps(gateway_record(1)).encode(),
    json.dumps(gateway_record(2)).encode()[:70],  # truncated
    json.dumps(gateway_record(3, prompt_tokens="many")).encode(),  # wrong type
    json.dumps(gateway_record(4, completion_tokens=-1)).encode(),  # invalid record
    json.dumps(gateway_record(5)).encode().replace(b"search", b"s\xffarch"),  # invalid UTF-8
    b'"just a string"',
    json.dumps({"unrelated": True}).encode(),  # an object with none of the fields
    json.dumps(gateway_record(8, cached_tokens=None)).encode(),
]


def _comparable(parsed):
    return (
        parsed.requests.sort("request_id"),
        parsed.quarantine.drop("quarantined_at").sort("source_row"),
        parsed.rows_in,
    )


def _parse_only(monkeypatch, path, ways):
    monkeypatch.setattr(jsonl, "WAYS", ways)
    return parse_gateway_log(path, "logs/log.jsonl")


@pytest.mark.parametrize("lines", [[json.dumps(gateway_record(i)).encode() for i in range(50)], DIRTY_LINES])
def test_every_way_through_a_file_gives_the_same_rows_and_quarantine(tmp_path, monkeypatch, lines):
    path = tmp_path / "log.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    default = _comparable(_parse_only(monkeypatch, path, ("fast", "tolerant", "line by line")))
    monkeypatch.setattr(line_reading, "CHUNK_BYTES", 700)  # many chunks: line numbers must carry across them
    one_by_one = _comparable(_parse_only(monkeypatch, path, ("line by line",)))
    assert default[0].equals(one_by_one[0])
    assert default[1].equals(one_by_one[1])
    assert default[2] == one_by_one[2] == len(lines)


def test_a_clean_file_takes_the_fast_way_and_a_dirty_one_names_each_bad_line(tmp_path):
    clean = tmp_path / "clean.jsonl.gz"
    clean.write_bytes(gzip.compress(b"".join(json.dumps(gateway_record(i)).encode() + b"\n" for i in range(30))))
    load = load_gateway_log(clean, "clean.jsonl.gz", None, tmp_path / "out" / "clean")
    assert (load.way, load.rows_in, load.rows_loaded) == ("fast", 30, 30)

    dirty = tmp_path / "dirty.jsonl"
    dirty.write_bytes(b"\n".join(DIRTY_LINES) + b"\n")
    load = load_gateway_log(dirty, "dirty.jsonl", None, tmp_path / "out" / "dirty")
    assert load.way == "tolerant"
    reasons = dict(zip(load.quarantine["source_row"].to_list(), load.quarantine["reason"].to_list(), strict=True))
    assert reasons == {
        2: "truncated or invalid JSON, or not an object",
        3: "input_tokens is not BIGINT",
        4: "negative token count",
        5: "invalid UTF-8",
        6: "truncated or invalid JSON, or not an object",
        7: "missing request id",
    }
    assert load.rows_in == 8 == load.rows_loaded + load.quarantine.height


def test_blank_lines_keep_line_numbers_true(tmp_path):
    path = tmp_path / "log.jsonl"
    path.write_bytes(b"\n\n".join(DIRTY_LINES[:3]) + b"\n")
    load = load_gateway_log(path, "log.jsonl", None, tmp_path / "out" / "p")
    assert load.way == "line by line"  # rows no longer match lines one to one: each line is read on its own
    assert dict(zip(load.quarantine["source_row"].to_list(), load.quarantine["reason"].to_list(), strict=True)) == {
        3: "truncated or invalid JSON, or not an object",
        5: "input_tokens is not BIGINT",
    }


def test_parquet_request_logs_with_the_record_shape_load_like_json(tmp_path):
    records = [gateway_record(1), gateway_record(2, completion_tokens=-4), gateway_record(3)]
    for r in records:
        del r["messages"], r["choices"]
    path = tmp_path / "log.parquet"
    pl.DataFrame(records).write_parquet(path)
    parsed = parse_gateway_log(path, "logs/log.parquet")
    assert parsed.requests["request_id"].to_list() == ["req-1", "req-3"]
    assert parsed.requests["cached_input_tokens"].to_list() == [40, 40]
    assert parsed.quarantine.select("source_row", "reason").rows() == [(2, "negative token count")]
    assert parsed.rows_in == 3


def test_a_malformed_otlp_line_is_one_quarantine_row_and_the_other_lines_load(tmp_path):
    def request(span_id, tokens):
        attributes = [
            otel_attribute("gen_ai.request.model", "m"),
            otel_attribute("gen_ai.usage.input_tokens", tokens),
            otel_attribute("gen_ai.usage.output_tokens", 5),
        ]
        return {
            "resourceSpans": [
                {"resource": {"attributes": []}, "scopeSpans": [{"spans": [otel_span(span_id, attributes)]}]}
            ]
        }

    lines = [
        json.dumps(request("s1", 10)),
        '{"resourceSpans": [{"resource"',  # truncated
        json.dumps({"resourceSpans": "not a list"}),
        json.dumps(request("s4", 12)),
    ]
    path = tmp_path / "traces.jsonl"
    path.write_text("\n".join(lines) + "\n")
    parsed = parse_otel_spans(path, "traces.jsonl")
    assert parsed.requests["request_id"].to_list() == ["s1", "s4"]
    assert parsed.quarantine["source_row"].to_list() == [2, 3]
    assert parsed.rows_in == 4


def test_the_fast_way_reads_only_declared_fields(tmp_path):
    assert "messages" not in jsonl.columns_spec(RECORDS.fields)
    assert set(json.loads(jsonl._structure(RECORDS.fields))) == {"id", "model", "gateway", "usage"}


def test_a_day_of_many_objects_replaces_its_partition_whole(tmp_path):
    from ingest.landing.sources import LocalFolderSource
    from ingest.landing.zone import LandingZone
    from ingest.tokens.ingest import ingest_gateway_day

    day_dir = tmp_path / "src" / "2026" / "10" / "03"
    day_dir.mkdir(parents=True)
    for hour in range(3):
        (day_dir / f"gw-{hour}.jsonl").write_text(
            "".join(json.dumps(gateway_record(hour * 10 + i)) + "\n" for i in range(4))
        )
    args = (LocalFolderSource(tmp_path / "src"), "", LandingZone(tmp_path / "l"), tmp_path / "b", date(2026, 10, 3))
    assert ingest_gateway_day(*args).rows_loaded == 12
    (day_dir / "gw-2.jsonl").unlink()
    assert ingest_gateway_day(*args).rows_loaded == 8
    partition = tmp_path / "b" / "inference_requests" / "source_format=gateway_jsonl" / "day=2026-10-03"
    assert pl.read_parquet(partition / "*.parquet").height == 8
    assert not list((tmp_path / "b" / ".staging").iterdir())


def test_litellm_spend_logs_in_parquet_load_like_their_json(tmp_path):
    from ingest.tokens.litellm import parse_litellm_log
    from tests.ingest.tokens.support import litellm_record

    flat = [{k: v for k, v in litellm_record(i).items() if not isinstance(v, (list, dict))} for i in range(3)] + [
        {k: v for k, v in litellm_record(9, completion_tokens=-2).items() if not isinstance(v, (list, dict))}
    ]
    path = tmp_path / "spend.parquet"
    pl.DataFrame(flat).write_parquet(path)
    parsed = parse_litellm_log(path, "litellm/spend.parquet")
    assert parsed.requests["request_id"].to_list() == ["ll-0", "ll-1", "ll-2"]
    assert parsed.requests["latency_ms"].to_list() == [1500.0] * 3
    assert parsed.quarantine.select("source_row", "reason").rows() == [(4, "negative token count")]

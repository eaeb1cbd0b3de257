"""OpenAI-style gateway logs into bronze inference_requests: good records load, bad ones are quarantined with their
reason (rows in = loaded + quarantined), and prompt or completion text never reaches disk."""

import json
from datetime import date

import polars as pl

from ingest.landing.sources import LocalFolderSource
from ingest.landing.zone import LandingZone
from ingest.sample.fleet import DEPLOYMENTS
from ingest.tokens.gateway import parse_gateway_log
from ingest.tokens.ingest import ingest_gateway_day
from tests.ingest.tokens.support import (
    assert_no_canary,
    gateway_record,
    write_log,
)


def test_good_records_load_and_bad_ones_are_quarantined_with_reasons(tmp_path):
    records = [
        gateway_record(1),
        gateway_record(2, team=None),
        gateway_record(3, id=None),
        gateway_record(4, completion_tokens=-5),
        gateway_record(5, finished_at="not a time"),
        gateway_record(6, prompt_tokens=50_000_000),
        gateway_record(7, cached_tokens=500),
    ]
    path = tmp_path / "log.jsonl"
    write_log(path, records)
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
    write_log(
        source_dir / "gw" / "2026" / "10" / "03" / "gateway-20261003.jsonl",
        [gateway_record(i) for i in range(20)] + [gateway_record(99, id=None)],
    )
    load = ingest_gateway_day(
        LocalFolderSource(source_dir),
        "gw",
        LandingZone(tmp_path / "landing"),
        tmp_path / "bronze",
        date(2026, 10, 3),
    )
    assert (load.rows_in, load.rows_loaded, load.rows_quarantined) == (21, 20, 1)
    assert_no_canary(tmp_path)
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


def test_malformed_lines_are_quarantined_one_by_one_and_the_rest_loads(tmp_path):
    good = json.dumps(gateway_record(1)).encode()
    lines = [
        good,
        b"\xef\xbb\xbf" + json.dumps(gateway_record(2)).encode(),  # byte order mark
        json.dumps(gateway_record(3)).encode()[:60],  # truncated JSON
        json.dumps(gateway_record(4)).encode().replace(b"search", b"s\xffarch"),  # invalid UTF-8
        json.dumps(gateway_record(5, prompt_tokens="many")).encode(),  # wrong type
        b"[1, 2, 3]",  # not an object
        b"",  # a blank line is not a record
        json.dumps(gateway_record(6)).encode(),
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
        gateway_record(1),
        gateway_record(2, finished_at="2099-01-01T00:00:00Z"),
        gateway_record(3, finished_at="2026-09-20T10:00:00Z"),
    ]
    path = tmp_path / "log.jsonl"
    write_log(path, records)
    parsed = parse_gateway_log(path, "logs/log.jsonl", date(2026, 10, 3))
    assert parsed.requests["request_id"].to_list() == ["req-1"]
    assert sorted(parsed.quarantine["reason"].to_list()) == [
        "finished far outside its log's day",
        "finished in the future",
    ]


def test_a_truncated_gzip_log_loads_the_lines_before_the_break_and_quarantines_the_rest(tmp_path):
    """One bad file is one bad file: the day's other files load, the cut-off file's whole lines before the break
    load, the line the break cut and the unreadable rest are quarantined with the file named."""
    import gzip

    day = tmp_path / "logs" / "2026" / "10" / "03"
    whole = [gateway_record(i) for i in range(3000)]
    write_log(day / "gateway-a.jsonl", whole[:10])
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

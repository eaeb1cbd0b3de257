"""LiteLLM spend logs (JSONL, CSV) into bronze: bad rows quarantined, message text never stored."""

from datetime import date

import polars as pl

from ingest.landing.sources import LocalFolderSource
from ingest.landing.zone import LandingZone
from tests.ingest.tokens.support import (
    assert_no_canary,
    litellm_record,
    write_log,
)


def test_litellm_spend_logs_load_in_jsonl_and_csv_and_bad_rows_are_quarantined(tmp_path):
    from ingest.tokens.litellm import parse_litellm_log

    records = [litellm_record(1), litellm_record(2, prompt_tokens=-3), litellm_record(3, request_id=None)]
    jsonl = tmp_path / "spend.jsonl"
    write_log(jsonl, records)
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
    pl.DataFrame([{k: v for k, v in litellm_record(7).items() if not isinstance(v, (list, dict))}]).write_csv(csv)
    from_csv = parse_litellm_log(csv, "litellm/spend.csv")
    assert from_csv.requests["output_tokens"].to_list() == [30]


def test_litellm_text_never_reaches_disk(tmp_path):
    from ingest.tokens.ingest import ingest_requests_day
    from ingest.tokens.litellm import FORMAT

    write_log(tmp_path / "src" / "2026" / "10" / "03" / "spend-0.jsonl", [litellm_record(i) for i in range(5)])
    load = ingest_requests_day(
        LocalFolderSource(tmp_path / "src"),
        "",
        LandingZone(tmp_path / "landing"),
        tmp_path / "bronze",
        date(2026, 10, 3),
        FORMAT,
    )
    assert load.rows_loaded == 5
    assert_no_canary(tmp_path)

"""The malformed-input corpus: bad deliveries of every kind we read, made by code from a good sample month.

Each case breaks one thing in a copy of the source (a bill re-delivered with impossible amounts, a log file cut
short, a scrape that is not Prometheus text, …) and says what must come of it:

- ``refused``: the delivery is refused with a message that names the file (``expect`` is a regex of it), bronze
  and the landed good version stay as they were;
- ``quarantined``: the bad records go to quarantine with a reason matching ``expect``, every good record still
  loads, and rows in = rows loaded + rows quarantined;
- ``accepted``: a judgement call that loads (``expect`` matches the note the load leaves).

``python -m tests.reliability.corpus OUT`` writes every case's source folder under OUT to look at; the tests in
``test_corpus.py`` run them all.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from ingest.sample.cur2 import write_cur2_delivery
from tests.ingest.tokens.support import litellm_record

DAY = "2026/10/03"
CUR_FILE = "cpt-demo-00001.snappy.parquet"
GCP_FILE = "billing_export-000000.jsonl"


@dataclass(frozen=True)
class Case:
    name: str
    source: str  # aws | gcp | gateway | litellm | otel | prometheus
    outcome: str  # refused | quarantined | accepted
    expect: str  # regex: the refusal, a quarantine reason, or the load's note
    make: Callable[[Path], None]  # breaks the good source folder it is given (the source's own root)


# ---------- AWS CUR 2.0: a restatement of the good month, broken


def _cur_rows(root: Path) -> tuple[pl.DataFrame, object]:
    table = pq.read_table(next(root.rglob("*.parquet")))
    return pl.from_arrow(table), table.schema


def _restate(change: Callable[[pl.DataFrame], pl.DataFrame], export: str = "cpt-demo") -> Callable[[Path], None]:
    def make(root: Path) -> None:
        frame, schema = _cur_rows(root)
        write_cur2_delivery(root, change(frame).to_arrow().cast(schema), "2026-10", export)

    return make


def _row0(column: str, value) -> Callable[[pl.DataFrame], pl.DataFrame]:
    return lambda f: f.with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit(value)).otherwise(pl.col(column)).alias(column)
    )


def _data_file(change: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    """Replace the bytes of the delivery's data file, under a new execution id (a new delivery)."""

    def make(root: Path) -> None:
        path = next(root.rglob("*.parquet"))
        path.write_bytes(change(path.read_bytes()))
        _manifest_edit(lambda doc: doc.update(executionId="redelivered-" + doc["executionId"][:8]))(root)

    return make


def _manifest_edit(change: Callable[[dict], object]) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        path = next(root.rglob("*-Manifest.json"))
        doc = json.loads(path.read_text())
        change(doc)
        doc["executionId"] = doc.get("executionId", "x") + "-edited"
        path.write_text(json.dumps(doc))

    return make


def _manifest_text(text: str) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        next(root.rglob("*-Manifest.json")).write_text(text)

    return make


def _without(column: str) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        path = next(root.rglob("*.parquet"))
        write_cur2_delivery(root, pq.read_table(path).drop([column]), "2026-10")

    return make


def _as_text(column: str) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        frame, _ = _cur_rows(root)
        write_cur2_delivery(root, frame.with_columns(pl.lit("twelve dollars").alias(column)).to_arrow(), "2026-10")

    return make


_FILE = rf"{CUR_FILE.replace('.', '[.]')}"
AWS = [
    Case(
        "cur-nan-amount",
        "aws",
        "refused",
        rf"nan \(not a finite number; first: {_FILE} row 1",
        _restate(_row0("line_item_unblended_cost", float("nan"))),
    ),
    Case(
        "cur-inf-amount",
        "aws",
        "refused",
        rf"= inf \(not a finite number; first: {_FILE}",
        _restate(_row0("line_item_unblended_cost", float("inf"))),
    ),
    Case(
        "cur-minus-inf-amount",
        "aws",
        "refused",
        rf"= -inf \(not a finite number; first: {_FILE}",
        _restate(_row0("line_item_unblended_cost", float("-inf"))),
    ),
    Case(
        "cur-1e300-amount",
        "aws",
        "refused",
        rf"exceed their ceiling \(first: {_FILE} row 1",
        _restate(_row0("line_item_unblended_cost", 1e300)),
    ),
    Case(
        "cur-nan-list-cost",
        "aws",
        "refused",
        rf"ListCost = nan \(not a finite number; first: {_FILE}",
        _restate(_row0("pricing_public_on_demand_cost", float("nan"))),
    ),
    Case(
        "cur-null-currency",
        "aws",
        "refused",
        rf"rows have no currency \(first: {_FILE} row 1\)",
        _restate(_row0("line_item_currency_code", None)),
    ),
    Case(
        "cur-currency-without-rate",
        "aws",
        "refused",
        rf"no exchange rate .*'XTS'.*first: {_FILE} row 1",
        _restate(_row0("line_item_currency_code", "XTS")),
    ),
    Case("cur-truncated-parquet", "aws", "refused", _FILE, _data_file(lambda b: b[: len(b) // 2])),
    Case("cur-zero-byte-parquet", "aws", "refused", _FILE, _data_file(lambda b: b"")),
    Case("cur-not-parquet", "aws", "refused", _FILE, _data_file(lambda b: b"line_item_id,cost\n1,2\n")),
    Case(
        "cur-missing-cost-column",
        "aws",
        "refused",
        rf"{_FILE}.*line_item_unblended_cost",
        _without("line_item_unblended_cost"),
    ),
    Case(
        "cur-cost-as-text",
        "aws",
        "refused",
        "line_item_unblended_cost does not hold Float64",
        _as_text("line_item_unblended_cost"),
    ),
    Case(
        "manifest-file-listed-twice",
        "aws",
        "refused",
        "cpt-demo-Manifest[.]json lists .* more than once",
        _manifest_edit(lambda doc: doc.update(dataFiles=doc["dataFiles"] * 2)),
    ),
    Case(
        "manifest-names-missing-object",
        "aws",
        "refused",
        "cpt-demo-Manifest[.]json names objects that are not",
        _manifest_edit(lambda doc: doc.update(dataFiles=["s3://acme-billing/cur2/cpt-demo/data/gone.parquet"])),
    ),
    Case(
        "manifest-not-json", "aws", "refused", "cpt-demo-Manifest[.]json is not valid JSON", _manifest_text("{not json")
    ),
    Case(
        "manifest-not-an-object",
        "aws",
        "refused",
        "cpt-demo-Manifest[.]json is not a JSON object",
        _manifest_text("[1, 2, 3]"),
    ),
    Case(
        "manifest-without-data-files",
        "aws",
        "refused",
        "cpt-demo-Manifest[.]json has no dataFiles",
        _manifest_edit(lambda doc: doc.pop("dataFiles")),
    ),
    Case(
        "second-export-of-the-same-bill",
        "aws",
        "refused",
        "cpt-demo-copy-Manifest[.]json: billing account .* already loaded from aws_billing_line_items/export=cpt-demo",
        _restate(lambda f: f, export="cpt-demo-copy"),
    ),
]


# ---------- GCP billing export (JSONL), one month


def _gcp_rows(root: Path) -> tuple[Path, list[dict]]:
    path = next(root.rglob("*.jsonl"))
    return path, [json.loads(line) for line in path.read_text().splitlines()]


def _gcp_edit(change: Callable[[dict], object]) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        path, rows = _gcp_rows(root)
        change(rows[5])
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))

    return make


def _gcp_line(change: Callable[[str], str]) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        path = next(root.rglob("*.jsonl"))
        lines = path.read_text().splitlines()
        lines[5] = change(lines[5])
        path.write_text("\n".join(lines) + "\n")

    return make


def _gcp_copy(root: Path) -> None:
    path = next(root.rglob("*.jsonl"))
    shutil.copyfile(path, path.with_name("billing_export-000001.jsonl"))


_GCP = GCP_FILE.replace(".", "[.]")
GCP = [
    Case(
        "gcp-cost-1e999",
        "gcp",
        "refused",
        rf"not a finite number; first: {_GCP} row",
        _gcp_line(lambda line: re.sub(r'"cost":\s*', '"cost": 1e999, "was": ', line, count=1)),
    ),
    Case("gcp-cost-as-text", "gcp", "refused", _GCP, _gcp_edit(lambda r: r.update(cost="twelve"))),
    Case(
        "gcp-missing-usage-start",
        "gcp",
        "refused",
        rf"{_GCP}: 1 rows lack usage_start_time",
        _gcp_edit(lambda r: r.pop("usage_start_time")),
    ),
    Case(
        "gcp-missing-invoice-month",
        "gcp",
        "refused",
        rf"{_GCP}: 1 rows lack invoice[.]month",
        _gcp_edit(lambda r: r.update(invoice=None)),
    ),
    Case(
        "gcp-unknown-cost-type",
        "gcp",
        "refused",
        "cost_type has values with no rule",
        _gcp_edit(lambda r: r.update(cost_type="surprise")),
    ),
    Case(
        "gcp-unknown-credit-type",
        "gcp",
        "refused",
        "MYSTERY_CREDIT",
        _gcp_edit(
            lambda r: r.update(
                credits=[{"name": "x", "amount": -1.0, "full_name": None, "id": "x", "type": "MYSTERY_CREDIT"}]
            )
        ),
    ),
    Case(
        "gcp-currency-without-rate",
        "gcp",
        "refused",
        rf"no exchange rate .*'XTS'.*first: {_GCP} row 6",
        _gcp_edit(lambda r: r.update(currency="XTS")),
    ),
    Case("gcp-truncated-line", "gcp", "refused", _GCP, _gcp_line(lambda line: line[: len(line) // 2])),
    Case("gcp-exact-copy-of-a-file", "gcp", "accepted", "byte-for-byte copy of .*: read once", _gcp_copy),
]


# ---------- per-request token logs: a bad file beside the day's good one


def _gateway_record(i: int) -> dict:
    return {
        "id": f"corpus-{i}",
        "object": "chat.completion",
        "model": "llama-3.1-8b-instruct",
        "usage": {
            "prompt_tokens": 100,
            "completion_tokens": 20,
            "total_tokens": 120,
            "prompt_tokens_details": {"cached_tokens": 0},
        },
        "gateway": {
            "deployment": "chat-llama8b-use1",
            "team": "marketing",
            "api_key_hash": "abc",
            "region": "us-east-1",
            "instance_id": None,
            "started_at": "2026-10-03T10:00:00Z",
            "finished_at": "2026-10-03T10:00:02Z",
            "latency_ms": 2000.0,
            "ttft_ms": 80.0,
            "status": "success",
        },
    }


def _gateway_file(lines: list[bytes], name: str = "corpus.jsonl", packed: Callable[[bytes], bytes] | None = None):
    """A file beside the day's good one: a good record, then ``lines``, then another good record."""

    def make(root: Path) -> None:
        data = (
            b"\n".join([json.dumps(_gateway_record(1)).encode(), *lines, json.dumps(_gateway_record(2)).encode()])
            + b"\n"
        )
        path = root / DAY / name
        path.write_bytes(packed(data) if packed else data)

    return make


def _record_with(**changes) -> bytes:
    record = _gateway_record(99)
    for key, value in changes.items():
        for part in (record, record["usage"], record["gateway"]):
            if key in part:
                part[key] = value
    return json.dumps(record).encode()


def _big_gz_cut(data: bytes) -> bytes:
    return gzip.compress(data)[: len(gzip.compress(data)) * 2 // 3]


def _many(lines: int) -> list[bytes]:
    return [json.dumps(_gateway_record(1000 + i)).encode() for i in range(lines)]


GATEWAY = [
    Case(
        "gateway-truncated-json-line",
        "gateway",
        "quarantined",
        "^truncated or invalid JSON",
        _gateway_file([json.dumps(_gateway_record(3)).encode()[:50]]),
    ),
    Case(
        "gateway-byte-order-mark",
        "gateway",
        "quarantined",
        "^byte order mark$",
        _gateway_file([b"\xef\xbb\xbf" + _record_with(id="bom")]),
    ),
    Case(
        "gateway-invalid-utf8",
        "gateway",
        "quarantined",
        "^invalid UTF-8$",
        _gateway_file([_record_with(id="utf").replace(b"marketing", b"m\xffrketing")]),
    ),
    Case(
        "gateway-tokens-as-text",
        "gateway",
        "quarantined",
        "^input_tokens is not BIGINT$",
        _gateway_file([_record_with(prompt_tokens="many")]),
    ),
    Case("gateway-not-an-object", "gateway", "quarantined", "not an object$", _gateway_file([b"[1, 2, 3]"])),
    Case(
        "gateway-negative-tokens",
        "gateway",
        "quarantined",
        "^negative token count$",
        _gateway_file([_record_with(completion_tokens=-5)]),
    ),
    Case(
        "gateway-absurd-tokens",
        "gateway",
        "quarantined",
        "^absurd token count$",
        _gateway_file([_record_with(completion_tokens=10**12)]),
    ),
    Case(
        "gateway-cached-exceeds-input",
        "gateway",
        "quarantined",
        "^cached exceeds input tokens$",
        _gateway_file([_record_with(id="cache").replace(b'"cached_tokens": 0', b'"cached_tokens": 500')]),
    ),
    Case(
        "gateway-missing-request-id",
        "gateway",
        "quarantined",
        "^missing request id$",
        _gateway_file([_record_with(id=None)]),
    ),
    Case(
        "gateway-missing-finish-time",
        "gateway",
        "quarantined",
        "^missing or invalid finished_at$",
        _gateway_file([_record_with(finished_at="yesterday-ish")]),
    ),
    Case(
        "gateway-finished-far-from-its-day",
        "gateway",
        "quarantined",
        "far outside its log's day",
        _gateway_file([_record_with(finished_at="2026-09-01T10:00:00Z")]),
    ),
    Case(
        "gateway-missing-token-counts",
        "gateway",
        "quarantined",
        "^missing token counts$",
        _gateway_file([_record_with(prompt_tokens=None)]),
    ),
    Case(
        "gateway-truncated-gzip",
        "gateway",
        "quarantined",
        "^compressed stream breaks off after line",
        _gateway_file(_many(3000), "corpus.jsonl.gz", _big_gz_cut),
    ),
    Case(
        "gateway-corrupt-gzip",
        "gateway",
        "quarantined",
        "^compressed stream breaks off after line 0",
        lambda root: (root / DAY / "corpus.jsonl.gz").write_bytes(b"\x1f\x8b\x08\x00" + b"\x00garbage" * 64),
    ),
]


def _litellm_record(i: int, **changes) -> dict:
    """A LiteLLM spend log row with only its flat fields (a CSV export has no nested ones)."""
    return {k: v for k, v in litellm_record(i, **changes).items() if not isinstance(v, list | dict)}


def _litellm_lines(*bad: bytes) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        lines = [json.dumps(_litellm_record(1)).encode(), *bad, json.dumps(_litellm_record(2)).encode()]
        (root / DAY).mkdir(parents=True, exist_ok=True)
        (root / DAY / "spend.jsonl").write_bytes(b"\n".join(lines) + b"\n")

    return make


def _litellm_csv(root: Path) -> None:
    rows = [_litellm_record(1), _litellm_record(2, prompt_tokens="lots")]
    (root / DAY).mkdir(parents=True, exist_ok=True)
    pl.DataFrame(rows).write_csv(root / DAY / "spend.csv")


LITELLM = [
    Case(
        "litellm-truncated-json-line",
        "litellm",
        "quarantined",
        "^truncated or invalid JSON",
        _litellm_lines(json.dumps(_litellm_record(3)).encode()[:40]),
    ),
    Case(
        "litellm-tokens-as-text",
        "litellm",
        "quarantined",
        "is not BIGINT$",
        _litellm_lines(json.dumps(_litellm_record(4, completion_tokens="x")).encode()),
    ),
    Case("litellm-csv-tokens-as-text", "litellm", "quarantined", "is not BIGINT$", _litellm_csv),
]


def _otel_garbage(root: Path) -> None:
    (root / DAY).mkdir(parents=True, exist_ok=True)
    (root / DAY / "spans.json").write_bytes(b'{"resourceSpans": [ {"scopeSpans": [ \n{not json at all\n')


OTEL = [Case("otel-not-json", "otel", "quarantined", "invalid JSON|could not be read|not an object", _otel_garbage)]


# ---------- Prometheus counters


def _scrape(text: bytes, name: str = "pod-9.prom") -> Callable[[Path], None]:
    def make(root: Path) -> None:
        folder = next((root / DAY).iterdir())
        (folder / name).write_bytes(text)

    return make


def _halving(root: Path) -> None:
    path = next((root / DAY).rglob("*.prom"))
    lines = path.read_text().splitlines()
    counters = [i for i, line in enumerate(lines) if line.startswith("vllm:generation_tokens_total")]
    name, value, stamp = lines[counters[-1]].rsplit(" ", 2)
    lines.append(f"{name} {float(value) / 2} {int(stamp) + 60_000}")
    path.write_text("\n".join(lines) + "\n")


PROMETHEUS = [
    Case(
        "prometheus-not-prometheus-text",
        "prometheus",
        "quarantined",
        "^not Prometheus text",
        _scrape(b"this is { not prometheus\n"),
    ),
    Case(
        "prometheus-invalid-utf8",
        "prometheus",
        "quarantined",
        "^invalid UTF-8",
        _scrape(b'vllm:generation_tokens_total{model_name="m\xff"} 1.0\n'),
    ),
    Case("prometheus-counter-halves-mid-day", "prometheus", "accepted", "generation_tokens|output_tokens", _halving),
]

CASES: list[Case] = [*AWS, *GCP, *GATEWAY, *LITELLM, *OTEL, *PROMETHEUS]


def source_root(sample: Path, case: Case) -> Path:
    """Where the case's kind of delivery lives in a sample month's source folder."""
    return {
        "aws": sample / "aws",
        "gcp": sample / "gcp",
        "gateway": sample / "tokens" / "gateway",
        "litellm": sample / "tokens" / "litellm",
        "otel": sample / "tokens" / "otel",
        "prometheus": sample / "tokens" / "metrics",
    }[case.source]


def write(out: Path, seed_month: Path) -> None:
    """Every case's broken source folder under ``out/<case>/`` (a copy of the good month, then broken)."""
    for case in CASES:
        target = out / case.name
        shutil.copytree(seed_month, target, dirs_exist_ok=True)
        root = source_root(target, case)
        root.mkdir(parents=True, exist_ok=True)
        case.make(root)


if __name__ == "__main__":  # python -m tests.reliability.corpus OUT [SAMPLE_SOURCE]
    from ingest.sample.generator import SampleSpec, generate

    out = Path(sys.argv[1])
    sample = Path(sys.argv[2]) if len(sys.argv) > 2 else out / "_good"
    if len(sys.argv) <= 2:
        generate(sample, SampleSpec(month="2026-10", seed=11, scale=0.05))
    write(out, sample)
    print(f"{len(CASES)} cases written under {out}")

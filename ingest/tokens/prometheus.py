"""Inference servers' Prometheus token counters (vLLM, SGLang, TGI) → cumulative counter samples.

Layout: ``YYYY/MM/DD/<deployment>/<instance>.prom`` holding timestamped samples (``metric{…} value ts_ms``, as a
federation or remote-read export writes them), or ``…/<instance>/scrape-<epoch_seconds>.prom`` for one plain
scrape. Only the token and request counters are read:

    vLLM    vllm:prompt_tokens_total, vllm:generation_tokens_total, vllm:request_success_total (by model_name)
    SGLang  sglang:prompt_tokens_total, sglang:generation_tokens_total, sglang:num_requests_total (by model_name)
    TGI     tgi_request_input_length_sum / _count, tgi_request_generated_tokens_sum (histograms; no model label)

Samples stay cumulative in bronze; dbt turns them into deltas per interval (a drop means the server restarted and
the counter began again at zero). A file that is not Prometheus text, or has no known counter, is quarantined.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
from prometheus_client.parser import text_string_to_metric_families

from ingest.schemas import COUNTER_SAMPLES_SCHEMA

FORMAT = "prometheus_text"
# sample name → (server, counter)
COUNTERS = {
    "vllm:prompt_tokens_total": ("vllm", "input_tokens"),
    "vllm:generation_tokens_total": ("vllm", "output_tokens"),
    "vllm:request_success_total": ("vllm", "requests"),
    "sglang:prompt_tokens_total": ("sglang", "input_tokens"),
    "sglang:generation_tokens_total": ("sglang", "output_tokens"),
    "sglang:num_requests_total": ("sglang", "requests"),
    "tgi_request_input_length_sum": ("tgi", "input_tokens"),
    "tgi_request_generated_tokens_sum": ("tgi", "output_tokens"),
    "tgi_request_input_length_count": ("tgi", "requests"),
}
_KEY = re.compile(
    r"(?:^|/)(\d{4})/(\d{2})/(\d{2})/(?P<deployment>[^/]+)/(?:(?P<instance>[^/]+)\.prom|(?P<dir_instance>[^/]+)/scrape-(?P<epoch>\d+)\.prom)$"
)


class ScrapeError(ValueError):
    """A scrape file that cannot be read as Prometheus text with token counters."""


@dataclass(frozen=True)
class ScrapeKey:
    day: date
    deployment: str
    instance: str
    scraped_at: datetime | None  # for a plain scrape without sample timestamps


def parse_key(key: str) -> ScrapeKey | None:
    match = _KEY.search(key)
    if not match:
        return None
    epoch = match["epoch"]
    return ScrapeKey(
        date(int(match[1]), int(match[2]), int(match[3])),
        match["deployment"],
        match["instance"] or match["dir_instance"],
        datetime.fromtimestamp(int(epoch), UTC).replace(tzinfo=None) if epoch else None,
    )


def parse_scrape(text: str, key: ScrapeKey, source_file: str) -> pl.DataFrame:
    """Cumulative token / request counter samples of one file, summed over labels other than the model."""
    rows: dict[tuple, float] = {}
    try:
        families = list(text_string_to_metric_families(text))
    except ValueError as exc:
        raise ScrapeError(f"not Prometheus text: {exc}") from exc
    for family in families:
        for sample in family.samples:
            if sample.name not in COUNTERS:
                continue
            server, counter = COUNTERS[sample.name]
            if sample.timestamp is not None:
                scraped_at = datetime.fromtimestamp(float(sample.timestamp), UTC).replace(tzinfo=None)
            elif key.scraped_at is not None:
                scraped_at = key.scraped_at
            else:
                raise ScrapeError(f"{sample.name} has no timestamp and the file name carries none")
            model = sample.labels.get("model_name") or sample.labels.get("model")
            series = (scraped_at, server, model, counter)
            rows[series] = rows.get(series, 0.0) + float(sample.value)
    if not rows:
        raise ScrapeError("no vLLM, SGLang or TGI token counter in the file")
    return pl.DataFrame(
        [
            {
                "scraped_at": t,
                "deployment": key.deployment,
                "instance": key.instance,
                "server": s,
                "model": m,
                "counter": c,
                "value": v,
                "source_file": source_file,
            }
            for (t, s, m, c), v in sorted(rows.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or "", kv[0][3]))
        ],
        schema=COUNTER_SAMPLES_SCHEMA,
    )


SERIES = ["deployment", "instance", "server", "model", "counter"]


def counter_resets(samples: pl.DataFrame) -> pl.DataFrame:
    """Readings lower than the reading before them in their series, with that reading (``previous``).

    The rule, Prometheus' own for counters (``rate()``/``increase()``): a counter never goes down, so any drop — to
    zero, to half, by one — is a reset (the server restarted) and the reading is what was counted since. A drop
    cannot tell a restart from an operator's reset; both start again from zero, so both count the same way
    (dbt's ``int_token_counter_deltas``). Each reset is reported on the run, so a surprising one gets a look."""
    ordered = samples.sort([*SERIES, "scraped_at"])
    return ordered.with_columns(previous=pl.col("value").shift(1).over(SERIES)).filter(
        pl.col("value") < pl.col("previous")
    )


def read_scrape(path: Path, key: ScrapeKey, source_file: str) -> pl.DataFrame:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScrapeError(f"invalid UTF-8 at byte {exc.start}") from exc
    return parse_scrape(text, key, source_file)

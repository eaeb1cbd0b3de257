"""The sample month's gateway logs: every request of the deployments with request logs, as OpenAI-style usage
records in gzipped JSON lines, one file a day."""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa

from ingest.sample.common import SampleSpec, Truth, hourly_rate
from ingest.sample.fleet import DEPLOYMENTS, MODELS, TEAMS


def write_gateway_logs(out_dir: Path, spec: SampleSpec, truth: Truth) -> None:
    """The month's requests, drawn a deployment at a time and set aside on disk, sorted by finish time; then each
    day's requests of every deployment are read back, put in order and written as that day's JSON lines. Memory
    holds one deployment's month or one day at a time, not the month (at 90M requests the month alone took 24 GB).
    """
    rng = np.random.default_rng(spec.seed)
    with tempfile.TemporaryDirectory(prefix=".gateway-", dir=out_dir) as spill:
        parts = _draw_requests(rng, spec, truth, Path(spill))
        if parts:
            _write_days(out_dir, parts)


def _draw_requests(rng: np.random.Generator, spec: SampleSpec, truth: Truth, spill: Path) -> list[Path]:
    """Every deployment's requests of the month (numeric columns), each written to ``spill`` sorted by finish
    time so that a day's rows are read back without reading the rest; the truth's token totals filled in."""
    parts = []
    for d_idx, dep in enumerate(DEPLOYMENTS):
        if not dep.request_logs:
            continue
        hours = [spec.start + timedelta(hours=h) for h in range(spec.hours)]
        counts = rng.poisson([hourly_rate(dep, ts, spec.scale, spec.history) for ts in hours])
        n = int(counts.sum())
        truth.tokens[dep.name] = {
            "requests": n,
            "input_tokens": 0,
            "cached_input_tokens": 0,
            "output_tokens": 0,
        }
        if n == 0:
            continue
        mean_in, mean_out, ms_per_token, ttft_base = MODELS[dep.model]
        hour_start = np.repeat(np.array([int(ts.replace(tzinfo=UTC).timestamp()) for ts in hours]), counts)
        finished_us = hour_start * 1_000_000 + rng.integers(0, 3_600_000_000, n)
        input_tokens = np.maximum(1, rng.lognormal(np.log(mean_in) - 0.32, 0.8, n)).astype(np.int64)
        output_tokens = np.maximum(1, rng.lognormal(np.log(mean_out) - 0.32, 0.8, n)).astype(np.int64)
        cached = np.where(rng.random(n) < 0.35, (input_tokens * rng.uniform(0.3, 0.9, n)).astype(np.int64), 0)
        failed = rng.random(n) < 0.01
        output_tokens = np.where(failed, 0, output_tokens)
        ttft = ttft_base + input_tokens / 40.0 + rng.exponential(30.0, n)
        decode = np.repeat(np.array([spec.latency_factor(dep, ts) for ts in hours]), counts)  # config changes
        unchanged = ttft + output_tokens * ms_per_token * rng.uniform(0.8, 1.3, n)
        latency = ttft + (unchanged - ttft) * decode
        for change in spec.changes_this_month(dep):
            if change.latency_factor != 1.0:  # the true effect: p50 of the same requests with and without it
                after = hour_start >= int(datetime.combine(change.day, datetime.min.time(), UTC).timestamp())
                ratio = float(np.median(latency[after]) / np.median(unchanged[after]))
                truth.change_p50_latency_ratio[f"{dep.name}@{change.day}"] = ratio
        started_us = finished_us - (latency * 1000).astype(np.int64)
        team_index = np.array([TEAMS.index(t) for t in dep.teams], dtype=np.int8)
        team = team_index[_team_draws(rng, dep, spec, hour_start)]
        ids = rng.integers(0, 2**63 - 1, n, dtype=np.int64)
        part = spill / f"deployment-{d_idx:03d}.parquet"
        parts.append(part)
        (
            pl.DataFrame(
                {
                    "id_number": ids,
                    "deployment_index": np.full(n, d_idx, dtype=np.int8),
                    "prompt_tokens": input_tokens,
                    "completion_tokens": output_tokens,
                    "cached_tokens": cached,
                    "team_index": team,
                    "started_us": started_us,
                    "finished_us": finished_us,
                    "latency_ms": np.round(latency, 1),
                    "ttft_ms": np.round(ttft, 1),
                    "failed": failed,
                }
            )
            .sort("finished_us")
            .write_parquet(part, compression="lz4", statistics=True)
        )
        truth.tokens[dep.name].update(
            input_tokens=int(input_tokens.sum()),
            cached_input_tokens=int(cached.sum()),
            output_tokens=int(output_tokens.sum()),
        )
    return parts


def _write_days(out_dir: Path, parts: list[Path]) -> None:
    """Each day's requests of every deployment in finish order (ties broken by deployment and id: the same bytes
    every run), as that day's file; two days at a time."""
    finished = pl.scan_parquet(parts).select(pl.col("finished_us").min().alias("lo"), pl.col("finished_us").max())
    first, last = (value // 86_400_000_000 for value in finished.collect().row(0))

    def write_day(day: int) -> None:
        lo, hi = day * 86_400_000_000, (day + 1) * 86_400_000_000
        requests = (
            pl.scan_parquet(parts)
            .filter((pl.col("finished_us") >= lo) & (pl.col("finished_us") < hi))
            .collect()
            .sort("finished_us", "deployment_index", "id_number")
        )
        if requests.height:
            _write_gateway_day(out_dir, requests)

    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        for written in [pool.submit(write_day, day) for day in range(first, last + 1)]:
            written.result()


def _team_draws(rng: np.random.Generator, dep, spec: SampleSpec, hour_start: np.ndarray) -> np.ndarray:
    """Each request's team (an index into ``dep.teams``) by the deployment's shares; over a history, the requests
    after the step day follow the grown shares."""
    shares = list(dep.teams.values())
    history = spec.history
    if history is None or history.step_team not in dep.teams:
        return rng.choice(len(shares), len(hour_start), p=shares)
    step = int(datetime.combine(history.step_day, datetime.min.time(), UTC).timestamp())
    late = hour_start >= step
    if not late.any():
        return rng.choice(len(shares), len(hour_start), p=shares)
    after = history.stepped_shares(dep)
    draws = rng.random(len(hour_start))
    before_index = np.searchsorted(np.cumsum(shares), draws * sum(shares), side="right")
    after_index = np.searchsorted(np.cumsum(after), draws * sum(after), side="right")
    return np.minimum(np.where(late, after_index, before_index), len(shares) - 1)


def _write_gateway_day(out_dir: Path, requests: pl.DataFrame) -> None:
    """One day of requests as the gateway's gzipped JSON lines (level 6, gzip's default, as log shippers write;
    mtime 0: identical bytes for identical data whatever the wall clock says)."""
    ts_fmt = "%Y-%m-%dT%H:%M:%S%.6fZ"
    deployments = {i: d for i, d in enumerate(DEPLOYMENTS)}
    index = pl.col("deployment_index")
    records = requests.select(
        pl.concat_str(pl.lit("chatcmpl-"), index.cast(pl.String), _hex(pl.col("id_number"))).alias("id"),
        pl.lit("chat.completion").alias("object"),
        (pl.col("started_us") // 1_000_000).alias("created"),
        index.replace_strict({i: d.model for i, d in deployments.items()}, return_dtype=pl.String).alias("model"),
        pl.struct(
            pl.col("prompt_tokens"),
            pl.col("completion_tokens"),
            (pl.col("prompt_tokens") + pl.col("completion_tokens")).alias("total_tokens"),
            pl.struct(pl.col("cached_tokens")).alias("prompt_tokens_details"),
        ).alias("usage"),
        pl.struct(
            index.replace_strict({i: d.name for i, d in deployments.items()}, return_dtype=pl.String).alias(
                "deployment"
            ),
            pl.col("team_index").replace_strict(dict(enumerate(TEAMS)), return_dtype=pl.String).alias("team"),
            pl.col("team_index")
            .replace_strict({i: _api_key_hash(t) for i, t in enumerate(TEAMS)}, return_dtype=pl.String)
            .alias("api_key_hash"),
            index.replace_strict({i: d.region for i, d in deployments.items()}, return_dtype=pl.String).alias("region"),
            pl.lit(None, dtype=pl.String).alias("instance_id"),
            pl.from_epoch("started_us", time_unit="us").dt.strftime(ts_fmt).alias("started_at"),
            pl.from_epoch("finished_us", time_unit="us").dt.strftime(ts_fmt).alias("finished_at"),
            "latency_ms",
            "ttft_ms",
            pl.when(pl.col("failed")).then(pl.lit("error")).otherwise(pl.lit("success")).alias("status"),
        ).alias("gateway"),
    )
    day = datetime.fromtimestamp(requests["finished_us"][0] / 1e6, UTC)
    path = out_dir / "tokens" / "gateway" / f"{day:%Y/%m/%d}"
    path.mkdir(parents=True, exist_ok=True)
    body = records.write_ndjson().encode()
    (path / f"gateway-{day:%Y%m%d}.jsonl.gz").write_bytes(gzip.compress(body, compresslevel=6, mtime=0))


def _hex(number: pl.Expr) -> pl.Expr:
    """A non-negative int64 as 16 hex digits (``f"{i:016x}"``), without a Python loop: its 8 big-endian bytes."""
    return number.map_batches(_big_endian_hex, return_dtype=pl.String)


def _big_endian_hex(numbers: pl.Series) -> pl.Series:
    values = numbers.to_numpy().astype(">u8")
    raw = pa.FixedSizeBinaryArray.from_buffers(pa.binary(8), len(values), [None, pa.py_buffer(values.tobytes())])
    return pl.Series(pl.from_arrow(raw)).cast(pl.Binary).bin.encode("hex")


def _api_key_hash(team: str) -> str:
    return hashlib.sha256(f"sk-demo-{team}".encode()).hexdigest()[:16]

"""Token logs → bronze ``inference_requests`` and ``token_quarantine``, one log day at a time.

Token logs are not copied into the landing zone (they can carry prompt text in fields we never parse): the
landing zone keeps a manifest of each object read (source, key, size, checksum, rows) instead.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl

from ingest.bronze import write_partition
from ingest.landing.sources import Source
from ingest.landing.zone import LandedFile, LandingZone, delivery_id_of, sha256_file
from ingest.schemas import INFERENCE_REQUESTS_SCHEMA, QUARANTINE_SCHEMA
from ingest.tokens import gateway, litellm, otel, prometheus
from ingest.tokens.records import ParsedLog

# format name → parser(path, source_file)
REQUEST_FORMATS: dict[str, Callable[[Path, str, date], ParsedLog]] = {
    gateway.FORMAT: gateway.parse_gateway_log,
    litellm.FORMAT: litellm.parse_litellm_log,
    otel.FORMAT: otel.parse_otel_spans,
}

REQUESTS_TABLE = "inference_requests"
QUARANTINE_TABLE = "token_quarantine"
COUNTERS_TABLE = "inference_token_counter_samples"


@dataclass(frozen=True)
class TokenLoad:
    day: str
    files: int
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    input_tokens: int
    output_tokens: int


def ingest_gateway_day(source: Source, prefix: str, landing: LandingZone, bronze_root: Path, day: date) -> TokenLoad:
    """Read every gateway log object of ``day`` and replace that day's bronze partitions."""
    return ingest_requests_day(source, prefix, landing, bronze_root, day, gateway.FORMAT)


def ingest_requests_day(
    source: Source, prefix: str, landing: LandingZone, bronze_root: Path, day: date, source_format: str
) -> TokenLoad:
    """Read every object of ``day`` in one per-request format and replace that day's bronze partitions."""
    parse = REQUEST_FORMATS[source_format]
    objects = [o for o in source.list_objects(prefix) if gateway.day_of_key(o.key) == day]
    parsed, manifest = [], []
    with tempfile.TemporaryDirectory(prefix="cpt-tokens-") as tmp:
        for obj in objects:
            local = Path(tmp) / "object"
            source.fetch(obj.key, local)
            checksum = sha256_file(local)
            result = parse(local, obj.key, day)
            parsed.append(result)
            manifest.append((obj, checksum, result.rows_in))
            local.unlink()
    requests = pl.concat([p.requests for p in parsed]) if parsed else pl.DataFrame(schema=INFERENCE_REQUESTS_SCHEMA)
    quarantine = pl.concat([p.quarantine for p in parsed]) if parsed else pl.DataFrame(schema=QUARANTINE_SCHEMA)
    partition = {"source_format": source_format, "day": day.isoformat()}
    write_partition(requests, bronze_root, REQUESTS_TABLE, partition, INFERENCE_REQUESTS_SCHEMA)
    write_partition(quarantine, bronze_root, QUARANTINE_TABLE, partition, QUARANTINE_SCHEMA)
    delivery = delivery_id_of([(obj.key, checksum) for obj, checksum, _ in manifest])
    now = datetime.now(UTC).isoformat()
    landing.record(
        [
            LandedFile(
                f"tokens/{source_format}",
                source.name,
                obj.key,
                obj.size,
                checksum,
                delivery,
                now,
                f"(not copied: {rows} rows parsed)",
            )
            for obj, checksum, rows in manifest
        ]
    )
    rows_in = sum(p.rows_in for p in parsed)
    if rows_in != requests.height + quarantine.height:  # the promise, checked on every run
        raise AssertionError(f"{day}: {rows_in} rows in != {requests.height} loaded + {quarantine.height} quarantined")
    return TokenLoad(
        day.isoformat(),
        len(objects),
        rows_in,
        requests.height,
        quarantine.height,
        int(requests["input_tokens"].sum()),
        int(requests["output_tokens"].sum()),
    )


@dataclass(frozen=True)
class CounterLoad:
    day: str
    files: int
    samples: int
    files_quarantined: int


def ingest_counter_day(source: Source, prefix: str, landing: LandingZone, bronze_root: Path, day: date) -> CounterLoad:
    """Read every Prometheus counter file of ``day`` and replace that day's bronze counter samples.

    A file that cannot be read is one quarantine row (source file, reason); the others still load.
    """
    objects = [o for o in source.list_objects(prefix) if (k := prometheus.parse_key(o.key)) and k.day == day]
    frames, quarantined, manifest = [], [], []
    now = datetime.now(UTC).replace(tzinfo=None)
    with tempfile.TemporaryDirectory(prefix="cpt-metrics-") as tmp:
        for obj in objects:
            local = Path(tmp) / "object"
            source.fetch(obj.key, local)
            checksum = sha256_file(local)
            try:
                frame = prometheus.read_scrape(local, prometheus.parse_key(obj.key), obj.key)
                frames.append(frame)
                manifest.append((obj, checksum, frame.height))
            except prometheus.ScrapeError as exc:
                quarantined.append(
                    {
                        "source_format": prometheus.FORMAT,
                        "source_file": obj.key,
                        "source_row": None,
                        "reason": str(exc),
                        "record_id": None,
                        "quarantined_at": now,
                    }
                )
                manifest.append((obj, checksum, 0))
    samples = pl.concat(frames) if frames else pl.DataFrame(schema=prometheus.COUNTER_SAMPLES_SCHEMA)
    partition = {"source_format": prometheus.FORMAT, "day": day.isoformat()}
    write_partition(samples, bronze_root, COUNTERS_TABLE, partition, prometheus.COUNTER_SAMPLES_SCHEMA)
    write_partition(
        pl.DataFrame(quarantined, schema=QUARANTINE_SCHEMA), bronze_root, QUARANTINE_TABLE, partition, QUARANTINE_SCHEMA
    )
    delivery = delivery_id_of([(obj.key, checksum) for obj, checksum, _ in manifest])
    landing.record(
        [
            LandedFile(
                f"tokens/{prometheus.FORMAT}",
                source.name,
                obj.key,
                obj.size,
                checksum,
                delivery,
                now.isoformat(),
                f"(not copied: {rows} samples parsed)",
            )
            for obj, checksum, rows in manifest
        ]
    )
    return CounterLoad(day.isoformat(), len(objects), samples.height, len(quarantined))


@dataclass(frozen=True)
class DayQuarantine:
    source_format: str
    day: str
    loaded: int
    quarantined: int

    @property
    def rate(self) -> float:
        total = self.loaded + self.quarantined
        return self.quarantined / total if total else 0.0


def quarantine_rates(bronze_root: Path) -> list[DayQuarantine]:
    """Rows loaded and quarantined per per-request format and log day, from the bronze files' row counts."""
    import pyarrow.parquet as pq

    def rows(path: Path) -> int:
        return pq.ParquetFile(path).metadata.num_rows if path.exists() else 0

    result = []
    for path in sorted((bronze_root / REQUESTS_TABLE).glob("source_format=*/day=*/data.parquet")):
        partition = path.parent.relative_to(bronze_root / REQUESTS_TABLE)
        source_format = partition.parts[0].removeprefix("source_format=")
        day = partition.parts[1].removeprefix("day=")
        quarantine = bronze_root / QUARANTINE_TABLE / partition / "data.parquet"
        result.append(DayQuarantine(source_format, day, rows(path), rows(quarantine)))
    return result

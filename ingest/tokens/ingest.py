"""Token logs → bronze ``inference_requests`` and ``token_quarantine``, one log day at a time.

Token logs are not copied into the landing zone (they can carry prompt text in fields we never parse): the
landing zone keeps a manifest of each object read (source, key, size, checksum, rows) instead.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl

from ingest.bronze import replace_partition, staging_dir, write_partition
from ingest.housekeeping import temporary_prefix
from ingest.landing.sources import Source, SourceObject
from ingest.landing.zone import LandedFile, LandingZone, delivery_id_of, sha256_file
from ingest.schemas import (
    COUNTER_SAMPLES_SCHEMA,
    COUNTER_SAMPLES_TABLE,
    INFERENCE_REQUESTS_SCHEMA,
    QUARANTINE_SCHEMA,
    QUARANTINE_TABLE,
    REQUESTS_TABLE,
)
from ingest.tokens import gateway, litellm, otel, prometheus
from ingest.tokens.jsonl import FileLoad, unreadable
from ingest.tokens.records import duckdb_connection

# format name → loader(path, source_file, log day, bronze part prefix): streams one object into bronze parts
REQUEST_FORMATS: dict[str, Callable[[Path, str, date, Path], FileLoad]] = {
    gateway.FORMAT: gateway.load_gateway_log,
    litellm.FORMAT: litellm.load_litellm_log,
    otel.FORMAT: otel.load_otel_spans,
}


@dataclass(frozen=True)
class TokenLoad:
    day: str
    files: int
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    input_tokens: int
    output_tokens: int
    files_read_line_by_line: int = 0


def ingest_gateway_day(source: Source, prefix: str, landing: LandingZone, bronze_root: Path, day: date) -> TokenLoad:
    """Read every gateway log object of ``day`` and replace that day's bronze partitions."""
    return ingest_requests_day(source, prefix, landing, bronze_root, day, gateway.FORMAT)


def ingest_requests_day(
    source: Source, prefix: str, landing: LandingZone, bronze_root: Path, day: date, source_format: str
) -> TokenLoad:
    """Stream every object of ``day`` in one per-request format into bronze and replace that day's partitions
    (requests: one part file per object or chunk; quarantine: one file)."""
    load_file = REQUEST_FORMATS[source_format]
    objects = [o for o in source.list_objects(prefix) if gateway.day_of_key(o.key) == day]
    partition = {"source_format": source_format, "day": day.isoformat()}
    loads, manifest = [], []
    with tempfile.TemporaryDirectory(prefix=temporary_prefix("cpt-tokens"), dir=staging_dir(bronze_root)) as tmp:
        parts = Path(tmp) / "parts"
        for number, obj in enumerate(objects):
            local = _readable_copy(source, obj.key, Path(tmp) / "object")
            # The checksum (for the manifest) runs beside the parse: hashlib releases the GIL while it hashes.
            with ThreadPoolExecutor(max_workers=1) as pool:
                checksum_of = pool.submit(sha256_file, local)
                load = _load_or_quarantine(
                    load_file, local, obj.key, day, parts / f"object-{number:05d}", source_format
                )
                checksum = checksum_of.result()
            loads.append(load)
            manifest.append((obj, checksum, load.rows_in))
            if local.parent == Path(tmp):
                local.unlink()
        quarantine = pl.concat([x.quarantine for x in loads]) if loads else pl.DataFrame(schema=QUARANTINE_SCHEMA)
        rows_in = sum(x.rows_in for x in loads)
        rows_loaded = sum(x.rows_loaded for x in loads)
        if rows_in != rows_loaded + quarantine.height:  # the promise, checked on every run before anything lands
            raise AssertionError(f"{day}: {rows_in} rows in != {rows_loaded} loaded + {quarantine.height} quarantined")
        tokens = _token_sums([p for x in loads for p in x.parts])
        replace_partition(
            bronze_root, REQUESTS_TABLE, partition, [p for x in loads for p in x.parts], INFERENCE_REQUESTS_SCHEMA
        )
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
                rows,
            )
            for obj, checksum, rows in manifest
        ]
    )
    return TokenLoad(
        day.isoformat(),
        len(objects),
        rows_in,
        rows_loaded,
        quarantine.height,
        tokens[0],
        tokens[1],
        sum(1 for x in loads if x.way == "line by line"),
    )


# What reading one object may raise when the object itself is bad: it is then one quarantine row, not a failed day.
_UNREADABLE = (OSError, EOFError, ValueError, UnicodeError, duckdb.Error, pl.exceptions.PolarsError)


def _load_or_quarantine(load_file, local: Path, key: str, day: date, out: Path, source_format: str) -> FileLoad:
    """One object through its loader; an object that cannot be read at all is one quarantine row naming it, and
    the other objects of the day still load."""
    try:
        return load_file(local, key, day, out)
    except _UNREADABLE as exc:
        for part in out.parent.glob(f"{out.name}*"):
            part.unlink(missing_ok=True)
        reason = f"file could not be read: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        return FileLoad([], 1, 0, unreadable(source_format, key, None, reason), way="unreadable")


def _readable_copy(source: Source, key: str, dest: Path) -> Path:
    """A local file with the object's bytes: a local folder's own file (read in place, never written to),
    else a download to ``dest``."""
    local_path = getattr(source, "local_path", None)
    if local_path is not None:
        return local_path(key)
    source.fetch(key, dest)
    return dest


def _token_sums(parts: list[Path]) -> tuple[int, int]:
    """Input and output tokens loaded, summed from the part files (parquet column reads)."""
    existing = [p for p in parts if p.exists()]
    if not existing:
        return 0, 0
    with duckdb_connection().cursor() as con:
        files = "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in existing) + "]"
        row = con.execute(
            f"select coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0) from read_parquet({files})"
        ).fetchall()[0]
    return int(row[0]), int(row[1])


@dataclass(frozen=True)
class CounterLoad:
    day: str
    files: int
    samples: int
    files_quarantined: int
    resets: tuple[str, ...] = ()  # counters that went down (counted as restarts: prometheus.counter_resets)


def ingest_counter_day(source: Source, prefix: str, landing: LandingZone, bronze_root: Path, day: date) -> CounterLoad:
    """Read every Prometheus counter file of ``day`` and replace that day's bronze counter samples.

    A file that cannot be read is one quarantine row (source file, reason); the others still load.
    """
    objects = [o for o in source.list_objects(prefix) if (k := prometheus.parse_key(o.key)) and k.day == day]
    frames, quarantined, manifest = [], [], []
    now = datetime.now(UTC).replace(tzinfo=None)
    with tempfile.TemporaryDirectory(prefix=temporary_prefix("cpt-metrics"), dir=staging_dir(bronze_root)) as tmp:
        for obj in objects:
            local = Path(tmp) / "object"
            source.fetch(obj.key, local)
            checksum = sha256_file(local)
            try:
                key = prometheus.parse_key(obj.key)
                if key is None:
                    raise prometheus.ScrapeError("the object's key names no day, deployment and instance")
                frame = prometheus.read_scrape(local, key, obj.key)
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
    samples = pl.concat(frames) if frames else pl.DataFrame(schema=COUNTER_SAMPLES_SCHEMA)
    partition = {"source_format": prometheus.FORMAT, "day": day.isoformat()}
    write_partition(samples, bronze_root, COUNTER_SAMPLES_TABLE, partition, COUNTER_SAMPLES_SCHEMA)
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
                rows,
            )
            for obj, checksum, rows in manifest
        ]
    )
    resets = tuple(
        f"{r['deployment']}/{r['instance']} {r['server']} {r['counter']} at {r['scraped_at']:%H:%M:%S}: "
        f"{r['previous']:,.0f} → {r['value']:,.0f}"
        for r in prometheus.counter_resets(samples).iter_rows(named=True)
    )
    return CounterLoad(day.isoformat(), len(objects), samples.height, len(quarantined), resets)


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

    def rows(folder: Path) -> int:
        return sum(pq.ParquetFile(p).metadata.num_rows for p in folder.glob("*.parquet"))

    result = []
    for path in sorted((bronze_root / REQUESTS_TABLE).glob("source_format=*/day=*")):
        partition = path.relative_to(bronze_root / REQUESTS_TABLE)
        source_format = partition.parts[0].removeprefix("source_format=")
        day = partition.parts[1].removeprefix("day=")
        quarantine = bronze_root / QUARANTINE_TABLE / partition
        result.append(DayQuarantine(source_format, day, rows(path), rows(quarantine)))
    return result


def new_objects_by_day(
    source: Source, prefix: str, landing: LandingZone, dataset: str, day_of: Callable[[str], date | None]
) -> dict[date, list[SourceObject]]:
    """Objects under ``prefix`` that the landing manifest of ``dataset`` has not recorded (same source, key and
    size), grouped by the log day their key names; keys without a day are not token logs and are left alone."""
    seen = {(f.source, f.key, f.size) for f in landing.manifest(dataset)}
    found: dict[date, list[SourceObject]] = {}
    for obj in source.list_objects(prefix):
        day = day_of(obj.key)
        if day is not None and (source.name, obj.key, obj.size) not in seen:
            found.setdefault(day, []).append(obj)
    return found


def counter_day_of(key: str) -> date | None:
    parsed = prometheus.parse_key(key)
    return parsed.day if parsed else None

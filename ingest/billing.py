"""Billing deliveries → landing → bronze ``billing_line_items`` (FOCUS columns), one month at a time.

A format names its rule set, how its files group into billing periods, and how to read them into the typed
source frame the rules expect. A delivery (all files of one period) replaces that period's bronze partition:
re-deliveries never append, and an unchanged delivery is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

from ingest.bronze import partition_path, write_partition
from ingest.focus import BRONZE_BILLING_SCHEMA, Focus
from ingest.landing.sources import Source, SourceObject
from ingest.landing.zone import LandingZone, delivery_id_of
from ingest.mapping import MappingError, RuleSet, apply_rules, load_rules

TABLE = "billing_line_items"
SUPPORTED_CURRENCIES = frozenset({"USD"})


class BillingFileError(ValueError):
    """A billing file that cannot be read or mapped; the message names the file and the problem."""


@dataclass(frozen=True)
class BillingFormat:
    name: str  # also the bronze partition value "format=<name>"
    provider: str
    rules_file: Path
    period_pattern: re.Pattern[str]  # group 1: YYYY-MM or YYYYMM
    file_suffixes: tuple[str, ...]
    read: Callable[[list[Path], RuleSet], pl.DataFrame]

    @property
    def rules(self) -> RuleSet:
        return _load_rules_cached(self.rules_file)


@cache
def _load_rules_cached(path: Path) -> RuleSet:
    return load_rules(path)


@dataclass(frozen=True)
class BillingLoad:
    format: str
    billing_period: str
    delivery_id: str
    files: tuple[str, ...]
    rows: int
    billed_cost: float
    effective_cost: float
    skipped: bool  # the same delivery was already in bronze


def discover(objects: list[SourceObject], fmt: BillingFormat) -> dict[str, list[SourceObject]]:
    """Group a listing into deliveries by billing period (YYYY-MM)."""
    periods: dict[str, list[SourceObject]] = {}
    for obj in objects:
        match = fmt.period_pattern.search(obj.key)
        if match and obj.key.endswith(fmt.file_suffixes):
            digits = match.group(1).replace("-", "")
            periods.setdefault(f"{digits[:4]}-{digits[4:6]}", []).append(obj)
    return dict(sorted(periods.items()))


def normalize(fmt: BillingFormat, paths: list[Path], period: str, delivery_id: str) -> pl.DataFrame:
    """Read one delivery's files and map them to bronze billing rows."""
    frames = []
    for path in paths:
        try:
            source = fmt.read([path], fmt.rules)
            mapped = apply_rules(fmt.rules, source)
        except (MappingError, pl.exceptions.PolarsError, OSError, ValueError) as exc:
            raise BillingFileError(f"{fmt.name}: {path.name}: {exc}") from exc
        frames.append(
            mapped.with_columns(
                pl.lit(period).alias("x_BillingPeriod"),
                pl.lit(delivery_id).alias("x_DeliveryId"),
                pl.lit(path.name).alias("x_SourceFile"),
                pl.int_range(pl.len(), dtype=pl.Int64).alias("x_SourceRow"),
            )
        )
    frame = pl.concat(frames) if frames else pl.DataFrame(schema=BRONZE_BILLING_SCHEMA)
    currencies = set(frame[Focus.BillingCurrency].drop_nulls().unique().to_list())
    if currencies - SUPPORTED_CURRENCIES:
        raise BillingFileError(
            f"{fmt.name} {period}: billing currency {sorted(currencies - SUPPORTED_CURRENCIES)} has no exchange "
            "rate configured; refusing to add different currencies"
        )
    return frame


def ingest_billing(
    source: Source, prefix: str, landing: LandingZone, bronze_root: Path, fmt: BillingFormat
) -> list[BillingLoad]:
    """Land every delivery found under ``prefix`` and (re)write the bronze partitions that changed."""
    loads = []
    dataset = f"billing/{fmt.name}"
    landed_before = {f.delivery_id for f in landing.manifest(dataset)}
    for period, objects in discover(source.list_objects(prefix), fmt).items():
        target = partition_path(bronze_root, TABLE, {"format": fmt.name, "billing_period": period})
        files = landing.land_delivery(source, objects, dataset)
        delivery = files[0].delivery_id
        keys = tuple(f.key for f in files)
        if delivery in landed_before and target.exists():
            existing = pl.read_parquet(target, columns=["x_DeliveryId", Focus.BilledCost, Focus.EffectiveCost])
            if existing.height and existing["x_DeliveryId"][0] == delivery:
                loads.append(_load(fmt, period, delivery, keys, existing, skipped=True))
                continue
        frame = normalize(fmt, [Path(f.path) for f in files], period, delivery)
        write_partition(
            frame, bronze_root, TABLE, {"format": fmt.name, "billing_period": period}, BRONZE_BILLING_SCHEMA
        )
        loads.append(_load(fmt, period, delivery, keys, frame, skipped=False))
    return loads


def _load(fmt, period, delivery, keys, frame: pl.DataFrame, skipped: bool) -> BillingLoad:
    return BillingLoad(
        fmt.name,
        period,
        delivery,
        keys,
        frame.height,
        float(frame[Focus.BilledCost].sum()),
        float(frame[Focus.EffectiveCost].sum()),
        skipped,
    )


__all__ = ["BillingFileError", "BillingFormat", "BillingLoad", "delivery_id_of", "discover", "ingest_billing"]

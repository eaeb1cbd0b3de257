"""Billing deliveries → landing zone → a bronze billing table (FOCUS columns), one delivery at a time.

A *format* names its rule set and how to read its files into the typed frame the rules expect. A *delivery* is
what a provider delivers for one billing period: its data objects and, where the provider gives one, its id
(AWS executionId / assemblyId). Loading a delivery replaces its bronze partition whole — re-deliveries never
append — and a delivery already in bronze is skipped before anything is downloaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import polars as pl

from ingest.bronze import partition_path, write_partition
from ingest.currency import RATES_FILE, missing_rates
from ingest.focus import BRONZE_BILLING_SCHEMA, Focus
from ingest.landing.sources import Source, SourceObject
from ingest.landing.zone import LandingZone
from ingest.mapping import MappingError, RuleSet, apply_rules, load_rules


class BillingFileError(ValueError):
    """A delivery that cannot be read or mapped; the message names the file and the problem."""


@dataclass(frozen=True)
class BillingFormat:
    name: str
    provider: str
    rules_file: Path
    read: Callable[..., pl.DataFrame]  # (paths, rules, **context) → the typed source frame

    @property
    def rules(self) -> RuleSet:
        return _load_rules_cached(self.rules_file)


@cache
def _load_rules_cached(path: Path) -> RuleSet:
    return load_rules(path)


@dataclass(frozen=True)
class Delivery:
    format: BillingFormat
    billing_period: str  # YYYY-MM
    data_keys: tuple[str, ...]
    partition: dict[str, str] = field(default_factory=dict)  # bronze partition keys besides billing_period
    delivery_id: str | None = None  # the provider's id; None: a digest of the landed files' checksums
    manifest_key: str | None = None
    context: dict = field(default_factory=dict)  # passed to the reader (e.g. GCP list prices)

    @property
    def bronze_partition(self) -> dict[str, str]:
        return {**self.partition, "billing_period": self.billing_period}


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


def normalize(
    fmt: BillingFormat, paths: list[Path], period: str, delivery_id: str, context: dict | None = None
) -> pl.DataFrame:
    """Read one delivery's files and map them to bronze billing rows."""
    frames = []
    for path in paths:
        try:
            mapped = apply_rules(fmt.rules, fmt.read([path], fmt.rules, **(context or {})))
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
    if frame[Focus.BillingCurrency].null_count():
        raise BillingFileError(
            f"{fmt.name} {period}: {frame[Focus.BillingCurrency].null_count()} rows have no currency"
        )
    missing = missing_rates({(period, c) for c in frame[Focus.BillingCurrency].unique().to_list()})
    if missing:
        raise BillingFileError(
            f"{fmt.name} {period}: no exchange rate for {missing} (month, currency) in {RATES_FILE.name}; "
            "refusing to add different currencies"
        )
    return frame


def load_delivery(
    source: Source,
    delivery: Delivery,
    listing: dict[str, SourceObject],
    landing: LandingZone,
    bronze_root: Path,
    table: str,
) -> BillingLoad:
    """Land one delivery and replace its bronze partition (or skip it when bronze already holds it)."""
    fmt = delivery.format
    target = partition_path(bronze_root, table, delivery.bronze_partition)
    if delivery.delivery_id and target.exists():
        existing = pl.read_parquet(target, columns=["x_DeliveryId", Focus.BilledCost, Focus.EffectiveCost])
        if existing.height and existing["x_DeliveryId"][0] == delivery.delivery_id:
            return _load(fmt, delivery.billing_period, delivery.delivery_id, delivery.data_keys, existing, True)
    missing = [key for key in delivery.data_keys if key not in listing]
    if missing:
        where = f"manifest {delivery.manifest_key}" if delivery.manifest_key else f"{fmt.name} delivery"
        raise BillingFileError(f"{where} names objects that are not in the source: {missing}")
    objects = [listing[key] for key in delivery.data_keys]
    if delivery.manifest_key:
        objects.append(listing[delivery.manifest_key])
    files = landing.land_delivery(source, objects, f"billing/{fmt.provider}", delivery_id=delivery.delivery_id)
    delivery_id = files[0].delivery_id
    data = [Path(f.path) for f in files if f.key in delivery.data_keys]
    frame = normalize(fmt, data, delivery.billing_period, delivery_id, delivery.context)
    write_partition(frame, bronze_root, table, delivery.bronze_partition, BRONZE_BILLING_SCHEMA)
    return _load(fmt, delivery.billing_period, delivery_id, delivery.data_keys, frame, False)


def _load(fmt, period, delivery, keys, frame: pl.DataFrame, skipped: bool) -> BillingLoad:
    return BillingLoad(
        fmt.name,
        period,
        delivery,
        tuple(keys),
        frame.height,
        float(frame[Focus.BilledCost].sum()),
        float(frame[Focus.EffectiveCost].sum()),
        skipped,
    )

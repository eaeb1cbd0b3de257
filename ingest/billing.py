"""Billing deliveries → landing zone → a bronze billing table (FOCUS columns), one delivery at a time.

A *format* names its rule set and how to read its files into the typed frame the rules expect. A *delivery* is
what a provider delivers for one billing period: its data objects and, where the provider gives one, its id
(AWS executionId / assemblyId). Loading a delivery replaces its bronze partition whole — re-deliveries never
append — and a delivery already in bronze is skipped before anything is downloaded.

A delivery replaces the last good one only once it has been read whole and validated (``validate``): every amount
finite, no line above the ceiling (``AmountLimits``), no file listed twice, no account-month that another
delivery in bronze already bills (two exports of one bill). A refused delivery changes nothing in bronze; the
landing zone keeps it beside the versions before it. Byte-identical files within a delivery are read once.
"""

from __future__ import annotations

import dataclasses
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import polars as pl

from ingest.bronze import partition_path, staging_dir, write_partition
from ingest.currency import RATES_FILE, missing_rates
from ingest.focus import BRONZE_BILLING_SCHEMA, Focus
from ingest.housekeeping import temporary_prefix
from ingest.landing.sources import Source, SourceObject
from ingest.landing.zone import LandingError, LandingZone
from ingest.mapping import MappingError, RuleSet, apply_rules, load_rules
from ingest.schemas import BILLING_TABLES


class BillingFileError(ValueError):
    """A delivery that cannot be read or mapped; the message names the file and the problem."""


# What a bad delivery raises: it is refused (named, bronze kept) instead of stopping the other deliveries.
REFUSALS = (BillingFileError, LandingError)


@dataclass(frozen=True)
class AmountLimits:
    """Ceilings on one billing line's amount (billed or effective, in its currency) before a delivery may replace
    the last good one: an amount no real bill holds (1e300, a unit slip) is refused, not published.

    - ``max_line_amount``: any line of any account;
    - ``max_ratio_to_history``: × the largest line the same billing account had in bronze before (other months and
      deliveries), once it has history. Raise it for an account whose upfront purchases dwarf its usage lines.
    """

    max_line_amount: float = 1e9
    max_ratio_to_history: float = 100_000.0


@dataclass(frozen=True)
class BillingFormat:
    name: str
    provider: str
    rules_file: Path
    read: Callable[..., pl.DataFrame]  # (path, rules, **context) → one file's typed source frame

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
    refused: str | None = None  # why the delivery was refused (bronze kept the last good one)
    removed: bool = False  # the delivery is gone from the source, so its partition left bronze
    notes: tuple[str, ...] = ()  # judgement calls made on the way (a duplicate file read once, …)

    @property
    def action(self) -> str:
        if self.refused:
            return "refused"
        if self.removed:
            return "removed"
        return "skipped" if self.skipped else "replaced"


def normalize(
    fmt: BillingFormat, paths: list[Path], period: str, delivery_id: str, context: dict | None = None
) -> pl.DataFrame:
    """Read one delivery's files and map them to bronze billing rows."""
    frames = []
    for path in paths:
        try:
            source = fmt.read(path, fmt.rules, **(context or {}))
            mapped = apply_rules(fmt.rules, source)
        except BillingFileError:
            raise
        except (MappingError, pl.exceptions.PolarsError, OSError, ValueError) as exc:
            raise BillingFileError(f"{fmt.name}: {path.name}: {exc}") from exc
        # A format may hand over columns of its own beyond the rules' (a FOCUS export's x_ columns): kept as text.
        kept = [c for c in source.columns if c.startswith("x_") and c not in fmt.rules.source_columns]
        kept = [c for c in kept if c not in BRONZE_BILLING_SCHEMA]
        frames.append(
            pl.concat([mapped, source.select(pl.col(kept).cast(pl.String))], how="horizontal").with_columns(
                pl.lit(period).alias("x_BillingPeriod"),
                pl.lit(delivery_id).alias("x_DeliveryId"),
                pl.lit(path.name).alias("x_SourceFile"),
                pl.int_range(pl.len(), dtype=pl.Int64).alias("x_SourceRow"),
            )
        )
    frame = pl.concat(frames, how="diagonal") if frames else pl.DataFrame(schema=BRONZE_BILLING_SCHEMA)
    if frame[Focus.BillingCurrency].null_count():
        raise BillingFileError(
            f"{fmt.name} {period}: {frame[Focus.BillingCurrency].null_count()} rows have no currency "
            f"(first: {_where(frame.filter(pl.col(Focus.BillingCurrency).is_null()))})"
        )
    missing = missing_rates({(period, c) for c in frame[Focus.BillingCurrency].unique().to_list()})
    if missing:
        first = frame.filter(pl.col(Focus.BillingCurrency).is_in([c for _, c in missing]))
        raise BillingFileError(
            f"{fmt.name} {period}: no exchange rate for {missing} (month, currency) in {RATES_FILE.name}; "
            f"refusing to add different currencies (first: {_where(first)})"
        )
    return frame


def _where(rows: pl.DataFrame) -> str:
    """'file.csv row 12' for the first of ``rows`` (rows counted from 1, as a spreadsheet shows data rows)."""
    first = rows.row(0, named=True)
    return f"{first['x_SourceFile']} row {first['x_SourceRow'] + 1}"


_AMOUNTS = [name for name, dtype in BRONZE_BILLING_SCHEMA.items() if dtype == pl.Float64()]
# A line's size, for the ceiling: its billed or effective cost, whichever is larger in absolute terms.
_LINE_AMOUNT = pl.max_horizontal(pl.col(Focus.BilledCost).abs(), pl.col(Focus.EffectiveCost).abs())


def account_history(bronze_root: Path, table: str, exclude: Path) -> dict[str, float]:
    """The largest absolute line amount each billing account had in bronze, outside the partition ``exclude``."""
    files = [f for f in (bronze_root / table).glob("**/*.parquet") if f != exclude and "_empty" not in f.parts]
    if not files:
        return {}
    history = (
        pl.scan_parquet(files, missing_columns="insert", extra_columns="ignore")
        .group_by(Focus.BillingAccountId)
        .agg(_LINE_AMOUNT.max().alias("largest"))
        .collect()
    )
    return {row[0]: row[1] for row in history.iter_rows() if row[1] is not None}


def validate(frame: pl.DataFrame, fmt: BillingFormat, period: str, limits: AmountLimits, history: dict) -> None:
    """Refuse a delivery with a non-finite amount or a line above its ceiling, naming the file and row."""
    for column in _AMOUNTS:
        bad = frame.filter(pl.col(column).is_nan() | pl.col(column).is_infinite())
        if bad.height:
            raise BillingFileError(
                f"{fmt.name} {period}: {bad.height} rows have {column} = {bad[column][0]} (not a finite number; "
                f"first: {_where(bad)}); the delivery is refused and bronze keeps the last good one"
            )
    ratio = limits.max_ratio_to_history
    ceiling = pl.min_horizontal(
        pl.lit(limits.max_line_amount),
        pl.col(Focus.BillingAccountId).replace_strict(history, default=None, return_dtype=pl.Float64) * ratio,
    )
    over = frame.with_columns(ceiling.alias("_ceiling")).filter(pl.col("_ceiling") < _LINE_AMOUNT)
    if over.height:
        first = over.row(0, named=True)
        raise BillingFileError(
            f"{fmt.name} {period}: {over.height} lines exceed their ceiling (first: {_where(over)}, account "
            f"{first[Focus.BillingAccountId]}, billed {first[Focus.BilledCost]:.6g} > {first['_ceiling']:.6g}: the "
            f"smaller of max_line_amount {limits.max_line_amount:.6g} and {ratio:.6g} × the account's largest earlier "
            "line); the delivery is refused and bronze keeps the last good one (raise the limits of the warehouse "
            "resource if the amount is real)"
        )


# Provider line types that are negative by design (AWS negates the on-demand usage a Savings Plan covered).
NEGATIVE_BY_DESIGN = ["SavingsPlanNegation"]


def negative_usage_notes(frame: pl.DataFrame) -> list[str]:
    """The rule for Usage lines with a negative amount: providers post them as corrections of usage billed
    earlier in the period (a refund of a bad hour, a re-rating). They are kept as billed and net into the cost
    pool of the hour and resource they name — dropping them would overcharge, moving them elsewhere would guess.
    The load says how many there were, so a surprising one gets a look."""
    negative = frame.filter(
        (pl.col(Focus.ChargeCategory) == "Usage")
        & (pl.col(Focus.BilledCost) < 0)
        & ~pl.col(Focus.x_ProviderLineItemType).fill_null("").is_in(NEGATIVE_BY_DESIGN)
    )
    if not negative.height:
        return []
    return [
        f"{negative.height} Usage lines have a negative amount (billed {negative[Focus.BilledCost].sum():,.2f}; "
        f"first: {_where(negative)}): kept as corrections, netted into their hour's cost pool"
    ]


def _accounts_billed_elsewhere(bronze_root: Path, target: Path, frame: pl.DataFrame) -> dict[str, str]:
    """Billing accounts of ``frame`` that another partition of the same billing period already holds — of this
    billing table or another (a provider's own format and its FOCUS export) — with that partition: two deliveries
    of one account-month (a second export of the same bill) would count it twice."""
    period = target.parent.name  # billing_period=YYYY-MM
    accounts = set(frame[Focus.BillingAccountId].unique().to_list())
    found = {}
    for table in BILLING_TABLES:
        for other in (bronze_root / table).glob(f"**/{period}/*.parquet"):
            if other.parent == target.parent:
                continue
            held = pl.read_parquet(other, columns=[str(Focus.BillingAccountId)])[Focus.BillingAccountId]
            for account in accounts & set(held.unique().to_list()):
                found[account] = other.parent.relative_to(bronze_root).as_posix()
    return found


def delivery_in_bronze(bronze_root: Path, table: str, partition: dict[str, str]) -> str | None:
    """The delivery id a billing partition of bronze holds (a partition is replaced whole, so it holds one), or
    None when bronze holds none for it: what decides whether a delivery is already loaded."""
    target = partition_path(bronze_root, table, partition)
    if not target.exists():
        return None
    ids = pl.read_parquet(target, columns=["x_DeliveryId"])["x_DeliveryId"].unique().to_list()
    return ids[0] if len(ids) == 1 else None


def load_delivery(
    source: Source,
    delivery: Delivery,
    listing: dict[str, SourceObject],
    landing: LandingZone,
    bronze_root: Path,
    table: str,
    limits: AmountLimits | None = None,
) -> BillingLoad:
    """Land one delivery and replace its bronze partition (or skip it when bronze already holds it); raises
    ``BillingFileError`` naming the file and the reason when the delivery is refused (bronze is kept)."""
    fmt = delivery.format
    limits = limits or AmountLimits()
    target = partition_path(bronze_root, table, delivery.bronze_partition)
    notes: list[str] = []
    held = delivery_in_bronze(bronze_root, table, delivery.bronze_partition) if delivery.delivery_id else None
    if held is not None and held == delivery.delivery_id:
        changed = _changed_since_landed(landing, fmt, delivery, listing)
        if not changed:
            existing = pl.read_parquet(target, columns=["x_DeliveryId", Focus.BilledCost, Focus.EffectiveCost])
            return _load(fmt, delivery.billing_period, delivery.delivery_id, delivery.data_keys, existing, True)
        # The id is the provider's promise of unchanged content; sizes that differ break it: read it again.
        notes.append(f"content changed under the same delivery id {delivery.delivery_id} ({changed}): reloaded")
    where = f"manifest {delivery.manifest_key}" if delivery.manifest_key else f"{fmt.name} delivery"
    repeated = sorted({key for key in delivery.data_keys if delivery.data_keys.count(key) > 1})
    if repeated:
        raise BillingFileError(f"{where} lists {repeated} more than once: its rows would be counted twice")
    missing = [key for key in delivery.data_keys if key not in listing]
    if missing:
        raise BillingFileError(f"{where} names objects that are not in the source: {missing}")
    objects = [listing[key] for key in delivery.data_keys]
    if delivery.manifest_key:
        objects.append(listing[delivery.manifest_key])
    files = landing.land_delivery(source, objects, f"billing/{fmt.provider}", delivery_id=delivery.delivery_id)
    delivery_id = files[0].delivery_id
    data: list[Path] = []
    seen: dict[str, str] = {}
    for f in files:
        if f.key not in delivery.data_keys:
            continue
        if f.sha256 in seen:  # an exact copy of another file of the delivery: its rows are already there
            notes.append(f"{f.key} is a byte-for-byte copy of {seen[f.sha256]}: read once")
            continue
        seen[f.sha256] = f.key
        data.append(Path(f.path))
    frame = normalize(fmt, data, delivery.billing_period, delivery_id, delivery.context)
    validate(frame, fmt, delivery.billing_period, limits, account_history(bronze_root, table, exclude=target))
    notes += negative_usage_notes(frame)
    if elsewhere := _accounts_billed_elsewhere(bronze_root, target, frame):
        account, other = next(iter(elsewhere.items()))
        raise BillingFileError(
            f"{where}: billing account {account} for {delivery.billing_period} is already loaded from {other}; "
            "two deliveries of one bill would count every dollar twice. Keep one export (remove the other from "
            "the source: its month leaves bronze on the next run)"
        )
    extra = {c: pl.String() for c in frame.columns if c not in BRONZE_BILLING_SCHEMA}
    write_partition(frame, bronze_root, table, delivery.bronze_partition, {**BRONZE_BILLING_SCHEMA, **extra})
    load = _load(fmt, delivery.billing_period, delivery_id, delivery.data_keys, frame, False)
    return dataclasses.replace(load, notes=tuple(notes))


def load_deliveries(
    source: Source,
    deliveries: list[Delivery],
    listing: dict[str, SourceObject],
    landing: LandingZone,
    bronze_root: Path,
    table: str,
    limits: AmountLimits | None,
    refused: list[BillingLoad] | None,
) -> list[BillingLoad]:
    """``load_delivery`` for each; a refused one raises, or — given a ``refused`` list — is reported there and
    the others still load."""
    loads = []
    for delivery in deliveries:
        try:
            loads.append(load_delivery(source, delivery, listing, landing, bronze_root, table, limits))
        except REFUSALS as exc:
            if refused is None:
                raise
            refused.append(refused_load(delivery, exc))
    return loads


def _changed_since_landed(
    landing: LandingZone, fmt: BillingFormat, delivery: Delivery, listing: dict[str, SourceObject]
) -> str:
    """Which data objects the source now lists with another size than when this delivery id landed ('' if none,
    or when the landing zone has no record to compare with)."""
    landed = {
        f.key: f.size for f in landing.manifest(f"billing/{fmt.provider}") if f.delivery_id == delivery.delivery_id
    }
    changed = [
        key for key in delivery.data_keys if key in listing and key in landed and listing[key].size != landed[key]
    ]
    return ", ".join(changed)


def refused_load(delivery: Delivery, reason: Exception) -> BillingLoad:
    """What a refused delivery reports: nothing loaded, and why."""
    return BillingLoad(
        delivery.format.name,
        delivery.billing_period,
        delivery.delivery_id or "",
        delivery.data_keys,
        0,
        0.0,
        0.0,
        False,
        refused=str(reason),
    )


def remove_vanished(
    bronze_root: Path, table: str, fmt: BillingFormat, kept: list[dict[str, str]], periods: set[str] | None
) -> list[BillingLoad]:
    """Bronze follows the source: remove every partition of ``table`` (within ``periods``) that no delivery found
    in the source maps to any more — a delivery deleted from the source (say a second export of the same bill)
    leaves bronze on the next run. The landing zone keeps its files."""
    keep = {partition_path(bronze_root, table, p).parent for p in kept}
    removed = []
    for folder in sorted({f.parent for f in (bronze_root / table).glob("**/billing_period=*/data.parquet")}):
        period = folder.name.removeprefix("billing_period=")
        if folder in keep or (periods is not None and period not in periods):
            continue
        old = pl.read_parquet(folder / "data.parquet", columns=["x_DeliveryId", Focus.BilledCost, Focus.EffectiveCost])
        gone = staging_dir(bronze_root) / f"{temporary_prefix('retired')}{uuid.uuid4().hex}"
        folder.rename(gone)  # one rename: readers see the partition or nothing
        shutil.rmtree(gone, ignore_errors=True)
        delivery = old["x_DeliveryId"][0] if old.height else ""
        removed.append(dataclasses.replace(_load(fmt, period, delivery, (), old, False), removed=True))
    return removed


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

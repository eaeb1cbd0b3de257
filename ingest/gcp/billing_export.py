"""GCP Cloud Billing export rows (standard or detailed resource-level schema) as JSONL files.

The nested record is flattened into the columns ``rules/billing_export.toml`` maps: commitment and
sustained-use credits are folded into the usage row (they are the price of that usage), every other credit
becomes a row of its own that keeps the usage row's resource, labels and hour.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, cast

import duckdb
import polars as pl

from ingest import duck
from ingest.billing import (
    AmountLimits,
    BillingFormat,
    BillingLoad,
    Delivery,
    load_deliveries,
    remove_vanished,
)
from ingest.landing.sources import Source, index_by_key
from ingest.landing.zone import LandingZone
from ingest.mapping import MappingError, RuleSet
from ingest.schemas import GCP_BILLING_TABLE

_INVOICE_MONTH = re.compile(r"(?:^|/)invoice_month=(\d{4})(\d{2})/[^/]+\.(?:jsonl?|parquet)$")

FOLDED_CREDITS = frozenset(
    {"COMMITTED_USAGE_DISCOUNT", "COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE", "SUSTAINED_USAGE_DISCOUNT"}
)
COMMITMENT_CREDITS = frozenset({"COMMITTED_USAGE_DISCOUNT", "COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE"})
SEPARATE_CREDITS = frozenset(
    {
        "PROMOTION",
        "FREE_TIER",
        "DISCOUNT",
        "RESELLER_MARGIN",
        "SUBSCRIPTION_BENEFIT",
        "FEE_UTILIZATION_OFFSET",
    }
)

_KV = pl.List(pl.Struct({"key": pl.String(), "value": pl.String()}))
EXPORT_SCHEMA = {
    "billing_account_id": pl.String(),
    "service": pl.Struct({"id": pl.String(), "description": pl.String()}),
    "sku": pl.Struct({"id": pl.String(), "description": pl.String()}),
    "usage_start_time": pl.String(),
    "usage_end_time": pl.String(),
    "project": pl.Struct(
        {
            "id": pl.String(),
            "number": pl.String(),
            "name": pl.String(),
            "labels": _KV,
            "ancestry_numbers": pl.String(),
        }
    ),
    "labels": _KV,
    "system_labels": _KV,
    "location": pl.Struct(
        {"location": pl.String(), "country": pl.String(), "region": pl.String(), "zone": pl.String()}
    ),
    "resource": pl.Struct({"name": pl.String(), "global_name": pl.String()}),
    "export_time": pl.String(),
    "cost": pl.Float64(),
    "currency": pl.String(),
    "currency_conversion_rate": pl.Float64(),
    "usage": pl.Struct(
        {
            "amount": pl.Float64(),
            "unit": pl.String(),
            "amount_in_pricing_units": pl.Float64(),
            "pricing_unit": pl.String(),
        }
    ),
    "credits": pl.List(
        pl.Struct(
            {
                "name": pl.String(),
                "amount": pl.Float64(),
                "full_name": pl.String(),
                "id": pl.String(),
                "type": pl.String(),
            }
        )
    ),
    "invoice": pl.Struct({"month": pl.String()}),
    "cost_type": pl.String(),
    "cost_at_list": pl.Float64(),
}


def _utc(col: str) -> pl.Expr:
    return pl.col(col).str.to_datetime(time_zone="UTC").dt.convert_time_zone("UTC").dt.replace_time_zone(None)


# Fields every export row carries; a row without one is refused (never read as a silent null).
REQUIRED = {
    "billing_account_id": pl.col("billing_account_id"),
    "usage_start_time": pl.col("usage_start_time"),
    "usage_end_time": pl.col("usage_end_time"),
    "cost": pl.col("cost"),
    "currency": pl.col("currency"),
    "cost_type": pl.col("cost_type"),
    "invoice.month": pl.col("invoice").struct.field("month"),
}


def _check_required(raw: pl.DataFrame) -> None:
    for name, expr in REQUIRED.items():
        missing = raw.with_row_index("row", offset=1).filter(expr.is_null())["row"]
        if missing.len():
            raise MappingError(f"{missing.len()} rows lack {name} (first at row {missing[0]})")


_TIMESTAMPS = ("usage_start_time", "usage_end_time", "export_time")


def _read_raw(path: Path) -> pl.DataFrame:
    """One export file (JSONL or parquet) in the export schema; typed timestamps become ISO text like JSONL's."""
    if path.name.endswith(".parquet"):
        frame = pl.read_parquet(path)
        frame = frame.with_columns(
            pl.col(c).dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%dT%H:%M:%S%.fZ")
            if getattr(frame.schema[c], "time_zone", None)
            else pl.col(c).dt.strftime("%Y-%m-%dT%H:%M:%S%.fZ")
            for c in _TIMESTAMPS
            if c in frame.columns and isinstance(frame.schema[c], pl.Datetime)
        )
        missing = [c for c in EXPORT_SCHEMA if c not in frame.columns and c not in ("resource", "cost_at_list")]
        if missing:
            raise MappingError(f"not a billing export file, missing columns {missing}")
        for column in ("resource", "cost_at_list"):  # the standard export has no resource column
            if column not in frame.columns:
                frame = frame.with_columns(pl.lit(None).alias(column))
        return frame.select([pl.col(c).cast(t) for c, t in EXPORT_SCHEMA.items()])
    return _read_jsonl(path)


def _duck_type(dtype: Any) -> str:
    """The DuckDB type of an EXPORT_SCHEMA polars type."""
    if isinstance(dtype, pl.Struct):
        return "STRUCT(" + ", ".join(f'"{f.name}" {_duck_type(f.dtype)}' for f in dtype.fields) + ")"
    if isinstance(dtype, pl.List):
        return _duck_type(dtype.inner) + "[]"
    return {pl.String: "VARCHAR", pl.Float64: "DOUBLE"}[type(dtype)]


def _read_jsonl(path: Path) -> pl.DataFrame:
    """A JSONL export file through DuckDB's JSON reader (parallel; polars' took 7 s for 128 MB here), reading
    only the export schema's fields, typed; a line that is not JSON or a field of the wrong type is an error."""
    columns = ", ".join(f"'{name}': '{_duck_type(dtype)}'" for name, dtype in EXPORT_SCHEMA.items())
    try:
        with duck.connect() as con:
            query = f"select * from read_json(?, format = 'newline_delimited', columns = {{{columns}}})"
            frame = cast(pl.DataFrame, pl.from_arrow(con.sql(query, params=[str(path)]).to_arrow_table()))
    except duckdb.Error as exc:
        raise ValueError(str(exc).splitlines()[0]) from exc
    return frame.select([pl.col(c).cast(t) for c, t in EXPORT_SCHEMA.items()])


def read_export(path: Path, rules: RuleSet, list_prices: pl.DataFrame | None = None) -> pl.DataFrame:
    """The flattened export; ``list_prices`` (ingest/gcp/catalog.py) fills ListCost where cost_at_list is missing:
    unit price × usage in pricing units, for the row's SKU and region. Without either, ListCost is the cost."""
    raw = _read_raw(path)
    _check_required(raw)
    credit_types = set(raw["credits"].explode().struct.field("type").drop_nulls().unique().to_list())
    unknown = sorted(credit_types - FOLDED_CREDITS - SEPARATE_CREDITS)
    if unknown:
        raise MappingError(f"unknown credit types {unknown}")
    folded = (
        pl.col("credits")
        .list.eval(
            pl.element().filter(pl.element().struct.field("type").is_in(list(FOLDED_CREDITS))).struct.field("amount")
        )
        .list.sum()
    )
    month = pl.col("invoice").struct.field("month").str.to_datetime("%Y%m")
    base = raw.select(
        "billing_account_id",
        pl.col("service").struct.field("description").alias("service_description"),
        pl.col("sku").struct.field("id").alias("sku_id"),
        pl.col("sku").struct.field("description").alias("sku_description"),
        _utc("usage_start_time").alias("usage_start_time"),
        _utc("usage_end_time").alias("usage_end_time"),
        month.alias("invoice_month_start"),
        month.dt.offset_by("1mo").alias("invoice_month_end"),
        pl.col("project").struct.field("id").alias("project_id"),
        pl.col("project").struct.field("name").alias("project_name"),
        pl.col("location").struct.field("region").alias("location_region"),
        pl.col("location").struct.field("zone").alias("location_zone"),
        pl.col("resource").struct.field("global_name").alias("resource_global_name"),
        "cost",
        (pl.col("cost") + folded.fill_null(0.0)).alias("net_cost"),
        "cost_at_list",
        "currency",
        pl.col("usage").struct.field("amount_in_pricing_units").alias("usage_amount_in_pricing_units"),
        pl.col("usage").struct.field("pricing_unit").alias("usage_pricing_unit"),
        "cost_type",
        pl.col("system_labels")
        .list.eval(
            pl.element()
            .filter(pl.element().struct.field("key") == "compute.googleapis.com/machine_spec")
            .struct.field("value")
        )
        .list.first()
        .alias("machine_spec"),
        pl.col("sku")
        .struct.field("description")
        .str.contains("(?i)spot|preemptible")
        .fill_null(False)
        .alias("is_spot"),
        pl.col("credits")
        .list.eval(pl.element().struct.field("type").is_in(list(COMMITMENT_CREDITS)))
        .list.any()
        .fill_null(False)
        .alias("has_commitment_credit"),
        pl.concat_list(
            pl.col("project").struct.field("labels").fill_null(pl.lit([], dtype=_KV)),
            pl.col("labels").fill_null(pl.lit([], dtype=_KV)),
        ).alias("all_labels"),
        pl.col("credits"),
    )
    credit_rows = (
        base.explode("credits")
        .drop_nulls("credits")
        .filter(pl.col("credits").struct.field("type").is_in(list(SEPARATE_CREDITS)))
        .with_columns(
            pl.col("credits").struct.field("amount").alias("cost"),
            pl.col("credits").struct.field("amount").alias("net_cost"),
            pl.col("credits").struct.field("amount").alias("cost_at_list"),
            pl.col("credits").struct.field("name").alias("sku_description"),
            pl.lit("credit").alias("cost_type"),
            pl.lit(None, dtype=pl.Float64).alias("usage_amount_in_pricing_units"),
        )
    )
    flat = pl.concat([base.drop("credits"), credit_rows.drop("credits")])
    if list_prices is not None and list_prices.height:
        prices = list_prices.select(
            "sku_id", pl.col("region").alias("location_region"), pl.col("unit_price").alias("_unit_price")
        ).unique(subset=["sku_id", "location_region"], keep="last")
        flat = flat.join(prices, on=["sku_id", "location_region"], how="left").with_columns(
            pl.col("cost_at_list").fill_null(pl.col("_unit_price") * pl.col("usage_amount_in_pricing_units"))
        )
    flat = flat.with_columns(pl.col("cost_at_list").fill_null(pl.col("cost")))
    return flat.select([pl.col(c).cast(t) for c, t in rules.source_columns.items()])


BILLING_EXPORT = BillingFormat(
    name="gcp_billing_export",
    provider="gcp",
    rules_file=Path(__file__).parent / "rules" / "billing_export.toml",
    read=read_export,
)


def list_prices_in(bronze_root: Path) -> pl.DataFrame | None:
    """The list-price table the catalog asset keeps in bronze, when it has been fetched."""
    files = sorted(bronze_root.glob("gcp_list_prices/**/*.parquet"))
    frame = pl.concat([pl.read_parquet(f) for f in files]) if files else None
    return frame if frame is not None and frame.height else None


def ingest_gcp_billing(
    source: Source,
    prefix: str,
    landing: LandingZone,
    bronze_root: Path,
    limits: AmountLimits | None = None,
    refused: list[BillingLoad] | None = None,
) -> list[BillingLoad]:
    """Load every invoice month found under ``prefix`` (``invoice_month=YYYYMM/*.jsonl``) into bronze, and remove
    the months whose files are all gone from the source. Refusals as in ``ingest_aws_billing``."""
    listing = index_by_key(source.list_objects(prefix))
    months: dict[str, list[str]] = {}
    for key in sorted(listing):
        if match := _INVOICE_MONTH.search(key):
            months.setdefault(f"{match[1]}-{match[2]}", []).append(key)
    prices = list_prices_in(bronze_root)
    deliveries = [
        Delivery(BILLING_EXPORT, period, tuple(keys), {"source": "files"}, context={"list_prices": prices})
        for period, keys in months.items()
    ]
    # Gone months leave first; an empty listing never empties bronze (BigQuery's usage-day partitions: untouched).
    kept = [d.bronze_partition for d in deliveries]
    loads = remove_vanished(bronze_root, GCP_BILLING_TABLE, BILLING_EXPORT, kept, None) if deliveries else []
    return loads + load_deliveries(
        source, deliveries, listing, landing, bronze_root, GCP_BILLING_TABLE, limits, refused
    )

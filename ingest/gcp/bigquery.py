"""GCP billing export read from BigQuery (google-cloud-bigquery), a trailing window of usage days at a time.

GCP writes export rows late (hours to days) and revises them, so each run re-reads the days
[first - lookback, last] and replaces each of those days in bronze: a late row lands in its day, a revised row
replaces the old one, nothing is counted twice. The query names only the columns used and prunes by
_PARTITIONTIME (export time is never before usage), so it scans only the window. Each day's result is landed
as JSONL exactly as received, and normalized by the same reader and rules as exported files.
Credentials: Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud, metadata server).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from ingest.billing import BillingLoad, normalize
from ingest.bronze import partition_path, write_partition
from ingest.focus import BRONZE_BILLING_SCHEMA, Focus
from ingest.gcp.billing_export import BILLING_EXPORT, list_prices_in
from ingest.landing.zone import LandingZone
from ingest.schemas import GCP_BILLING_TABLE

_TABLE_NAME = re.compile(r"^[a-z][a-z0-9-]{4,61}[a-z0-9]\.[A-Za-z0-9_]{1,1024}\.[A-Za-z0-9_$-]{1,1024}$")
STANDARD_COLUMNS = (
    "billing_account_id",
    "service",
    "sku",
    "usage_start_time",
    "usage_end_time",
    "project",
    "labels",
    "system_labels",
    "location",
    "export_time",
    "cost",
    "currency",
    "currency_conversion_rate",
    "usage",
    "credits",
    "invoice",
    "cost_type",
    "cost_at_list",
)
DETAILED_COLUMNS = (*STANDARD_COLUMNS, "resource")


def export_query(table: str, detailed: bool) -> str:
    if not _TABLE_NAME.match(table):
        raise ValueError(f"not a BigQuery table name (project.dataset.table): {table!r}")
    columns = ", ".join(DETAILED_COLUMNS if detailed else STANDARD_COLUMNS)
    return (
        f"SELECT {columns} FROM `{table}` "
        "WHERE _PARTITIONTIME >= TIMESTAMP_TRUNC(@window_start, DAY) "
        "AND usage_start_time >= @window_start AND usage_start_time < @window_end"
    )


@dataclass
class BigQueryExport:
    """The export table; ``detailed`` (resource-level) tables are named ``gcp_billing_export_resource_v1_…``."""

    table: str
    client: Any = None
    project: str | None = None

    @property
    def detailed(self) -> bool:
        return "_resource_" in self.table.rsplit(".", 1)[-1]

    def rows(self, start: datetime, end: datetime) -> list[dict]:
        from google.cloud import bigquery

        client = self.client or bigquery.Client(project=self.project or self.table.split(".")[0])
        config = bigquery.QueryJobConfig(
            query_parameters=[
                bigquery.ScalarQueryParameter("window_start", "TIMESTAMP", start),
                bigquery.ScalarQueryParameter("window_end", "TIMESTAMP", end),
            ]
        )
        return [
            dict(row.items())
            for row in client.query_and_wait(export_query(self.table, self.detailed), job_config=config)
        ]


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _usage_day(row: dict) -> date:
    start = row["usage_start_time"]
    if isinstance(start, str):
        start = datetime.fromisoformat(start.replace("Z", "+00:00"))
    return start.astimezone(UTC).date() if start.tzinfo else start.date()


def ingest_gcp_bigquery(
    export: BigQueryExport, landing: LandingZone, bronze_root: Path, first: date, last: date, lookback_days: int = 5
) -> list[BillingLoad]:
    """Re-read usage days [first - lookback, last] and replace each of them in bronze gcp_billing_line_items."""
    start_day = first - timedelta(days=lookback_days)
    start = datetime(start_day.year, start_day.month, start_day.day, tzinfo=UTC)
    end = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1)
    by_day: dict[date, list[str]] = {}
    for row in export.rows(start, end):
        by_day.setdefault(_usage_day(row), []).append(json.dumps(row, default=_json_default, sort_keys=True))
    context = {"list_prices": list_prices_in(bronze_root)}
    loads, day = [], start_day
    while day <= last:
        lines = sorted(by_day.get(day, []))  # order-independent content, so an unchanged day has the same id
        data = "".join(line + "\n" for line in lines).encode()
        partition = {"source": "bigquery", "usage_date": day.isoformat()}
        key = f"{export.table}/usage_date={day.isoformat()}/rows.jsonl"
        landed = landing.land_bytes(f"bq://{export.table}", "billing/gcp", key, data)
        target = partition_path(bronze_root, GCP_BILLING_TABLE, partition)
        period = f"{day:%Y-%m}"
        if target.exists() and _delivery_of(target) == landed.delivery_id:
            loads.append(
                BillingLoad(
                    BILLING_EXPORT.name, day.isoformat(), landed.delivery_id, (key,), len(lines), 0.0, 0.0, True
                )
            )
        else:
            if lines:
                frame = normalize(BILLING_EXPORT, [Path(landed.path)], period, landed.delivery_id, context)
            else:
                frame = pl.DataFrame(schema=BRONZE_BILLING_SCHEMA)
            write_partition(frame, bronze_root, GCP_BILLING_TABLE, partition, BRONZE_BILLING_SCHEMA)
            loads.append(
                BillingLoad(
                    BILLING_EXPORT.name,
                    day.isoformat(),
                    landed.delivery_id,
                    (key,),
                    frame.height,
                    float(frame[Focus.BilledCost].sum()),
                    float(frame[Focus.EffectiveCost].sum()),
                    False,
                )
            )
        day += timedelta(days=1)
    return loads


def _delivery_of(target: Path) -> str | None:
    ids = pl.read_parquet(target, columns=["x_DeliveryId"])["x_DeliveryId"].unique().to_list()
    return ids[0] if len(ids) == 1 else None

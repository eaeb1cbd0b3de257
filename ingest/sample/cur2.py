"""A CUR 2.0 (Data Exports) delivery as AWS writes it into its bucket: the parquet data file and the manifest that
names it, under ``<prefix>/<export>/{data,metadata}/BILLING_PERIOD=YYYY-MM/``."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ingest.sample.common import iso

PAYER_ACCOUNT = "999999999999"
# The money columns of the sample's line items: what a restated bill changes.
MONEY_COLUMNS = (
    "line_item_unblended_cost",
    "pricing_public_on_demand_cost",
    "savings_plan_savings_plan_effective_cost",
    "savings_plan_total_commitment_to_date",
    "savings_plan_used_commitment",
    "reservation_effective_cost",
)


def restated(table: pa.Table, factor: float) -> pa.Table:
    """The same line items with every amount × ``factor``: the month as AWS delivers it again after a correction."""
    import pyarrow.compute as pc

    for name in MONEY_COLUMNS:
        column = table.schema.get_field_index(name)
        table = table.set_column(column, name, pc.multiply(table[name], factor).cast(table.schema.field(name).type))
    return table


def write_cur2_delivery(
    bucket_root: Path, table: pa.Table, month: str, export: str = "cpt-demo", prefix: str = "cur2", part: int = 1
) -> str:
    """Write a CUR 2.0 Data Exports delivery (data file + metadata manifest) under a bucket-like folder.

    Returns the execution id, which AWS changes on every refresh of the month (derived here from the bytes).
    """
    data_key = f"{prefix}/{export}/data/BILLING_PERIOD={month}/{export}-{part:05d}.snappy.parquet"
    data_path = bucket_root / data_key
    data_path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, data_path, compression="snappy")
    digest = hashlib.sha256(data_path.read_bytes()).hexdigest()
    execution_id = f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
    start = datetime.strptime(month, "%Y-%m")
    manifest = {
        "executionId": execution_id,
        "exportArn": f"arn:aws:bcm-data-exports:us-east-1:{PAYER_ACCOUNT}:export/{export}",
        "exportName": export,
        "billingPeriod": {"start": iso(start), "end": iso((start + timedelta(days=32)).replace(day=1))},
        "columns": [{"name": f.name, "type": str(f.type)} for f in table.schema],
        "dataFiles": [f"s3://acme-billing/{data_key}"],
    }
    manifest_path = bucket_root / prefix / export / "metadata" / f"BILLING_PERIOD={month}" / f"{export}-Manifest.json"
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return execution_id


_TS = pa.timestamp("us")
CUR2_SCHEMA = pa.schema(
    [
        ("bill_billing_period_start_date", _TS),
        ("bill_billing_period_end_date", _TS),
        ("bill_payer_account_id", pa.string()),
        ("bill_invoice_id", pa.string()),
        ("line_item_usage_account_id", pa.string()),
        ("line_item_line_item_type", pa.string()),
        ("line_item_usage_start_date", _TS),
        ("line_item_usage_end_date", _TS),
        ("line_item_product_code", pa.string()),
        ("line_item_usage_type", pa.string()),
        ("line_item_resource_id", pa.string()),
        ("line_item_usage_amount", pa.float64()),
        ("line_item_unblended_cost", pa.float64()),
        ("line_item_line_item_description", pa.string()),
        ("line_item_currency_code", pa.string()),
        ("line_item_availability_zone", pa.string()),
        ("pricing_public_on_demand_cost", pa.float64()),
        ("pricing_term", pa.string()),
        ("pricing_unit", pa.string()),
        ("product_instance_type", pa.string()),
        ("product_region_code", pa.string()),
        ("product_sku", pa.string()),
        ("savings_plan_savings_plan_effective_cost", pa.float64()),
        ("savings_plan_savings_plan_a_r_n", pa.string()),
        ("savings_plan_total_commitment_to_date", pa.float64()),
        ("savings_plan_used_commitment", pa.float64()),
        ("reservation_effective_cost", pa.float64()),
        ("reservation_reservation_a_r_n", pa.string()),
        ("reservation_unused_amortized_upfront_fee_for_billing_period", pa.float64()),
        ("reservation_unused_recurring_fee", pa.float64()),
        ("resource_tags", pa.map_(pa.string(), pa.string())),
    ]
)

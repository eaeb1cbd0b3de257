"""Billing deliveries → landing zone → bronze billing_line_items (FOCUS)."""

import dagster as dg

from ingest.aws.cur2 import CUR2
from ingest.billing import ingest_billing
from ingest.gcp.billing_export import BILLING_EXPORT
from orchestration.resources import LocalSourceResource, WarehouseResource


@dg.asset(
    key="billing_line_items",
    group_name="billing",
    kinds={"python", "polars", "parquet"},
    owners=["team:platform"],
    tags={"layer": "bronze"},
)
def billing_line_items(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, deliveries: LocalSourceResource
) -> dg.MaterializeResult:
    """Every billing delivery (AWS CUR 2.0, GCP billing export) landed as delivered and mapped to FOCUS 1.2 columns.

    One parquet partition per (format, billing period); a new delivery of a period replaces it, an unchanged
    one is skipped. Rules: ingest/aws/rules/cur2.toml, ingest/gcp/rules/billing_export.toml.
    """
    source = deliveries.source()
    loads = []
    for fmt, prefix in (
        (CUR2, deliveries.billing_aws_cur2_prefix),
        (BILLING_EXPORT, deliveries.billing_gcp_export_prefix),
    ):
        loads += ingest_billing(source, prefix, warehouse.landing, warehouse.layout.bronze, fmt)
    for load in loads:
        context.log.info(
            f"{load.format} {load.billing_period}: delivery {load.delivery_id}, {load.rows} rows, "
            f"billed {load.billed_cost:,.2f}, {'unchanged (skipped)' if load.skipped else 'replaced'}"
        )
    table = "\n".join(
        f"| {x.format} | {x.billing_period} | {x.delivery_id} | {x.rows} | {x.billed_cost:,.2f} | "
        f"{x.effective_cost:,.2f} | {'skipped' if x.skipped else 'replaced'} |"
        for x in loads
    )
    return dg.MaterializeResult(
        metadata={
            "deliveries": len(loads),
            "rows": sum(x.rows for x in loads),
            "billed_cost_usd": round(sum(x.billed_cost for x in loads), 2),
            "effective_cost_usd": round(sum(x.effective_cost for x in loads), 2),
            "by_delivery": dg.MetadataValue.md(
                "| format | period | delivery | rows | billed | effective | action |\n|---|---|---|---|---|---|---|\n"
                + table
            ),
        }
    )

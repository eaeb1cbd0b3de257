"""GCP billing export files → landing zone → bronze gcp_billing_line_items."""

import dagster as dg

from ingest.gcp.billing_export import ingest_gcp_billing
from orchestration.defs.billing_metadata import loads_metadata
from orchestration.resources import DeliverySourceResource, WarehouseResource


@dg.asset(
    key="gcp_billing_line_items",
    group_name="billing",
    kinds={"python", "polars", "parquet"},
    owners=["team:platform"],
    tags={"layer": "bronze"},
)
def gcp_billing_line_items(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, gcp_billing: DeliverySourceResource
) -> dg.MaterializeResult:
    """Every invoice month of the GCP billing export (JSONL files), mapped to FOCUS 1.2.

    Commitment and sustained-use credits are folded into the usage they discount; other credits become rows
    that keep the usage's resource and labels. Rules: ingest/gcp/rules/billing_export.toml.
    """
    source, prefix = gcp_billing.open()
    loads = ingest_gcp_billing(source, prefix, warehouse.landing, warehouse.layout.bronze)
    for load in loads:
        context.log.info(f"{load.format} {load.billing_period}: {load.rows} rows, billed {load.billed_cost:,.2f}")
    return dg.MaterializeResult(metadata=loads_metadata(loads))

"""AWS billing deliveries (CUR 2.0, legacy CUR, AWS FOCUS) → landing zone → bronze aws_billing_line_items."""

import dagster as dg

from ingest.aws.deliveries import ingest_aws_billing
from orchestration.defs.billing_metadata import loads_metadata
from orchestration.partitions import monthly_partitions, months_of
from orchestration.resources import DeliverySourceResource, WarehouseResource


@dg.asset(
    key="aws_billing_line_items",
    group_name="billing",
    kinds={"python", "polars", "parquet", "s3"},
    owners=["team:platform"],
    tags={"layer": "bronze"},
    partitions_def=monthly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def aws_billing_line_items(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, aws_billing: DeliverySourceResource
) -> dg.MaterializeResult:
    """The latest AWS delivery of each billing month, landed as delivered and mapped to FOCUS 1.2.

    Deliveries are found from their manifests (Data Exports or legacy CUR). A new delivery (new executionId or
    assemblyId) replaces its month; the delivery already in bronze is skipped without downloading.
    Rules: ingest/aws/rules/cur2.toml (CUR 2.0 and legacy CUR), ingest/aws/rules/focus.toml.
    """
    source, prefix = aws_billing.open()
    months = months_of(context.partition_time_window)
    loads = ingest_aws_billing(source, prefix, warehouse.landing, warehouse.layout.bronze, periods=months)
    aws_billing.warn_refused_links(context, source)
    for load in loads:
        context.log.info(
            f"{load.format} {load.billing_period}: delivery {load.delivery_id}, {load.rows} rows, "
            f"billed {load.billed_cost:,.2f}, {'unchanged (skipped)' if load.skipped else 'replaced'}"
        )
    if not loads:
        context.log.warning(f"no AWS delivery found for {sorted(months)} under {aws_billing.uri}")
    return dg.MaterializeResult(metadata=loads_metadata(loads))

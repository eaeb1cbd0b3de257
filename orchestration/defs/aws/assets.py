"""AWS billing deliveries (CUR 2.0, legacy CUR, AWS FOCUS) → landing zone → bronze aws_billing_line_items."""

import dagster as dg

from ingest.aws.deliveries import ingest_aws_billing
from orchestration.billing_metadata import deliveries_check, report_loads
from orchestration.bronze_assets import bronze_asset
from orchestration.partitions import monthly_partitions, months_of
from orchestration.resources import DeliverySourceResource, WarehouseResource


@bronze_asset(
    "aws_billing_line_items", "aws", "s3", monthly_partitions, check_specs=[deliveries_check("aws_billing_line_items")]
)
def aws_billing_line_items(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, aws_billing: DeliverySourceResource
) -> dg.MaterializeResult:
    """The latest AWS delivery of each billing month, landed as delivered and mapped to FOCUS 1.2.

    Deliveries are found from their manifests (Data Exports or legacy CUR). A new delivery (new executionId or
    assemblyId) replaces its month once validated; the delivery already in bronze is skipped without downloading; a
    month whose delivery is gone from the source leaves bronze. A refused delivery (unreadable, non-finite or
    absurd amounts, a file listed twice, a second export of the same bill) keeps the last good month and fails
    the deliveries_accepted check with its reason, without stopping the other months.
    Rules: ingest/aws/rules/cur2.toml (CUR 2.0 and legacy CUR), ingest/aws/rules/focus.toml.
    """
    if aws_billing.absent:  # no AWS account: bronze keeps what it has, nothing is refused
        return report_loads(context, "aws_billing_line_items", [], aws_billing.say_absent(context))
    source, prefix = aws_billing.open()
    months = months_of(context.partition_time_window)
    refused: list = []
    with aws_billing.reachable():
        loads = ingest_aws_billing(
            source, prefix, warehouse.landing, warehouse.layout.bronze, months, warehouse.amount_limits, refused
        )
    aws_billing.warn_refused_links(context, source)
    if not loads and not refused:
        context.log.warning(f"no AWS delivery found for {sorted(months)} under {aws_billing.uri}")
    return report_loads(context, "aws_billing_line_items", loads + refused)

"""Start AWS billing ingest when a new delivery (a new manifest or a new executionId / assemblyId) appears."""

import dagster as dg

from ingest.aws.deliveries import discover
from ingest.billing import delivery_in_bronze
from ingest.schemas import AWS_BILLING_TABLE
from orchestration.defs.aws.jobs import aws_billing_job
from orchestration.resources import DeliverySourceResource, WarehouseResource


@dg.sensor(
    job=aws_billing_job,
    minimum_interval_seconds=15 * 60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Every 15 minutes: a run of aws_billing_refresh for each AWS delivery (manifest) not yet in bronze.",
)
def aws_billing_delivery_sensor(
    context: dg.SensorEvaluationContext, warehouse: WarehouseResource, aws_billing: DeliverySourceResource
):
    """One run per delivery not yet in bronze; the run key (export, month, delivery id) never repeats."""
    if aws_billing.absent:
        yield dg.SkipReason(f"no AWS billing source: {aws_billing.absent}")
        return
    source, prefix = aws_billing.open()
    unreadable: list = []
    with aws_billing.reachable():
        deliveries, _ = discover(source, prefix, unreadable)  # one broken manifest never hides the others
    for manifest in unreadable:
        context.log.warning(f"skipped {manifest.files[0]}: {manifest.refused}")
    for delivery in deliveries:
        if (
            delivery_in_bronze(warehouse.layout.bronze, AWS_BILLING_TABLE, delivery.bronze_partition)
            == delivery.delivery_id
        ):
            continue
        yield dg.RunRequest(
            run_key=f"{delivery.partition.get('export')}/{delivery.billing_period}/{delivery.delivery_id}",
            partition_key=f"{delivery.billing_period}-01",
            tags={"cpt/delivery_id": str(delivery.delivery_id), "cpt/manifest": str(delivery.manifest_key)},
        )

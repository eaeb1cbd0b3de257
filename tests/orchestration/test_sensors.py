import dagster as dg

from ingest.aws.deliveries import ingest_aws_billing
from ingest.landing.sources import LocalFolderSource
from ingest.landing.zone import LandingZone
from orchestration.defs.aws.sensors import aws_billing_delivery_sensor
from orchestration.resources import DeliverySourceResource, WarehouseResource


def test_sensor_requests_one_run_per_new_delivery_and_none_once_loaded(sample_month, tmp_path):
    bucket = sample_month[0] / "aws"
    warehouse = WarehouseResource(data_dir=str(tmp_path))
    resources = {"warehouse": warehouse, "aws_billing": DeliverySourceResource(uri=str(bucket))}

    with dg.build_sensor_context(resources=resources) as context:
        requests = list(aws_billing_delivery_sensor(context))
    assert [r.partition_key for r in requests] == ["2026-10-01"]
    assert requests[0].run_key.startswith("cpt-demo/2026-10/")

    ingest_aws_billing(LocalFolderSource(bucket), "", LandingZone(tmp_path / "landing"), warehouse.layout.bronze)
    with dg.build_sensor_context(resources=resources) as context:
        assert list(aws_billing_delivery_sensor(context)) == []

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


def test_token_log_sensor_requests_a_day_once_per_new_set_of_objects(tmp_path):
    import json
    from datetime import date

    from ingest.tokens.ingest import ingest_gateway_day
    from orchestration.defs.tokens.sensors import token_log_sensor
    from tests.ingest.tokens.support import gateway_record

    gateway_dir = tmp_path / "src" / "gateway"
    day_dir = gateway_dir / "2026" / "10" / "03"
    day_dir.mkdir(parents=True)
    (day_dir / "gw-00.jsonl").write_text(json.dumps(gateway_record(1)) + "\n")
    empty = tmp_path / "src" / "empty"
    empty.mkdir()
    warehouse = WarehouseResource(data_dir=str(tmp_path / "data"))
    resources = {
        "warehouse": warehouse,
        "gateway_logs": DeliverySourceResource(uri=str(gateway_dir)),
        "litellm_logs": DeliverySourceResource(uri=str(empty)),
        "otel_spans": DeliverySourceResource(uri=str(empty)),
        "prometheus_metrics": DeliverySourceResource(uri=str(empty)),
    }

    def requests():
        with dg.build_sensor_context(resources=resources) as context:
            return list(token_log_sensor(context))

    assert [type(r).__name__ for r in requests()] == ["SkipReason"]  # no full build yet
    warehouse.layout.build_warehouse.parent.mkdir(parents=True)
    warehouse.layout.build_warehouse.touch()
    first = requests()
    assert [r.partition_key for r in first] == ["2026-10-03"]
    ingest_gateway_day(
        LocalFolderSource(gateway_dir), "", warehouse.landing, warehouse.layout.bronze, date(2026, 10, 3)
    )
    assert requests() == []  # loaded: nothing new
    (day_dir / "gw-01.jsonl").write_text(json.dumps(gateway_record(2)) + "\n")  # a late object for the same day
    again = requests()
    assert [r.partition_key for r in again] == ["2026-10-03"] and again[0].run_key != first[0].run_key

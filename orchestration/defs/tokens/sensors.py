"""Start a token-log run for a day as soon as a new log object of that day appears in any token source."""

import hashlib

import dagster as dg

from ingest.tokens import gateway, litellm, otel, prometheus
from ingest.tokens.ingest import counter_day_of, new_objects_by_day
from orchestration.defs.tokens.jobs import token_logs_job
from orchestration.resources import DeliverySourceResource, WarehouseResource


@dg.sensor(
    job=token_logs_job,
    minimum_interval_seconds=5 * 60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Every 5 minutes: a run of token_logs_refresh for each day with token log objects not yet loaded.",
)
def token_log_sensor(
    context: dg.SensorEvaluationContext,
    warehouse: WarehouseResource,
    gateway_logs: DeliverySourceResource,
    litellm_logs: DeliverySourceResource,
    otel_spans: DeliverySourceResource,
    prometheus_metrics: DeliverySourceResource,
):
    """One run per day with log objects not yet loaded (by source, key and size, from the landing manifest);
    the run key names the new objects, so a later object for the same day starts another run.

    The run rebuilds only what token data feeds, on top of a warehouse a full run has built: until the first
    full run (daily_refresh, aws_billing_refresh or `cpt run`) has, the sensor waits."""
    if not warehouse.layout.build_warehouse.exists():
        yield dg.SkipReason("no warehouse built yet: the first full run (daily_refresh or cpt run) builds it")
        return
    watched = (
        (gateway.FORMAT, gateway_logs, gateway.day_of_key),
        (litellm.FORMAT, litellm_logs, gateway.day_of_key),
        (otel.FORMAT, otel_spans, gateway.day_of_key),
        (prometheus.FORMAT, prometheus_metrics, counter_day_of),
    )
    new_by_day: dict = {}
    for source_format, resource, day_of in watched:
        if resource.absent:
            continue
        source, prefix = resource.open()
        with resource.reachable():
            found = new_objects_by_day(source, prefix, warehouse.landing, f"tokens/{source_format}", day_of)
        for day, objects in found.items():
            new_by_day.setdefault(day, []).extend(f"{source_format}:{o.key}:{o.size}" for o in objects)
    for day in sorted(new_by_day):
        names = sorted(new_by_day[day])
        fingerprint = hashlib.sha256("\n".join(names).encode()).hexdigest()[:16]
        context.log.info(f"{day}: {len(names)} new token log objects")
        yield dg.RunRequest(
            run_key=f"tokens/{day.isoformat()}/{fingerprint}",
            partition_key=day.isoformat(),
            tags={"cpt/new_objects": str(len(names))},
        )

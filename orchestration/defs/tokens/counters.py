"""Inference servers' Prometheus token counters → bronze inference_token_counter_samples, one UTC day per partition."""

import dagster as dg

from ingest.tokens.ingest import ingest_counter_day
from orchestration.partitions import daily_partitions, days_of
from orchestration.resources import DeliverySourceResource, WarehouseResource


@dg.asset(
    key="inference_token_counter_samples",
    group_name="tokens",
    kinds={"python", "polars", "parquet", "prometheus"},
    owners=["team:platform"],
    tags={"layer": "bronze"},
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def inference_token_counter_samples(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, prometheus_metrics: DeliverySourceResource
) -> dg.MaterializeResult:
    """vLLM / SGLang / TGI token and request counters, as cumulative samples (dbt computes the deltas).

    For deployments without per-request logs these counters are the token source; a file that cannot be read
    is quarantined with its reason and the rest of the day still loads.
    """
    if prometheus_metrics.absent:
        return dg.MaterializeResult(metadata={"days": 0, **prometheus_metrics.say_absent(context)})
    source, prefix = prometheus_metrics.open()
    loads = []
    with prometheus_metrics.reachable():
        for day in days_of(context.partition_time_window):
            loads.append(ingest_counter_day(source, prefix, warehouse.landing, warehouse.layout.bronze, day))
    prometheus_metrics.warn_refused_links(context, source)
    resets = [f"{x.day} {reset}" for x in loads for reset in x.resets]
    for reset in resets:
        context.log.warning(f"counter went down, counted as a server restart (the reading counts from zero): {reset}")
    return dg.MaterializeResult(
        metadata={
            "days": len(loads),
            "files": sum(x.files for x in loads),
            "samples": sum(x.samples for x in loads),
            "files_quarantined": sum(x.files_quarantined for x in loads),
            "counter_resets": len(resets),
            "counter_resets_first": "; ".join(resets[:10]) or "none",
        }
    )

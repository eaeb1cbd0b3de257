"""Token logs → bronze inference_requests, inference servers' Prometheus counters → bronze
inference_token_counter_samples (both one UTC day per partition), and the token_quarantine both write."""

import dagster as dg

from ingest.tokens import gateway, litellm, otel
from ingest.tokens.ingest import ingest_counter_day, ingest_requests_day
from orchestration.bronze_assets import LAYER_TAG, OWNERS, bronze_asset
from orchestration.partitions import daily_partitions, days_of
from orchestration.resources import DeliverySourceResource, WarehouseResource

token_quarantine = dg.AssetSpec(
    "token_quarantine",
    group_name="tokens",
    kinds={"parquet"},
    owners=OWNERS,
    tags=LAYER_TAG,
    deps=["inference_requests", "inference_token_counter_samples"],
    description=(
        "Bronze token_quarantine: every token-log record or counter scrape ingest refused, with its file, row and "
        "reason (never its text). Written by inference_requests and inference_token_counter_samples as they read "
        "each day (rows in = loaded + quarantined); read by dbt's ops_token_quarantine_daily."
    ),
)


@bronze_asset("inference_requests", "tokens", None, daily_partitions)
def inference_requests(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    gateway_logs: DeliverySourceResource,
    litellm_logs: DeliverySourceResource,
    otel_spans: DeliverySourceResource,
) -> dg.MaterializeResult:
    """Per-request token counts of each day from every log format: OpenAI-style gateway logs, LiteLLM spend
    logs and OpenTelemetry GenAI spans (prompt, message and completion text is never parsed).

    Records that fail validation go to bronze token_quarantine with their reason: rows in = loaded + quarantined.
    A backfill of many days runs as one run.
    """
    days = days_of(context.partition_time_window)
    loads, absent = [], {}
    formats = ((gateway.FORMAT, gateway_logs), (litellm.FORMAT, litellm_logs), (otel.FORMAT, otel_spans))
    for source_format, resource in formats:
        if resource.absent:
            absent[source_format] = resource.say_absent(context)["source_absent"]
            continue
        source, prefix = resource.open()
        with resource.reachable():
            for day in days:
                load = ingest_requests_day(
                    source, prefix, warehouse.landing, warehouse.layout.bronze, day, source_format
                )
                loads.append((source_format, load))
        resource.warn_refused_links(context, source)
    per_format = {
        f: {k: sum(getattr(x, k) for g, x in loads if g == f) for k in ("files", "rows_in", "rows_quarantined")}
        for f, _ in formats
    }
    rows_in = sum(x.rows_in for _, x in loads)
    quarantined = sum(x.rows_quarantined for _, x in loads)
    context.log.info(f"{rows_in} rows in, {quarantined} quarantined: {per_format}")
    return dg.MaterializeResult(
        metadata={
            "files": sum(x.files for _, x in loads),
            "rows_in": rows_in,
            "rows_loaded": sum(x.rows_loaded for _, x in loads),
            "rows_quarantined": quarantined,
            "files_read_line_by_line": sum(
                x.files_read_line_by_line for _, x in loads
            ),  # a bad line sends a file there
            "quarantine_rate": (quarantined / rows_in) if rows_in else 0.0,
            "input_tokens": sum(x.input_tokens for _, x in loads),
            "output_tokens": sum(x.output_tokens for _, x in loads),
            "by_format": dg.MetadataValue.json(per_format),
            **({"source_absent": "; ".join(absent.values())} if absent else {}),
        }
    )


@bronze_asset("inference_token_counter_samples", "tokens", "prometheus", daily_partitions)
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

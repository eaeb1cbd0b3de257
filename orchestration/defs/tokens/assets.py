"""Gateway token logs → bronze inference_requests (+ token_quarantine), one UTC day per partition."""

from datetime import timedelta

import dagster as dg

from ingest.tokens.ingest import ingest_gateway_day
from orchestration.partitions import daily_partitions
from orchestration.resources import DeliverySourceResource, WarehouseResource


@dg.asset(
    key="inference_requests",
    group_name="tokens",
    kinds={"python", "polars", "parquet"},
    owners=["team:platform"],
    tags={"layer": "bronze"},
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def inference_requests(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, gateway_logs: DeliverySourceResource
) -> dg.MaterializeResult:
    """Per-request token counts from the gateway logs of each day (prompt/completion text is never parsed).

    Records that fail validation go to bronze token_quarantine with their reason: rows in = loaded + quarantined.
    A backfill of many days runs as one run.
    """
    window = context.partition_time_window
    source, prefix = gateway_logs.open()
    day, loads = window.start.date(), []
    while day < window.end.date():
        loads.append(ingest_gateway_day(source, prefix, warehouse.landing, warehouse.layout.bronze, day))
        day += timedelta(days=1)
    rows_in = sum(x.rows_in for x in loads)
    quarantined = sum(x.rows_quarantined for x in loads)
    context.log.info(f"{len(loads)} day(s): {rows_in} rows in, {quarantined} quarantined")
    return dg.MaterializeResult(
        metadata={
            "days": len(loads),
            "files": sum(x.files for x in loads),
            "rows_in": rows_in,
            "rows_loaded": sum(x.rows_loaded for x in loads),
            "rows_quarantined": quarantined,
            "quarantine_rate": (quarantined / rows_in) if rows_in else 0.0,
            "input_tokens": sum(x.input_tokens for x in loads),
            "output_tokens": sum(x.output_tokens for x in loads),
        }
    )

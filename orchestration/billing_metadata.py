"""What the billing assets report: each delivery's action, and a check that fails when one was refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import dagster as dg

from ingest.billing import BillingFormat, BillingLoad
from ingest.export_layouts import ingest_exports

if TYPE_CHECKING:
    from orchestration.resources import DeliverySourceResource, WarehouseResource

DELIVERIES_ACCEPTED = "deliveries_accepted"


def deliveries_check(asset: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        DELIVERIES_ACCEPTED,
        asset=asset,
        description="Every delivery found was loaded; a refused one is named with its reason (bronze kept the last "
        "good one, so the money published is that last good state).",
    )


def loads_metadata(loads: list[BillingLoad]) -> dict[str, Any]:
    table = "\n".join(
        f"| {x.format} | {x.billing_period} | {x.delivery_id} | {x.rows} | {x.billed_cost:,.2f} | "
        f"{x.effective_cost:,.2f} | {x.action} | {'; '.join(x.notes) or (x.refused or '')} |"
        for x in loads
    )
    return {
        "deliveries": len(loads),
        "delivery_ids": ", ".join(sorted({x.delivery_id for x in loads if x.delivery_id})) or "none",
        "rows": sum(x.rows for x in loads if x.action != "removed"),
        "billed_cost_usd": round(sum(x.billed_cost for x in loads if x.action in ("replaced", "skipped")), 2),
        "effective_cost_usd": round(sum(x.effective_cost for x in loads if x.action in ("replaced", "skipped")), 2),
        "refused": sum(1 for x in loads if x.refused),
        "removed": sum(1 for x in loads if x.removed),
        "by_delivery": dg.MetadataValue.md(
            "| format | period | delivery | rows | billed | effective | action | notes |\n"
            "|---|---|---|---|---|---|---|---|\n" + table
        ),
    }


def report_loads(
    context: dg.AssetExecutionContext, asset: str, loads: list[BillingLoad], extra: dict | None = None
) -> dg.MaterializeResult:
    """Log each delivery, and materialize with the deliveries check: failed (ERROR) when one was refused."""
    for load in loads:
        line = (
            f"{load.format} {load.billing_period}: delivery {load.delivery_id}, {load.rows} rows, "
            f"billed {load.billed_cost:,.2f}, {load.action}"
        )
        if load.refused:
            context.log.error(f"{line}: {load.refused}")
        else:
            context.log.info(line)
        for note in load.notes:
            context.log.warning(f"{load.format} {load.billing_period}: {note}")
    refused = [x for x in loads if x.refused]
    check = dg.AssetCheckResult(
        asset_key=asset,
        check_name=DELIVERIES_ACCEPTED,
        passed=not refused,
        severity=dg.AssetCheckSeverity.ERROR,
        description="; ".join(f"{x.billing_period}: {x.refused}" for x in refused) or "every delivery was loaded",
        metadata={"refused": len(refused)},
    )
    return dg.MaterializeResult(metadata={**loads_metadata(loads), **(extra or {})}, check_results=[check])


def load_exports(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    exports: DeliverySourceResource,
    fmt: BillingFormat,
    table: str,
    ingest: Callable[..., list[BillingLoad]] = ingest_exports,
) -> dg.MaterializeResult:
    """The body of a scheduled-export source's asset: every month found under the source (by
    ``ingest.export_layouts``, or the format's own ``ingest`` with the same call) loaded into bronze ``table``
    (the asset of that name), refusals reported by the deliveries check; an absent source is said once and bronze
    keeps what it has."""
    if exports.absent:
        return report_loads(context, table, [], exports.say_absent(context))
    source, prefix = exports.open()
    refused: list[BillingLoad] = []
    with exports.reachable():
        landing, bronze, limits = warehouse.landing, warehouse.layout.bronze, warehouse.amount_limits
        loads = ingest(fmt, table, source, prefix, landing, bronze, None, limits, refused)
    exports.warn_refused_links(context, source)
    return report_loads(context, table, loads + refused)

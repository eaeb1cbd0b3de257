"""Asset metadata shared by the billing assets: what each delivery brought."""

import dagster as dg

from ingest.billing import BillingLoad


def loads_metadata(loads: list[BillingLoad]) -> dict[str, object]:
    table = "\n".join(
        f"| {x.format} | {x.billing_period} | {x.delivery_id} | {x.rows} | {x.billed_cost:,.2f} | "
        f"{x.effective_cost:,.2f} | {'skipped' if x.skipped else 'replaced'} |"
        for x in loads
    )
    return {
        "deliveries": len(loads),
        "delivery_ids": ", ".join(sorted({x.delivery_id for x in loads})) or "none",
        "rows": sum(x.rows for x in loads),
        "billed_cost_usd": round(sum(x.billed_cost for x in loads), 2),
        "effective_cost_usd": round(sum(x.effective_cost for x in loads), 2),
        "by_delivery": dg.MetadataValue.md(
            "| format | period | delivery | rows | billed | effective | action |\n|---|---|---|---|---|---|---|\n"
            + table
        ),
    }

"""Token log health: warn when a day's logs lose too many records to quarantine."""

import dagster as dg

from ingest.tokens.ingest import quarantine_rates
from orchestration.resources import WarehouseResource


@dg.asset_check(asset="inference_requests")
def quarantine_rate_is_low(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Every (format, log day): quarantined / (loaded + quarantined) ≤ the warehouse's quarantine_warn_rate."""
    days = quarantine_rates(warehouse.layout.bronze)
    over = [d for d in days if d.rate > warehouse.quarantine_warn_rate]
    worst = max(days, key=lambda d: d.rate, default=None)
    return dg.AssetCheckResult(
        passed=not over,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"{len(over)} format-day(s) above {warehouse.quarantine_warn_rate:.2%}: "
            + ", ".join(f"{d.source_format} {d.day} {d.rate:.2%}" for d in over[:10])
            if over
            else f"{len(days)} format-day(s) at or below {warehouse.quarantine_warn_rate:.2%}"
        ),
        metadata={
            "format_days": len(days),
            "over_threshold": len(over),
            "worst_rate": worst.rate if worst else 0.0,
            "worst": f"{worst.source_format} {worst.day}" if worst else "none",
            "rows_loaded": sum(d.loaded for d in days),
            "rows_quarantined": sum(d.quarantined for d in days),
        },
    )

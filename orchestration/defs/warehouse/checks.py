"""Money checks that run on every build. Blocking: a failure stops the warehouse from being published."""

import dagster as dg

from ingest import duck
from ingest.reconcile import RELATIVE_TOLERANCE, conservation_by_month
from orchestration.resources import WarehouseResource


@dg.asset_check(asset="fct_cpt_daily", blocking=True)
def in_scope_cost_is_conserved(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """For every month: allocated + idle + shared + unallocated = in-scope EffectiveCost (1e-9 relative)."""
    with duck.connect(str(warehouse.layout.build_warehouse), read_only=True) as con:
        months = conservation_by_month(con)
    failing = [m.month for m in months if not m.holds]
    rows = "\n".join(
        f"| {m.month} | {m.in_scope_cost:,.6f} | {m.allocated:,.6f} | {m.idle:,.6f} | {m.shared:,.6f} | "
        f"{m.unallocated:,.6f} | {m.difference:.3e} |"
        for m in months
    )
    if failing:
        description = f"months failing: {failing}"
    elif months:
        description = f"{len(months)} month(s) conserved within {RELATIVE_TOLERANCE}"
    else:  # every source absent or empty: nothing to conserve (the run's output says which sources were skipped)
        description = "no cost and no tokens yet"
    return dg.AssetCheckResult(
        passed=not failing,
        severity=dg.AssetCheckSeverity.ERROR,
        description=description,
        metadata={
            "months": len(months),
            "failing_months": ", ".join(failing) or "none",
            "in_scope_cost_usd": round(sum(m.in_scope_cost for m in months), 6),
            "max_abs_difference_usd": max((abs(m.difference) for m in months), default=0.0),
            "by_month": dg.MetadataValue.md(
                "| month | in scope | allocated | idle | shared | unallocated | difference |\n"
                "|---|---|---|---|---|---|---|\n" + rows
            ),
        },
    )

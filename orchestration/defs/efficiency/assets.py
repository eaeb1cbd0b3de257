"""Pictures of what moves cost per token, made after each publish from the published file."""

import base64

import dagster as dg

from ingest.efficiency import charts
from orchestration.resources import WarehouseResource


@dg.asset(key="latency_cost_frontier_charts", group_name="efficiency", kinds={"png"}, owners=["team:platform"],
          deps=["published_warehouse"])  # fmt: skip
def latency_cost_frontier_charts(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Per model: CPT against p99 latency for every deployment configuration and load level, the Pareto frontier
    and the latency SLO (fct_latency_cost_frontier), as PNG under warehouse/charts/ — shown here too."""
    written = charts.render_all(warehouse.layout.warehouse, warehouse.layout.charts)
    images = "\n\n".join(
        f"**{path.stem}**\n\n![{path.stem}](data:image/png;base64,{base64.b64encode(path.read_bytes()).decode()})"
        for path in written
    )
    return dg.MaterializeResult(
        metadata={
            "path": str(warehouse.layout.charts),
            "charts": len(written),
            "preview": dg.MetadataValue.md(images or "no request logs yet: no frontier"),
        }
    )

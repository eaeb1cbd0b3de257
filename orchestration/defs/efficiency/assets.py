"""Pictures of what moves cost per token, made after each publish from the published file."""

import dagster as dg

from ingest.efficiency import charts
from orchestration.chart_metadata import charts_metadata
from orchestration.resources import WarehouseResource


@dg.asset(key="latency_cost_frontier_charts", group_name="efficiency", kinds={"png"}, owners=["team:platform"],
          deps=["published_warehouse"])  # fmt: skip
def latency_cost_frontier_charts(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Per model: CPT against p99 latency for every deployment configuration and load level, the Pareto frontier
    and the latency SLO (fct_latency_cost_frontier), as PNG under warehouse/charts/ — shown here too."""
    written = charts.render_all(warehouse.layout.warehouse, warehouse.layout.charts)
    empty = "no request logs yet: no frontier"
    return dg.MaterializeResult(metadata=charts_metadata(warehouse.layout.charts, written, empty))

"""dbt models (staging → intermediate → marts) and the published warehouse file."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from ingest.bronze import ensure_all_tables
from ingest.publish import publish
from orchestration.resources import WarehouseResource, dbt_project

MARTS = [
    "fct_cpt_daily",
    "fct_deployment_hours",
    "dim_deployments",
    "dim_teams",
    "dim_models",
    "dim_hardware",
]


class CptDbtTranslator(DagsterDbtTranslator):
    """dbt folders become asset groups: warehouse_staging, warehouse_intermediate, warehouse_marts."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props.get("resource_type") == "seed":
            return "warehouse_reference"
        layer = fqn[1] if len(fqn) > 2 else "models"
        return f"warehouse_{layer}"


@dbt_assets(manifest=dbt_project.manifest_path, dagster_dbt_translator=CptDbtTranslator())
def cpt_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """Builds and tests every dbt model into warehouse/build/cpt.duckdb (the published file is untouched)."""
    warehouse.layout.build_warehouse.parent.mkdir(parents=True, exist_ok=True)
    ensure_all_tables(warehouse.layout.bronze)  # a source that never delivered reads as zero rows
    yield from dbt.cli(["build"], context=context).stream()


@dg.asset(
    key="published_warehouse",
    group_name="warehouse_marts",
    kinds={"duckdb"},
    owners=["team:platform"],
    deps=MARTS,
)
def published_warehouse(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """The DuckDB file analysts and reports open, replaced atomically once the marts and their checks passed."""
    path = publish(warehouse.layout.build_warehouse, warehouse.layout.warehouse)
    return dg.MaterializeResult(metadata={"path": str(path), "bytes": path.stat().st_size})
